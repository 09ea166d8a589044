// Idle timeout: warn before the server-side limit (iop.middleware.SessionTimeoutMiddleware)
// signs the user out, and offer to stay. Values come from data attributes on <body>.
(function () {
  "use strict";
  var body = document.body;
  var timeoutSeconds = parseInt(body.getAttribute("data-idle-timeout-seconds"), 10);
  var warningSeconds = parseInt(body.getAttribute("data-idle-warning-seconds"), 10);
  var keepaliveUrl = body.getAttribute("data-keepalive-url");
  var modalElement = document.getElementById("idle-warning");
  if (!timeoutSeconds || !modalElement || !window.bootstrap) { return; }
  warningSeconds = Math.min(warningSeconds || 120, timeoutSeconds);

  var modal = window.bootstrap.Modal.getOrCreateInstance(modalElement);
  var countdown = document.getElementById("idle-warning-countdown");
  var stayButton = document.getElementById("idle-warning-stay");
  // The server counts from the last request it saw; so does this page.
  var lastActivity = Date.now();
  var warningShown = false;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function formatRemaining(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function endOfSession() {
    // Reloading lets the server end the session and send the user to the login page
    // with ?next= set to this page, so signing in again resumes here.
    window.location.reload();
  }

  function tick() {
    var idleSeconds = Math.floor((Date.now() - lastActivity) / 1000);
    var remaining = timeoutSeconds - idleSeconds;
    if (remaining <= 0) {
      endOfSession();
      return;
    }
    if (remaining <= warningSeconds) {
      countdown.textContent = formatRemaining(remaining);
      if (!warningShown) {
        warningShown = true;
        modal.show();
      }
    }
  }

  function activityRecorded() {
    lastActivity = Date.now();
    if (warningShown) {
      warningShown = false;
      modal.hide();
    }
  }

  stayButton.addEventListener("click", function () {
    fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      if (response.ok) {
        activityRecorded();
      } else {
        endOfSession();
      }
    }).catch(endOfSession);
  });

  // Requests made by htmx count as activity on the server, so they reset the clock here too.
  document.body.addEventListener("htmx:afterRequest", activityRecorded);
  // Another tab may have kept the session alive; a focused tab asks nothing of the server
  // and simply shows its own countdown.
  window.setInterval(tick, 1000);
})();
