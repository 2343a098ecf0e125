// The field app (/field/): a volunteer's assigned cases and forms that work with no signal.
//
// What the phone keeps lives in IndexedDB (through the `idb` library): the pack (assigned cases,
// goods in stock, people for the duplicate warning) and the outbox (visits with photos, reports,
// hand-overs with the signature, photos and signatures as Blobs). Each outbox item has an id made
// here (a UUID): the server applies it once, however many times it is sent.
// Loaded as a file (strict CSP: no inline scripts). Every text shown comes from the page (Thai
// first, translated by Django), every value from the pack is set as text, never as HTML.
(() => {
  "use strict";

  const root = document.getElementById("field-app");
  if (!root || !window.idb) return;
  const APP_URL = location.pathname;
  const DAY = 24 * 60 * 60 * 1000;
  const text = (name) => root.dataset[`text${name}`] || "";
  const STATE_TEXT = {
    waiting: text("Waiting"),
    sent: text("Sent"),
    needs_attention: text("NeedsAttention"),
    discarded: text("Discarded"),
  };

  const database = idb.openDB("asa-field", 1, {
    upgrade(db) {
      db.createObjectStore("meta");
      db.createObjectStore("outbox", { keyPath: "id" });
    },
  });

  let csrfToken = "";
  let flushing = false;
  let again = false;

  // --- Storage ---------------------------------------------------------------------------------

  const getMeta = async (key) => (await database).get("meta", key);
  const setMeta = async (key, value) => (await database).put("meta", value, key);
  const outboxItems = async () =>
    (await (await database).getAll("outbox")).sort((a, b) => a.created_at.localeCompare(b.created_at));
  const saveItem = async (item) => (await database).put("outbox", item);

  async function wipe({ keepOutbox }) {
    const db = await database;
    await db.clear("meta");
    if (!keepOutbox) await db.clear("outbox");
  }

  // Nothing stays on a phone left unused: past the days allowed without a sign-in, all goes.
  async function expireOldData() {
    const lastContact = await getMeta("last_contact");
    const days = (await getMeta("device_days")) || Number(root.dataset.deviceDays) || 7;
    if (lastContact && Date.now() - lastContact > days * DAY) await wipe({ keepOutbox: false });
  }

  // --- Talking to the server -------------------------------------------------------------------

  function setStatus(message) {
    root.querySelector("[data-field-status]").textContent = message;
  }

  async function refreshPack() {
    let response;
    try {
      response = await fetch(root.dataset.packUrl, { credentials: "same-origin" });
    } catch (error) {
      setStatus(text("Offline"));
      return false;
    }
    if (response.status === 401 || response.status === 403 || response.redirected) {
      // Signed out (or deactivated): personal data of cases goes; the unsent outbox stays
      // until the expiry so a volunteer whose session ended can sign in and send it.
      await wipe({ keepOutbox: true });
      setStatus(text("SignedOut"));
      return false;
    }
    if (!response.ok) return false;
    const pack = await response.json();
    const previousUser = await getMeta("user");
    if (previousUser && previousUser !== pack.user) await wipe({ keepOutbox: false });
    csrfToken = pack.csrf_token;
    delete pack.csrf_token;
    await setMeta("pack", pack);
    await setMeta("user", pack.user);
    await setMeta("device_days", pack.device_days);
    await setMeta("last_contact", Date.now());
    // A chair's decision on a kept item reaches the phone with the pack.
    for (const item of await outboxItems()) {
      const decided = pack.submissions[item.id];
      if (decided && item.state === "needs_attention" && decided.state !== "needs_attention") {
        await saveItem(forget({ ...item, state: decided.state, reason: decided.reason }));
      }
    }
    setStatus(text("Online"));
    return true;
  }

  // Once sent (or decided), the phone keeps only the label and the state: no notes, no photos.
  function forget(item) {
    if (item.state === "sent" || item.state === "discarded") {
      return { ...item, payload: {}, photos: [], signature: null };
    }
    return item;
  }

  async function send(item) {
    const body = new FormData();
    body.append("client_id", item.id);
    body.append("kind", item.kind);
    body.append("payload", JSON.stringify(item.payload));
    (item.photos || []).forEach((photo, index) => body.append("photos", photo, photo.name || `photo-${index + 1}.jpg`));
    if (item.signature) body.append("signature", item.signature, "signature.png");
    const response = await fetch(root.dataset.syncUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken },
    });
    if (response.status === 401 || response.status === 403 || response.redirected) return "stop";
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      await saveItem(forget({ ...item, state: answer.state, reason: answer.reason || "", url: answer.url || "" }));
    } else if (response.status === 422) {
      await saveItem({ ...item, state: "needs_attention", reason: answer.detail || "" });
    }
    return "ok";
  }

  async function flush() {
    if (flushing) {
      again = true; // asked while sending (the "send now" button): one more round after this
      return;
    }
    flushing = true;
    again = false;
    try {
      if (!(await refreshPack())) return;
      for (const item of await outboxItems()) {
        if (item.state !== "waiting") continue;
        try {
          if ((await send(item)) === "stop") {
            setStatus(text("SignedOut"));
            break;
          }
        } catch (error) {
          setStatus(text("Offline"));
          break; // the signal went again: the rest waits for the next try
        }
      }
    } finally {
      flushing = false;
      await render();
    }
    if (again) await flush();
  }

  // --- Drawing the pages -----------------------------------------------------------------------

  const element = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  };
  const thaiDate = (iso) =>
    iso ? new Date(iso.length === 10 ? `${iso}T00:00:00` : iso).toLocaleDateString("th-TH", { dateStyle: "medium" }) : "";

  function caseCard(item) {
    const main = element(
      "div",
      { class: "task-main" },
      element("strong", {}, item.person),
      " ",
      element("span", { class: "muted" }, item.number),
      " ",
      element("span", { class: "badge" }, item.urgency),
    );
    main.append(element("p", {}, item.address));
    if (item.phone) main.append(element("p", {}, element("a", { href: `tel:${item.phone}` }, item.phone)));
    if (item.members.length) main.append(element("p", { class: "muted" }, `${text("Members")}: ${item.members.join(", ")}`));
    main.append(
      element(
        "p",
        { class: "muted" },
        item.last_visit_at ? `${text("LastVisit")} ${thaiDate(item.last_visit_at)}` : text("NeverVisited"),
        item.next_follow_up_on ? ` · ${text("Due")} ${thaiDate(item.next_follow_up_on)}` : "",
      ),
    );
    if (item.plan.length) {
      const plan = element("ul", { class: "plain-list" });
      for (const step of item.plan) plan.append(element("li", {}, `${step.need}: ${step.action} (${thaiDate(step.due_on)})`));
      main.append(element("p", { class: "muted" }, text("Plan")), plan);
    }
    return element(
      "li",
      { class: "task", "data-case": item.id },
      main,
      element("a", { class: "button primary", href: `#visit/${item.id}` }, text("Visit")),
      element("a", { class: "button", href: `#handover/${item.id}` }, text("Handover")),
    );
  }

  async function renderToday(pack) {
    const due = root.querySelector("[data-due-list]");
    const all = root.querySelector("[data-case-list]");
    due.replaceChildren();
    all.replaceChildren();
    if (!pack) {
      due.append(element("li", { class: "muted" }, text("NoPack")));
      return;
    }
    for (const item of pack.cases) (item.due_today ? due : all).append(caseCard(item));
  }

  async function renderOutbox() {
    const list = root.querySelector("[data-outbox-list]");
    const items = await outboxItems();
    list.replaceChildren();
    for (const item of items.slice().reverse()) {
      const row = element(
        "li",
        { class: `task outbox-${item.state}`, "data-outbox-item": item.id, "data-state": item.state },
        element(
          "div",
          { class: "task-main" },
          element("strong", {}, item.label),
          " ",
          element("span", { class: "badge", "data-state-label": "" }, STATE_TEXT[item.state] || item.state),
        ),
      );
      if (item.reason) row.querySelector(".task-main").append(element("p", { class: "reason" }, item.reason));
      list.append(row);
    }
    const waiting = items.filter((item) => item.state === "waiting").length;
    root.querySelector("[data-outbox-count]").textContent = String(waiting);
  }

  async function render() {
    const pack = await getMeta("pack");
    const who = root.querySelector("[data-field-who]");
    who.textContent = pack && pack.volunteer ? `${pack.volunteer.name} · ${pack.volunteer.center_name}` : "";
    await renderToday(pack);
    await renderOutbox();
    fillChoices(pack);
  }

  function fillChoices(pack) {
    const items = root.querySelector("#fh-item");
    const areas = root.querySelector("#fr-subdistrict");
    if (!pack) return;
    const item = items.value;
    items.replaceChildren(
      ...pack.items.map((item) =>
        element("option", { value: item.id }, `${item.name} (${text("Stock")} ${item.quantity} ${item.unit})`),
      ),
    );
    if (item) items.value = item;
    const chosen = areas.value;
    areas.replaceChildren(...pack.subdistricts.map((area) => element("option", { value: area.code }, area.name)));
    if (chosen) areas.value = chosen;
  }

  // --- Views (the part after # in the address) -------------------------------------------------

  async function show() {
    const [view, id] = (location.hash.replace(/^#/, "") || "today").split("/");
    const pack = await getMeta("pack");
    const known = pack && id ? pack.cases.find((item) => String(item.id) === id) : null;
    let name = ["today", "visit", "report", "handover", "outbox"].includes(view) ? view : "today";
    if ((name === "visit" || name === "handover") && !known) name = "today";
    for (const section of root.querySelectorAll("[data-view]")) section.hidden = section.dataset.view !== name;
    if (name === "visit") {
      const form = root.querySelector("[data-form=visit]");
      form.reset();
      form.elements.case.value = known.id;
      form.elements.visited_at.value = localNow();
      root.querySelector("[data-visit-case]").textContent = `${known.person} (${known.number})`;
    }
    if (name === "handover") {
      const form = root.querySelector("[data-form=handover]");
      form.reset();
      form.elements.case.value = known.id;
      clearSignature();
      root.querySelector("[data-handover-case]").textContent = `${known.person} (${known.number})`;
    }
    if (name === "report") root.querySelector("[data-form=report]").reset();
    clearErrors();
  }

  function localNow() {
    const now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  function clearErrors() {
    for (const error of root.querySelectorAll("[data-error-for]")) error.hidden = true;
  }

  function fieldError(form, name, message) {
    const error = form.querySelector(`[data-error-for=${name}]`);
    error.textContent = message;
    error.hidden = false;
  }

  async function queue(kind, payload, label, blobs = {}) {
    const item = {
      id: crypto.randomUUID(),
      kind,
      payload,
      label,
      photos: blobs.photos || [],
      signature: blobs.signature || null,
      state: "waiting",
      reason: "",
      created_at: new Date().toISOString(),
    };
    await saveItem(item);
    location.hash = "#outbox";
    setStatus(text("Saved"));
    if (navigator.onLine) flush();
    else await render();
  }

  async function caseLabel(kind, caseId) {
    const pack = await getMeta("pack");
    const known = pack && pack.cases.find((item) => String(item.id) === String(caseId));
    return `${text(kind)} · ${known ? known.person : ""} · ${new Date().toLocaleString("th-TH")}`;
  }

  async function submitVisit(form) {
    clearErrors();
    if (!form.elements.observations.value.trim()) return fieldError(form, "observations", text("Required"));
    const photos = Array.from(form.elements.photos.files);
    const payload = {
      case: Number(form.elements.case.value),
      visited_at: new Date(form.elements.visited_at.value || Date.now()).toISOString(),
      met_whom: form.elements.met_whom.value,
      observations: form.elements.observations.value,
      needs: form.elements.needs.value,
      next_visit_on: form.elements.next_visit_on.value || null,
    };
    const label = `${await caseLabel("KindVisit", payload.case)}${photos.length ? ` · ${text("Photos")} ${photos.length}` : ""}`;
    await queue("visit", payload, label, { photos });
  }

  async function submitReport(form) {
    clearErrors();
    if (!form.elements.first_name.value.trim()) return fieldError(form, "first_name", text("Required"));
    if (!form.elements.story.value.trim()) return fieldError(form, "story", text("Required"));
    const payload = {};
    for (const name of ["first_name", "last_name", "birth_year", "phone", "house_number", "moo", "subdistrict", "urgency", "story"]) {
      payload[name] = form.elements[name].value.trim();
    }
    payload.reported_at = new Date().toISOString();
    const label = `${text("KindReport")} · ${payload.first_name} ${payload.last_name} · ${new Date().toLocaleString("th-TH")}`;
    await queue("report", payload, label);
  }

  async function submitHandover(form) {
    clearErrors();
    const quantity = Number(form.elements.quantity.value);
    if (!form.elements.goods.value || !(quantity > 0)) return fieldError(form, "lines", text("NoItems"));
    if (!signed) return fieldError(form, "signature", text("Sign"));
    const signature = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const payload = {
      case: Number(form.elements.case.value),
      lines: [[Number(form.elements.goods.value), quantity]],
      signed_by_name: form.elements.signed_by_name.value,
      note: form.elements.note.value,
      distributed_on: localNow().slice(0, 10),
    };
    await queue("handover", payload, await caseLabel("KindHandover", payload.case), { signature });
  }

  // --- The offline duplicate warning -----------------------------------------------------------
  // A simple port of the server's Thai sound-alike key: titles and vowels dropped, consonants
  // that sound alike folded to one letter. The server's full check runs when the report is sent.
  const TITLES = ["เด็กชาย", "เด็กหญิง", "นางสาว", "นาง", "นาย", "ด.ช.", "ด.ญ.", "น.ส."];
  const SOUNDS = [
    ["กขฃคฅฆ", "k"], ["ง", "g"], ["จฉชฌ", "c"], ["ซศษส", "s"], ["ญย", "y"],
    ["ฎฏดตฐฑฒถทธ", "t"], ["ณน", "n"], ["บปผพภ", "p"], ["ฝฟ", "f"], ["ม", "m"],
    ["รลฬ", "r"], ["ว", "w"], ["หฮ", "h"],
  ];
  const SOUND_OF = new Map(SOUNDS.flatMap(([letters, code]) => Array.from(letters, (letter) => [letter, code])));

  // A closing consonant sounds as one of eight finals: สุร and สุน, ประยูร and ประยูน sound alike.
  const FINALS = [["กขคฆ", "k"], ["จชซศษสดตถทธฎฏฐฑฒ", "t"], ["บปพฟภ", "p"], ["นณญรลฬ", "n"]];
  const FINAL_OF = new Map(FINALS.flatMap(([letters, code]) => Array.from(letters, (letter) => [letter, code])));

  function soundKey(name) {
    let word = (name || "").normalize("NFC").trim();
    for (const title of TITLES) if (word.startsWith(title)) word = word.slice(title.length).trim();
    word = word.replace(/[ก-ฮ][ิุ]?์/g, ""); // silent letters (under the thanthakhat)
    const letters = Array.from(word).filter((letter) => SOUND_OF.has(letter));
    let key = "";
    letters.forEach((letter, index) => {
      const last = index === letters.length - 1 && index > 0;
      const code = (last && FINAL_OF.get(letter)) || SOUND_OF.get(letter);
      if (!key.endsWith(code)) key += code;
    });
    return key.slice(0, 6);
  }

  async function warnDuplicates(form) {
    const box = root.querySelector("[data-duplicates]");
    const pack = await getMeta("pack");
    const first = soundKey(form.elements.first_name.value);
    const last = soundKey(form.elements.last_name.value);
    const year = Number(form.elements.birth_year.value) || null;
    if (!pack || !first) {
      box.hidden = true;
      return;
    }
    const alike = pack.people.filter((person) => {
      const [given, ...family] = person.name.split(" ");
      const sameName = soundKey(given) === first && (!last || soundKey(family.join(" ")) === last);
      return sameName && (!year || !person.birth_year || person.birth_year === year);
    });
    box.replaceChildren(text("Duplicates"), ...alike.map((person) => element("p", {}, `${person.name}${person.birth_year ? ` (${person.birth_year})` : ""}`)));
    box.hidden = alike.length === 0;
  }

  // --- The signature pad -----------------------------------------------------------------------

  const canvas = root.querySelector("[data-field-signature]");
  const pen = canvas.getContext("2d");
  let drawing = false;
  let signed = false;
  pen.lineWidth = 3;
  pen.lineCap = "round";
  pen.strokeStyle = "#111";
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * canvas.width) / box.width, ((event.clientY - box.top) * canvas.height) / box.height];
  };
  function clearSignature() {
    pen.clearRect(0, 0, canvas.width, canvas.height);
    signed = false;
  }
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    drawing = true;
    pen.beginPath();
    pen.moveTo(...at(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...at(event));
    pen.stroke();
    signed = true;
  });
  for (const name of ["pointerup", "pointerleave", "pointercancel"]) canvas.addEventListener(name, () => (drawing = false));
  root.querySelector("[data-field-signature-clear]").addEventListener("click", clearSignature);

  // --- Start -----------------------------------------------------------------------------------

  const handlers = { visit: submitVisit, report: submitReport, handover: submitHandover };
  for (const form of root.querySelectorAll("[data-form]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      handlers[form.dataset.form](form);
    });
  }
  const reportForm = root.querySelector("[data-form=report]");
  reportForm.addEventListener("input", () => warnDuplicates(reportForm));
  root.querySelector("[data-send-now]").addEventListener("click", () => flush());
  window.addEventListener("hashchange", show);
  window.addEventListener("online", () => flush());
  window.addEventListener("offline", () => setStatus(text("Offline")));
  setInterval(() => navigator.onLine && flush(), 60 * 1000);

  // Keep this page for offline use: the service worker answers with it when there is no signal.
  async function keepPage() {
    if (!("caches" in window)) return;
    try {
      const response = await fetch(APP_URL, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await (await caches.open("asa-field-app")).put(APP_URL, response);
    } catch (error) {
      // offline: the copy already kept stays
    }
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // No service worker (private mode, an old browser): the app still works while online.
    });
  }

  (async () => {
    await expireOldData();
    await render();
    await show();
    if (navigator.onLine) {
      await flush();
      await show(); // the first pack may have just arrived
      keepPage();
    } else {
      setStatus(text("Offline"));
    }
    root.dataset.ready = "true";
  })();
})();
