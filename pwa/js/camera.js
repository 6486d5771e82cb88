// The camera: a photo of a card → POST /api/scan → what it means to the screen that
// asked: find a subject by their card, prefill the registration form from a citizen ID
// card (CCCD), link a parent's child by card and birth date. Every photo is first kept
// in IndexedDB (store `photos`, made by outbox-db.js) as a Blob with what it was taken
// for, then read; a photo taken without network waits there, counted as pending in the
// status bar, and is read in order when the network returns; what it gave is then a
// notice under the status bar. docs/pwa.md, "Camera (built)".
import "./outbox-db.js";
import * as api from "./api.js";
import { h, say } from "./dom.js";
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { settled, shownMoment } from "./records.js";
import { go } from "./router.js";
import * as store from "./store.js";

const photos = self.NiisOutbox.photos;
const LOCK = "niis-photos";
const TIMER_MS = 30000;
const HINTS = ["too_dark", "overexposed", "low_contrast", "blurred", "low_resolution"];

if (!document.querySelector('link[href="/camera.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/camera.css" }));
}

const problem = (reason, extra = {}) => ({ kind: "problem", reason, ...extra });

// What a scan means for `purpose`: a subject ("find"), the form's fields ("prefill"),
// the card's text to link with ("link"), or the problem to tell the person.
function meaning(scan, purpose) {
  const codes = scan.codes ?? [];
  if (!codes.length) return problem("no_code", { hint: HINTS.includes(scan.hint) ? scan.hint : null });
  if (purpose === "prefill") {
    const card = codes.find((code) => code.resolved?.kind === "guardian_prefill");
    return card ? { kind: "prefill", prefill: card.resolved } : problem("not_id_card");
  }
  const card = codes.find((code) => code.payload?.kind === "subject_card");
  if (!card) return problem(codes.some((code) => code.text.startsWith("NIIS")) ? "bad_card" : "not_subject_card");
  const resolved = card.resolved ?? {};
  if (!resolved.valid) return problem("bad_card");
  if (purpose === "link") return { kind: "card", text: card.text, code: resolved.code_display };
  if (!resolved.subject) return problem(resolved.reason === "outside_area" ? "outside_area" : "not_found");
  const { id, full_name: name, code_display: code } = resolved.subject;
  return { kind: "subject", subject: { id, name, code } };
}

// Reads one photo; null when it cannot be read now (no network, server busy or down,
// session to renew): it waits for the next pass.
async function read(photo) {
  let scan;
  try {
    scan = await api.request("POST", "/api/scan", photo.blob);
  } catch (error) {
    if (error.status === 0 || error.status >= 500 || error.status === 429 || error.status === 401) return null;
    return problem("unreadable");
  }
  const found = meaning(scan, photo.purpose);
  if (found.kind !== "card") return found;
  // A parent's card link is a write: through the outbox, like every write.
  const item = await outbox.submit({ path: "/api/me/links/card", body: { card: found.text, birth_date: photo.extra.birth_date },
    label: { key: "camera.write.link", values: { code: found.code } } });
  return { kind: "link", seq: item.seq, code: found.code };
}

const mine = async () => {
  const user = store.get().user;
  return user ? (await photos.all()).filter((photo) => photo.account === user.id) : [];
};

// One pass over the signed-in account's waiting photos, oldest first, until none is left
// or one cannot be read now (later photos never overtake it). A read photo keeps what it
// gave, not the picture.
async function pass() {
  if (!(await mine()).some((photo) => photo.state === "waiting")) return;
  if (!api.csrf()) await api.currentUser().catch(() => null); // opened offline: no CSRF token yet
  if (!api.csrf()) return;
  for (;;) {
    const next = (await mine()).filter((photo) => photo.state === "waiting").sort((a, b) => a.id - b.id)[0];
    if (!next) break;
    const outcome = await read(next);
    if (!outcome) break;
    await photos.put({ ...next, blob: null, state: "read", outcome, read_at: Date.now() });
  }
}

let running = null;
const inHand = new Set(); // photos a screen is waiting on: it shows them, not a notice

export function readWaiting() {
  running ??= (navigator.locks ? navigator.locks.request(LOCK, pass) : pass())
    .catch(() => {})
    .finally(async () => {
      running = null;
      await outbox.refresh();
      await showNotices();
    });
  return running;
}

// A photo given by the person: kept, then read with any older waiting ones. Answers what
// it gave ({kind: "kept"} when it waits for the network); the screen shows it, so a photo
// read now is not kept.
export async function take(file, purpose, extra = {}) {
  const user = store.get().user;
  const id = await photos.add({ account: user.id, purpose, extra, blob: file, created_at: Date.now(), state: "waiting" });
  inHand.add(id);
  try {
    await outbox.refresh();
    await running; // a pass already under way may have looked before this photo was kept
    await readWaiting();
    const photo = await photos.get(id);
    if (photo?.state !== "read") return { kind: "kept" };
    await photos.remove(id);
    await outbox.refresh();
    return photo.outcome;
  } finally {
    inHand.delete(id);
  }
}

// Start-up: read what waits now, when the network returns, on focus, on a timer.
export function startPhotos() {
  readWaiting();
  window.addEventListener("online", () => readWaiting());
  window.addEventListener("focus", () => readWaiting());
  document.addEventListener("visibilitychange", () => { if (!document.hidden) readWaiting(); });
  setInterval(() => { if (store.get().outbox?.photos) readWaiting(); }, TIMER_MS);
  let account = store.get().user?.id ?? null;
  let counts = null;
  store.subscribe((state) => {
    if ((state.user?.id ?? null) !== account) {
      account = state.user?.id ?? null;
      readWaiting();
      return;
    }
    // A link made from a photo is sent (or refused) later: its notice follows the outbox.
    const now = JSON.stringify(state.outbox);
    if (now !== counts) { counts = now; showNotices(); }
  });
}

// --- what the person sees ---------------------------------------------------------------

// A photo button: the label is the button (the input itself is hidden but focusable);
// `capture` opens the back camera on phones, a file picker elsewhere.
export function photoButton(id, labelKey, onPhoto) {
  const input = h("input", { id, type: "file", accept: "image/*", capture: "environment", class: "visually-hidden" });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = ""; // the same photo may be given again
    if (file) onPhoto(file);
  });
  return h("div", { class: "camera-pick" }, input, h("label", { for: id, class: "camera-button", i18n: labelKey }));
}

