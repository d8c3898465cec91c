// The claim entry form at the clerk's speed, keyboard only (issue 12, 3.2.1).  Small on
// purpose: htmx does the requests; this only decides what Enter does in the lines.
(function () {
  "use strict";
  function lines() { return document.getElementById("lines-body"); }

  // Suggestions.  A field with data-suggest="<datalist id>" (diagnoses, services and items)
  // shows the options htmx puts in that datalist as a list under it: ↓ and ↑ move in it,
  // Enter (or a click) puts the picked code in the field, Escape closes it.  A native
  // datalist popup cannot be reached by the keyboard everywhere (nor at all headless).
  var box = null, owner = null, active = -1;
  function close() {
    if (box) box.remove();
    if (owner) {
      owner.setAttribute("aria-expanded", "false");
      owner.removeAttribute("aria-activedescendant");
    }
    box = null; owner = null; active = -1;
  }
  function open(input) {
    var list = document.getElementById(input.getAttribute("data-suggest") || "");
    close();
    if (!list || document.activeElement !== input) return;
    var options = list.querySelectorAll("option");
    if (!options.length) return;
    box = document.createElement("ul");
    box.id = "suggestions";
    box.className = "suggestions";
    box.setAttribute("role", "listbox");
    Array.prototype.forEach.call(options, function (o, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.value = o.value;
      li.textContent = o.textContent || o.value;
      box.appendChild(li);
    });
    var r = input.getBoundingClientRect();
    box.style.left = (r.left + window.scrollX) + "px";
    box.style.top = (r.bottom + window.scrollY) + "px";
    box.style.minWidth = r.width + "px";
    document.body.appendChild(box);
    owner = input;
    input.setAttribute("aria-expanded", "true");
    input.setAttribute("aria-controls", "suggestions");
  }
  function move(step) {
    var items = box.querySelectorAll("li");
    if (active >= 0) items[active].setAttribute("aria-selected", "false");
    active = active < 0 ? (step > 0 ? 0 : items.length - 1)
      : (active + step + items.length) % items.length;
    items[active].setAttribute("aria-selected", "true");
    items[active].scrollIntoView({ block: "nearest" });
    owner.setAttribute("aria-activedescendant", items[active].id);
  }
  function pick(li) {
    var input = owner;
    input.value = li.dataset.value;
    close();
    input.focus();
    // What typing the code does: the line finds its service or item and price.
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("htmx:afterSwap", function (ev) {
    var target = ev.detail && ev.detail.target;
    var input = document.activeElement;
    if (target && target.tagName === "DATALIST" && input &&
        input.getAttribute("data-suggest") === target.id) open(input);
  });
  document.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (!el.getAttribute || !el.getAttribute("data-suggest")) return;
    if (ev.key === "ArrowDown" && !box) { open(el); if (box) { ev.preventDefault(); move(1); } return; }
    if (!box || owner !== el) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      move(ev.key === "ArrowDown" ? 1 : -1);
    } else if (ev.key === "Enter" && active >= 0 && !ev.isComposing) {
      // Enter picks the suggestion; the next Enter moves on as usual.
      ev.preventDefault();
      ev.stopImmediatePropagation();
      pick(box.querySelectorAll("li")[active]);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      close();
    } else if (ev.key === "Tab" || ev.key === "Enter") {
      close();
    }
  }, true);
  document.addEventListener("mousedown", function (ev) {
    if (!box) return;
    var li = ev.target.closest && ev.target.closest(".suggestions li");
    if (li) { ev.preventDefault(); pick(li); } else if (ev.target !== owner) close();
  });
  document.addEventListener("focusout", function (ev) {
    if (box && ev.target === owner) window.setTimeout(function () {
      if (owner && document.activeElement !== owner) close();
    }, 0);
  });
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
