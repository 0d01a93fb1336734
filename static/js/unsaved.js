/* A form marked data-unsaved-warning: warns before the page is left with changes not saved,
   and brings the first field to correct into view (centred, so the sticky save bar at the
   bottom of the screen does not cover it) with the focus on it. No inline script: the
   Content Security Policy forbids it. */
(function () {
  "use strict";

  function init(form) {
    // A form shown again with errors holds typed values that are not saved yet.
    var dirty = form.hasAttribute("data-unsaved-initial");

    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return undefined; }
      event.preventDefault();
      event.returnValue = "";  // the browser shows its own "leave the page?" question
      return "";
    });

    var invalid = form.querySelector(".has-error input, .has-error textarea, .has-error select");
    var summary = document.getElementById("error-summary");
    if (invalid) {
      invalid.scrollIntoView({ block: "center" });
      invalid.focus({ preventScroll: true });
    } else if (summary) {
      summary.scrollIntoView({ block: "center" });
      summary.focus({ preventScroll: true });
    }
    // Links of the error summary: centre the field rather than put it at the top edge.
    if (summary) {
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      });
    }
  }

  function start() {
    var forms = document.querySelectorAll("form[data-unsaved-warning]");
    for (var i = 0; i < forms.length; i++) { init(forms[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