// The sentence for a problem, in the person's language.
function problemText(outcome) {
  const text = t(`camera.problem.${outcome.reason}`);
  return outcome.hint ? `${text} ${t(`camera.hint.${outcome.hint}`)}` : text;
}

function tell(node, key, kind, values) {
  say(node, key, values);
  node.className = `camera-status ${kind}`;
  node.hidden = false;
}

// Find a subject by photographing their card: the record opens, or the person is told
// why not, with another photo or search by typing.
export function finder() {
  const status = h("p", { id: "find-status", class: "camera-status", role: "status", hidden: true });
  const typing = h("a", { href: "#/search", class: "button-link secondary", i18n: "camera.find.type", hidden: true });
  const pick = photoButton("card-photo", "camera.find.take", async (file) => {
    typing.hidden = true;
    tell(status, "camera.reading", "pending");
    const outcome = await take(file, "find");
    if (outcome.kind === "subject") return go(`subject/${outcome.subject.id}`);
    if (outcome.kind === "kept") return tell(status, "camera.kept", "pending");
    status.textContent = problemText(outcome);
    status.className = "camera-status refused";
    typing.hidden = false;
  });
  return h("div", { class: "camera-box", id: "find-by-card" }, h("p", { class: "muted", i18n: "camera.find.intro" }), pick, status,
    h("div", { class: "row" }, typing));
}

// The registration form (register.js) gets "photograph the mother's ID card": for a woman
// registering herself it fills her fields, for a child the guardian's.
let currentForm = null;
let prefillToApply = null;

