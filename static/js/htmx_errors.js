// Every htmx request that fails is shown to the user, never swallowed (htmx 2's responseHandling).
// A refused form answers 422 with itself re-rendered (messages beside the fields, what was typed kept),
// so it is swapped in like a success. Any other 4xx/5xx, and a request that never reached the server,
// puts a message in one alert at the top of the page, next to nothing it could be mistaken for.
(function () {
  "use strict";
  if (!window.htmx) { return; }
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false }
  ];

  function alertBox() {
    var box = document.getElementById("htmx-error");
    if (box) { return box; }
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "alert alert-danger alert-dismissible shadow htmx-error";
    box.setAttribute("role", "alert");
    var text = document.createElement("span");
    text.className = "htmx-error-text";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(text);
    box.appendChild(close);
    var main = document.getElementById("main") || document.body;
    main.insertBefore(box, main.firstChild);
    return box;
  }

  function show(message) {
    var box = alertBox();
    box.querySelector(".htmx-error-text").textContent = message;
    box.scrollIntoView({ block: "nearest" });
  }

  // The app's error pages put the reason in <main>'s heading and first paragraph; JSON errors in "error".
  function reasonFrom(xhr) {
    var body = xhr.responseText || "";
    var type = xhr.getResponseHeader("Content-Type") || "";
    try {
      if (type.indexOf("json") !== -1) {
        var data = JSON.parse(body);
        if (data && data.error) { return String(data.error); }
      } else if (type.indexOf("html") !== -1 && body) {
        var doc = new DOMParser().parseFromString(body, "text/html");
        var scope = doc.querySelector("main") || doc.body;
        var heading = scope && scope.querySelector("h1");
        var paragraph = scope && scope.querySelector("p");
        var parts = [heading, paragraph].filter(Boolean).map(function (node) { return node.textContent.trim(); });
        if (parts.length) { return parts.join(": "); }
      }
    } catch (ignored) { /* fall back to the status line */ }
    return "";
  }

  function whatFailed(elt) {
    var verb = elt && elt.getAttribute && (elt.getAttribute("hx-get") !== null ? "load" : "save");
    return verb === "load" ? "This could not be loaded" : "This was not saved";
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var reason = reasonFrom(xhr) || ("the server answered " + xhr.status + (xhr.statusText ? " " + xhr.statusText : ""));
    show(whatFailed(event.detail.elt) + ". " + reason);
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    show(whatFailed(event.detail.elt) + ": the server could not be reached. Check the connection and try again.");
  });
  document.body.addEventListener("htmx:timeout", function (event) {
    show(whatFailed(event.detail.elt) + ": the server took too long to answer. Try again.");
  });
})();
