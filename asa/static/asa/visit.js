// The visit form keeps a draft in localStorage so a reload (or a lost signal on the road) never
// loses what was typed. Files are not kept: browsers cannot restore a file input.
(() => {
  const SKIP = new Set(["csrfmiddlewaretoken", "version"]);

  const fields = (form) =>
    Array.from(form.elements).filter(
      (element) => element.name && !SKIP.has(element.name) && element.type !== "file" &&
        element.type !== "submit" && element.type !== "button",
    );

  const save = (form) => {
    const draft = {};
    for (const element of fields(form)) {
      if (element.type === "checkbox" || element.type === "radio") {
        draft[`${element.name}=${element.value}`] = element.checked;
      } else {
        draft[element.name] = element.value;
      }
    }
    try {
      localStorage.setItem(form.dataset.draftKey, JSON.stringify(draft));
    } catch (error) {
      // Storage full or disabled (private mode): the form still works, without a draft.
    }
  };

  const restore = (form) => {
    let draft;
    try {
      draft = JSON.parse(localStorage.getItem(form.dataset.draftKey) || "null");
    } catch (error) {
      draft = null;
    }
    if (!draft) return false;
    for (const element of fields(form)) {
      if (element.type === "checkbox" || element.type === "radio") {
        const key = `${element.name}=${element.value}`;
        if (key in draft) element.checked = draft[key];
      } else if (element.name in draft) {
        element.value = draft[element.name];
      }
    }
    return true;
  };

  const geolocate = (button) => {
    const status = document.querySelector("[data-geolocate-status]");
    const form = button.closest("form");
    if (!navigator.geolocation) {
      if (status) status.textContent = button.dataset.errorLabel;
      return;
    }
    if (status) status.textContent = button.dataset.busyLabel;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
        if (status) status.textContent = "";
        save(form);
      },
      () => {
        if (status) status.textContent = button.dataset.errorLabel;
      },
      { enableHighAccuracy: true, timeout: 15000 },
    );
  };

  // The volunteers who went: the ones ticked (me, by default) show; others appear as their
  // name is typed in the search, so a center of 50 volunteers is not a list of 50 boxes.
  const volunteerPicker = (picker) => {
    const search = picker.querySelector("[data-volunteer-search]");
    const input = search.querySelector("input");
    const labels = Array.from(picker.querySelectorAll(".checkbox-list label"));
    const update = () => {
      const wanted = input.value.trim().toLowerCase();
      for (const label of labels) {
        const box = label.querySelector("input");
        const shown = box.checked || (wanted && label.textContent.toLowerCase().includes(wanted));
        label.style.display = shown ? "" : "none";
      }
    };
    search.hidden = false;
    input.addEventListener("input", update);
    picker.addEventListener("change", update);
    update();
  };

  const start = () => {
    // After a successful save the next page names the draft to forget.
    for (const marker of document.querySelectorAll("[data-clear-draft]")) {
      try {
        localStorage.removeItem(marker.dataset.clearDraft);
      } catch (error) {
        // nothing kept, nothing to clear
      }
    }
    for (const form of document.querySelectorAll("form[data-draft-key]")) {
      // A page re-shown with errors already holds what was posted; a fresh page restores.
      const hasErrors = form.querySelector(".field-error, .error-summary");
      if (!hasErrors && restore(form)) {
        const note = form.querySelector("[data-draft-status]");
        if (note) note.hidden = false;
      }
      form.addEventListener("input", () => save(form));
      form.addEventListener("change", () => save(form));
    }
    for (const button of document.querySelectorAll("[data-geolocate]")) {
      button.addEventListener("click", () => geolocate(button));
    }
    for (const picker of document.querySelectorAll("[data-volunteer-picker]")) volunteerPicker(picker);
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
