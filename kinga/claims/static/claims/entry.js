// The claim entry form at the clerk's speed, keyboard only (issue 12, 3.2.1).  Small on
// purpose: htmx does the requests; this only decides what Enter does in the lines.
(function () {
  "use strict";
  function lines() { return document.getElementById("lines-body"); }
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || ev.isComposing) return;
    var el = ev.target, body = lines();
    if (!body || el.tagName !== "INPUT" || el.type === "file") return;
    var form = el.form;
    if (!form || form.id !== "claim-form") return;
    if (!body.contains(el)) {
      // In the header, Enter moves to the next field like Tab: the form is saved only by
      // its Save button, never by a stray Enter half-way through.
      ev.preventDefault();
      var fields = Array.prototype.filter.call(form.elements, function (f) {
        return f.type !== "hidden" && !f.disabled && f.tabIndex >= 0 && !f.readOnly;
      });
      var after = fields[fields.indexOf(el) + 1];
      if (after) after.focus();
      return;
    }
    // Enter never submits the form from a line: it moves on, and in the last line's
    // quantity it adds a line (the new code box takes the focus).
    ev.preventDefault();
    var row = el.closest("tr");
    if (el.classList.contains("line-quantity") && row === body.lastElementChild) {
      el.dispatchEvent(new Event("change", { bubbles: true }));
      var add = document.getElementById("add-line");
      if (add) add.click();
      return;
    }
    var inputs = Array.prototype.filter.call(
      body.querySelectorAll("input:not([readonly])"), function (i) { return !i.disabled; });
    var next = inputs[inputs.indexOf(el) + 1];
    if (next) next.focus();
  });
  // The × of a line empties it: an empty line is not saved.
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-remove-line]");
    if (!button) return;
    var row = button.closest("tr");
    if (!row) return;
    row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    row.hidden = true;
    if (window.htmx) window.htmx.trigger(document.body, "claims-totals");
  });
})();