function fill(form, prefill) {
  const set = (field, value) => {
    const control = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (control && value) control.value = value;
  };
  const woman = form.querySelector('input[name="kind"]:checked')?.value === "woman";
  if (woman) {
    set("full_name", prefill.subject.full_name);
    set("birth_date", prefill.subject.birth_date);
    set("personal_id", prefill.subject.personal_id);
    set("address_detail", prefill.subject.address_detail);
  } else {
    set("guardians[0].full_name", prefill.guardian.full_name);
    set("guardians[0].personal_id", prefill.guardian.personal_id);
    set("guardians[0].relationship", prefill.sex === "M" ? "father" : "mother");
    if (!form.querySelector('[data-field="address_detail"]')?.value) set("address_detail", prefill.address);
  }
  const status = form.querySelector("#id-card-status");
  const male = woman && prefill.sex === "M";
  tell(status, male ? "camera.idcard.male" : prefill.consistent ? "camera.idcard.filled" : "camera.idcard.check",
    male || !prefill.consistent ? "refused" : "confirmed", { name: prefill.full_name ?? "" });
}

export function attachIdCard(form, before) {
  const status = h("p", { id: "id-card-status", class: "camera-status", role: "status", hidden: true });
  const pick = photoButton("id-card-photo", "camera.idcard.take", async (file) => {
    tell(status, "camera.reading", "pending");
    const outcome = await take(file, "prefill");
    if (outcome.kind === "prefill") fill(form, outcome.prefill);
    else if (outcome.kind === "kept") tell(status, "camera.idcard.kept", "pending");
    else { status.textContent = problemText(outcome); status.className = "camera-status refused"; }
  });
  before.before(h("div", { class: "camera-box" }, pick, status));
  currentForm = form;
  if (prefillToApply) { fill(form, prefillToApply); prefillToApply = null; }
}

// A parent links a child with the card's photo and the child's birth date. The link is
// a write through the outbox; a refusal is shown under its field and the corrected birth
// date resent with the same key.
export function cardLink(onLinked) {
  let photo = null;
  let sent = null; // {seq, card} of a refused link, resent corrected
  const error = (id) => h("p", { id, class: "error", hidden: true });
  const photoError = error("link-card-photo-error");
  const chosen = h("p", { id: "link-card-chosen", class: "muted", i18n: "camera.link.none" });
  const birth = h("input", { id: "link-card-birth", name: "birth_date", type: "date", required: true,
    "aria-describedby": "link-card-birth-error" });
  const birthError = error("link-card-birth-error");
  const status = h("p", { id: "link-card-status", class: "camera-status", role: "status", hidden: true });
  const pick = photoButton("link-card-photo", "camera.link.take", (file) => {
    photo = file;
    sent = null;
    say(chosen, "camera.link.chosen");
    photoError.hidden = true;
  });
  const show = (node, text) => { node.textContent = text; node.hidden = false; };

  async function answer(item) {
    if (!item || item.state === "confirmed") {
      tell(status, "camera.link.done", "confirmed", { name: item?.response?.full_name ?? "" });
      sent = null;
      photo = null;
      say(chosen, "camera.link.none");
      await onLinked();
      return;
    }
    if (item.state === "refused") {
      const field = item.error?.details?.field;
      const reason = item.error?.details?.reason;
      if (field === "birth_date") show(birthError, t("camera.link.no_match"));
      else show(photoError, reason === "malformed" ? t("camera.problem.not_subject_card") : t("camera.problem.bad_card"));
      status.hidden = true;
      return;
    }
    tell(status, "parent.link.queued", "pending");
  }

  const form = h("form", { class: "card", id: "link-card", novalidate: true },
    h("h3", { i18n: "camera.link.heading" }),
    h("p", { class: "muted", i18n: "camera.link.intro" }),
    pick, chosen, photoError,
    h("div", { class: "field" }, h("label", { for: birth.id, i18n: "camera.link.birth_date" }), birth, birthError),
    h("button", { type: "submit", i18n: "camera.link.submit" }), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    photoError.hidden = true;
    birthError.hidden = true;
    if (!photo && !sent) return show(photoError, t("camera.link.need_photo"));
    if (!birth.value) return show(birthError, t("camera.link.need_birth_date"));
    if (sent) {
      await outbox.retry(sent.seq, { card: sent.card, birth_date: birth.value });
      return answer(await settled(sent.seq));
    }
    tell(status, "camera.reading", "pending");
    const outcome = await take(photo, "link", { birth_date: birth.value });
    if (outcome.kind === "kept") return tell(status, "camera.link.kept", "pending");
    if (outcome.kind === "problem") { status.hidden = true; return show(photoError, problemText(outcome)); }
    const item = await settled(outcome.seq);
    if (item?.state === "refused") sent = { seq: outcome.seq, card: JSON.parse(item.body).card };
    return answer(item);
  });
  return form;
}

