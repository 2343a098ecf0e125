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
