// Site-wide behaviour, kept out of templates so the Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  // Autofocus the first invalid field after a failed submit, so keyboard users land on the problem.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector(".is-invalid, .invalid-feedback");
    if (invalid) {
      var field = invalid.closest(".mb-3, .instrument-item, fieldset");
      var input = field ? field.querySelector("input, select, textarea") : null;
      if (input) { input.focus(); }
    }
  });
  // The top navigation and the chart tabs stay one line and scroll sideways on a narrow screen:
  // bring the current item into view, without moving the page itself.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".nav-scroll").forEach(function (bar) {
      var active = bar.querySelector(".active");
      if (!active) { return; }
      var barBox = bar.getBoundingClientRect();
      var itemBox = active.getBoundingClientRect();
      if (itemBox.left < barBox.left || itemBox.right > barBox.right) {
        bar.scrollLeft += itemBox.left - barBox.left - (barBox.width - itemBox.width) / 2;
      }
    });
  });
  // Buttons with data-confirm ask before submitting (e.g. closing an intake).
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
