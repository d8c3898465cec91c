// Kinga's only script of its own: small progressive enhancements. Every page works without it.
(function () {
  "use strict";
  // Close the other menu groups when one opens.
  document.addEventListener("toggle", function (ev) {
    var el = ev.target;
    if (!(el instanceof HTMLDetailsElement) || !el.open || !el.classList.contains("menu-group")) return;
    document.querySelectorAll("details.menu-group[open]").forEach(function (d) {
      if (d !== el) d.open = false;
    }, true);
  }, true);
  // A form marked data-autosubmit submits when one of its selects changes (filters).
  document.addEventListener("change", function (ev) {
    var form = ev.target.form;
    if (form && form.hasAttribute("data-autosubmit") && ev.target.tagName === "SELECT") {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });
  // The location pickers' search boxes work with htmx: shown only when it is there (without
  // JavaScript the picker offers a code box instead).
  function showPickers(root) {
    if (!window.htmx || !root.querySelectorAll) return;
    root.querySelectorAll("[data-picker-search][hidden]").forEach(function (el) { el.hidden = false; });
  }
  showPickers(document);
  document.addEventListener("htmx:load", function (ev) { showPickers(ev.target); });
})();
