// Small page helpers. No inline scripts anywhere (the Content-Security-Policy forbids them).
document.addEventListener("htmx:configRequest", (event) => {
  // htmx writes go through Django's CSRF check like any form.
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});
// "Too many requests" (429) and "too large" (413) answers are short notices: show them where
// the results would have gone instead of leaving the page silent.
document.addEventListener("htmx:beforeSwap", (event) => {
  if ([413, 429].includes(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// A button with data-confirm asks before it submits its form.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
// A button with data-copy-target copies that field's value (the new API token, shown once).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyTarget);
  field.select();
  navigator.clipboard?.writeText(field.value).then(() => {
    button.textContent = button.dataset.copiedLabel || button.textContent;
  });
});
// The phone header's menu button shows the rest of the menu; Escape closes it again.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-toggle");
  if (!button) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  if (open) document.getElementById(button.getAttribute("aria-controls"))?.querySelector("a")?.focus();
});
document.addEventListener("keydown", (event) => {
  const button = document.querySelector('.menu-toggle[aria-expanded="true"]');
  if (event.key !== "Escape" || !button) return;
  button.setAttribute("aria-expanded", "false");
  button.focus();
});
// Event attendance: search the list, tick all shown, tick by a typed or scanned volunteer code.
document.querySelectorAll("[data-attendance]").forEach((form) => {
  const rows = [...form.querySelectorAll("li[data-code]")];
  const tools = form.querySelector("[data-attendance-tools]");
  const search = form.querySelector("[data-attendance-search]");
  const all = form.querySelector("[data-attendance-all]");
  const codes = form.querySelector("[data-attendance-codes]");
  const announce = form.querySelector("[data-attendance-announce]");
  const count = form.querySelector("[data-attendance-count]");
  const box = (row) => row.querySelector("input[type=checkbox]");
  const key = (text) => text.toLowerCase().replace(/\s+/g, "");
  const shown = () => rows.filter((row) => !row.hidden);
  const update = () => {
    count.textContent = rows.filter((row) => box(row).checked).length;
    const visible = shown();
    all.checked = visible.length > 0 && visible.every((row) => box(row).checked);
  };
  tools.hidden = false;
  search.addEventListener("input", () => {
    const wanted = key(search.value);
    rows.forEach((row) => { row.hidden = !key(row.dataset.search).includes(wanted); });
    update();
  });
  all.addEventListener("change", () => {
    shown().forEach((row) => { box(row).checked = all.checked; });
    update();
  });
  form.addEventListener("change", (event) => { if (event.target.name === "present") update(); });
  // A scanner types the code and presses Enter: tick that volunteer, say so, clear the field.
  codes.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const typed = codes.value.trim();
    if (!typed) return;
    const digits = typed.replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).toUpperCase().replace(/^V/, "");
    const row = /^\d+$/.test(digits) && rows.find((candidate) => Number(candidate.dataset.code.slice(1)) === Number(digits));
    if (!row) {
      announce.textContent = codes.dataset.notFound.replace("%s", typed);
      codes.select(); // the next scan replaces it
      return;
    }
    box(row).checked = true;
    rows.forEach((other) => other.classList.toggle("just-ticked", other === row));
    announce.textContent = codes.dataset.ticked.replace("%s", row.querySelector("label").textContent);
    codes.value = "";
    update();
  });
});
// A search field with data-filter-list="<id>" shows only that list's items whose data-search
// holds what is typed (spaces and case ignored); without scripts the whole list shows.
document.querySelectorAll("[data-filter-list]").forEach((input) => {
  const list = document.getElementById(input.dataset.filterList);
  const key = (text) => text.toLowerCase().replace(/\s+/g, "");
  input.closest("[data-filter-tools]")?.removeAttribute("hidden");
  input.addEventListener("input", () => {
    const wanted = key(input.value);
    list.querySelectorAll("[data-search]").forEach((item) => {
      item.hidden = !key(item.dataset.search).includes(wanted);
    });
  });
  // Enter in the search field must not submit the form around it.
  input.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
});

// Tables that become cards on a phone (class "responsive", asa.css) label each cell with its
// column's heading, where the template did not give the cell a data-label of its own.
(() => {
  "use strict";
  for (const table of document.querySelectorAll("table.responsive")) {
    const headings = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      Array.from(row.children).forEach((cell, index) => {
        if (cell.tagName === "TD" && !cell.dataset.label && headings[index] && cell.colSpan === 1) {
          cell.dataset.label = headings[index];
        }
      });
    }
  }
})();
