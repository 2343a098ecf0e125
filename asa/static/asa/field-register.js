// Every page: wipe the field app's data on this device when the user signs out (PDPA: nothing
// stays behind). The service worker itself is registered by the field app page (field.js), so
// only phones that use the field app get one.
(() => {
  "use strict";
  const wipe = () =>
    new Promise((resolve) => {
      if (!("indexedDB" in window)) return resolve();
      const request = indexedDB.deleteDatabase("asa-field");
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  const start = () => {
    for (const form of document.querySelectorAll("form[action$='/accounts/logout/']")) {
      form.addEventListener("submit", (event) => {
        if (form.dataset.wiped) return;
        event.preventDefault();
        const caches = "caches" in window ? window.caches.delete("asa-field-app") : Promise.resolve();
        Promise.all([wipe(), caches]).finally(() => {
          form.dataset.wiped = "true";
          form.submit();
        });
      });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
