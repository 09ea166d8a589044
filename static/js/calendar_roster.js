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
  // A row edited after it was saved is no longer what was saved: drop its "Saved" mark until it is.
  form.addEventListener("input", function (event) {
    var row = event.target.closest("tr.roster-row.saved");
    if (!row) { return; }
    row.classList.remove("saved");
    var status = row.querySelector("[role=status]");
    if (status) { status.remove(); }
  });
  // Once every refused row has been saved on its own, the "not saved" summary above is out of date.
  document.body.addEventListener("htmx:load", function () {
    var summary = document.getElementById("roster-summary");
    if (summary && !form.querySelector("tr.roster-row.error")) { summary.remove(); }
  });
})();