// Photos read after the person moved on (taken offline): one notice each under the status
// bar, on every screen, with what to do next.
async function notice(photo) {
  const when = shownMoment(photo.created_at);
  const done = async (then) => { await photos.remove(photo.id); await showNotices(); then?.(); };
  const action = (key, then) => h("button", { type: "button", i18n: key, onclick: () => done(then) });
  const parts = [];
  const { outcome } = photo;
  if (outcome.kind === "subject") {
    parts.push(h("p", { i18n: ["camera.notice.subject", { when, name: outcome.subject.name, code: outcome.subject.code }] }),
      action("camera.notice.open", () => go(`subject/${outcome.subject.id}`)));
  } else if (outcome.kind === "prefill") {
    parts.push(h("p", { i18n: ["camera.notice.prefill", { when, name: outcome.prefill.full_name ?? "" }] }),
      action("camera.notice.fill", () => {
        if (currentForm?.isConnected) fill(currentForm, outcome.prefill);
        else { prefillToApply = outcome.prefill; go("register"); }
      }));
  } else if (outcome.kind === "link") {
    const item = await self.NiisOutbox.get(outcome.seq);
    const key = item?.state === "refused" ? "camera.notice.link_refused"
      : item && item.state !== "confirmed" ? "camera.notice.link_pending" : "camera.notice.linked";
    parts.push(h("p", { i18n: [key, { when, code: outcome.code, name: item?.response?.full_name ?? "" }] }),
      action(item?.state === "refused" ? "camera.notice.outbox" : "camera.notice.children",
        () => go(item?.state === "refused" ? "outbox" : "children")));
  } else {
    parts.push(h("p", { text: `${t("camera.notice.problem", { when })} ${problemText(outcome)}` }),
      action("camera.notice.again", () => go({ find: "scan", prefill: "register", link: "link" }[photo.purpose] ?? "")));
  }
  parts.push(h("button", { type: "button", class: "secondary", i18n: "camera.notice.dismiss", onclick: () => done() }));
  return h("li", { class: "camera-notice", "data-photo": photo.id }, ...parts);
}

async function showNotices() {
  let host = document.getElementById("camera-notices");
  if (!host) {
    host = h("ul", { id: "camera-notices", class: "camera-notices", "aria-live": "polite", "aria-label": t("camera.notice.label") });
    document.getElementById("sync-status")?.after(host);
  }
  const read = (await mine()).filter((photo) => photo.state === "read" && !inHand.has(photo.id)).sort((a, b) => a.id - b.id);
  host.replaceChildren(...(await Promise.all(read.map(notice))));
  host.hidden = !read.length;
}

// The outbox screen's list of photos not read yet.
export async function waitingList() {
  const waiting = (await mine()).filter((photo) => photo.state === "waiting").sort((a, b) => a.id - b.id);
  return waiting.map((photo) => h("li", { class: "card item pending" },
    h("h3", { i18n: `camera.purpose.${photo.purpose}` }),
    h("p", { class: "state pending", i18n: "camera.waiting" }),
    h("p", { class: "muted", text: t("camera.taken", { when: shownMoment(photo.created_at) }) })));
}
