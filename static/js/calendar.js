// FullCalendar time grid fed by the JSON endpoint; drag to move posts to the move endpoint.
(function () {
  "use strict";
  var element = document.getElementById("calendar");
  var source = document.getElementById("calendar-config");
  if (!element || !source || typeof FullCalendar === "undefined") { return; }
  var config = JSON.parse(source.textContent);
  var message = document.getElementById("calendar-message");
  var csrfToken = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function show(text, kind) {
    message.textContent = text;
    message.className = "alert alert-" + kind;
  }

  function moveUrl(id) { return config.moveUrl.replace("/0/", "/" + id + "/"); }

  function onMove(info) {
    var body = new URLSearchParams();
    body.set("start", info.event.start.toISOString());
    if (info.event.end) { body.set("end", info.event.end.toISOString()); }
    fetch(moveUrl(info.event.id), {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        show("Session moved.", "success");
      } else {
        info.revert();
        show(result.data.error || "The session could not be moved.", "danger");
      }
    }).catch(function () {
      info.revert();
      show("The session could not be moved (network error).", "danger");
    });
  }

  var calendar = new FullCalendar.Calendar(element, {
    initialView: config.initialView,
    timeZone: config.timeZone,
    headerToolbar: { left: "prev,next today", center: "title", right: "timeGridWeek,timeGridDay" },
    slotMinTime: "07:00:00",
    slotMaxTime: "22:00:00",
    allDaySlot: false,
    nowIndicator: true,
    height: "auto",
    events: config.eventsUrl,
    eventDrop: onMove,
    eventResize: onMove,
    eventClick: function (info) {
      if (info.event.url) { info.jsEvent.preventDefault(); window.location.assign(info.event.url); }
    }
  });
  calendar.render();
})();
