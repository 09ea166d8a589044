// Roster: an absence has 0 minutes; switching back to present refills the session length.
(function () {
  "use strict";
  var form = document.getElementById("roster-form");
  if (!form) { return; }
  var sessionMinutes = form.getAttribute("data-session-minutes");
  var absent = ["excused", "unexcused"];
  form.addEventListener("change", function (event) {
    var select = event.target.closest(".row-status");
    if (!select) { return; }
    var minutes = select.closest("tr").querySelector(".row-minutes");
    if (absent.indexOf(select.value) !== -1) {
      minutes.value = 0;
    } else if (select.value === "present" || minutes.value === "0") {
      minutes.value = sessionMinutes;
    }
  });
})();
