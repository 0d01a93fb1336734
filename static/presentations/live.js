/* The stage timer runs in the browser from the server's reading (data-elapsed-ms, data-running,
   the presentation, question and warning seconds), exactly as banzu.presentations.timer.reading
   computes it; htmx replaces the element every few seconds with a fresh reading. A polled part
   answering 404 (the room was closed) reloads the page, which stops the polling. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(s) { return pad(Math.floor(s / 60)) + ":" + pad(s % 60); }

  function sync(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = scope.querySelectorAll("[data-timer]");
    if (scope.matches && scope.matches("[data-timer]")) { found = [scope]; }
    Array.prototype.forEach.call(found, function (el) { el.dataset.syncedAt = String(performance.now()); });
  }

  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-timer]"), function (el) {
      if (el.dataset.running !== "1") { return; }
      if (!el.dataset.syncedAt) { el.dataset.syncedAt = String(performance.now()); }
      var ms = Number(el.dataset.elapsedMs) + (performance.now() - Number(el.dataset.syncedAt));
      var s = Math.floor(ms / 1000);
      var p = Number(el.dataset.p), q = Number(el.dataset.q), w = Number(el.dataset.w), end = p + q;
      var phase, colour, text;
      if (s < p - w) { phase = "Presenting"; colour = "normal"; }
      else if (s < p) { phase = "Warning"; colour = "amber"; }
      else if (s < end) { phase = "Questions"; colour = "red"; }
      else { phase = "Overtime"; colour = "red"; }
      if (s < p) { text = clock(p - s); }
      else if (s < end) { text = clock(end - s); }
      else { text = "+" + clock(s - end); }
      el.querySelector(".timer-display").textContent = text;
      el.querySelector(".timer-phase").textContent = el.dataset["label" + phase] || "";
      el.classList.remove("timer-normal", "timer-amber", "timer-red");
      el.classList.add("timer-" + colour);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { sync(document); });
  document.addEventListener("htmx:load", function (event) { sync(event.detail.elt); });
  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (event.detail.xhr.status === 404 && elt && elt.hasAttribute("data-reload-on-404")) {
      window.location.reload();
    }
  });
  window.setInterval(tick, 200);
})();
