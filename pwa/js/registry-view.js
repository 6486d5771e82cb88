// What the registry's screens (search, subject, register, correct) share: form fields
// that show the API's field errors where the person typed, plain words for dates,
// statuses and the forecast, and waiting for the outbox's answer to one write.
import "./outbox-db.js";
import * as api from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";

const db = self.NiisOutbox;

// The registry screens' styles, added once: a file of their own, so the shell's
// stylesheet stays the foundation's (and the CSP allows styles from this origin).
if (!document.querySelector('link[href="/registry.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/registry.css" }));
}

// "2026-03-05" → "05/03/2026", as dates are written in Vietnam.
export function day(iso) {
  if (!iso) return "";
  const [year, month, date] = iso.slice(0, 10).split("-");
  return `${date}/${month}/${year}`;
}

const SEX = { F: "registry.sex.female", M: "registry.sex.male", U: "registry.sex.unknown" };
const STATUS = {
  active: "registry.status.active", moved: "registry.status.moved", deceased: "registry.status.deceased",
  lost: "registry.status.lost", merged: "registry.status.merged",
};
const RELATIONSHIP = {
  mother: "registry.relationship.mother", father: "registry.relationship.father",
  grandparent: "registry.relationship.grandparent", sibling: "registry.relationship.sibling",
  carer: "registry.relationship.carer", self: "registry.relationship.self",
};
export const RELATIONSHIPS = Object.keys(RELATIONSHIP);
export const sexWord = (sex) => t(SEX[sex] ?? SEX.U);
export const statusWord = (status) => t(STATUS[status] ?? STATUS.active);
export const relationshipWord = (relationship) => t(RELATIONSHIP[relationship] ?? RELATIONSHIP.carer);

// One labelled input with the place for its error; `name` is the API's field name
// ("birth_date", "guardians[0].phone"), so a 422's details.field finds it.
export function field(name, labelKey, control, hintKey) {
  const id = `f-${name.replace(/[^\w]+/g, "-")}`;
  control.id = id;
  control.dataset.field = name;
  const error = h("p", { id: `${id}-error`, class: "error field-error", role: "alert", hidden: true });
  const hint = hintKey ? h("p", { id: `${id}-hint`, class: "muted hint", i18n: hintKey }) : null;
  control.setAttribute("aria-describedby", [hint?.id, error.id].filter(Boolean).join(" "));
  return h("div", { class: "field" }, h("label", { for: id, i18n: labelKey }), control, hint, error);
}

export function clearErrors(form) {
  for (const error of form.querySelectorAll(".field-error")) { error.hidden = true; error.textContent = ""; }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

// Puts each of the server's field messages under its input; returns those no input
// of this form holds (shown with the form's message instead). The first wrong input
// gets the focus, so the person lands where to correct.
export function showErrors(form, error) {
  const unplaced = [];
  let first = null;
  for (const [name, message] of Object.entries(api.fieldErrors(error))) {
    const control = form.querySelector(`[data-field="${CSS.escape(name.replace(/^\$\./, ""))}"]`);
    if (!control) { unplaced.push(message); continue; }
    const shown = document.getElementById(`${control.id}-error`);
    shown.textContent = message;
    shown.hidden = false;
    control.setAttribute("aria-invalid", "true");
    first ??= control;
  }
  first?.focus();
  return unplaced;
}

// The outbox item `seq` once the server has answered it (confirmed or refused), or as
// it stands when it cannot be sent now (pending: no network).
export async function settle(seq) {
  await outbox.sync({ force: true });
  let item = await db.get(seq);
  // A pass already running when the write was queued may have ended before reaching it.
  if (item?.state === "pending" && !item.attempts) {
    await outbox.sync({ force: true });
    item = await db.get(seq);
  }
  return item;
}

// Calls onChange(item) whenever the outbox moves item `seq` to another state (sent
// later, when the network is back); returns the unsubscribe.
export function watch(seq, store, onChange) {
  let last = null;
  return store.subscribe(async () => {
    const item = await db.get(seq);
    const state = item?.state ?? "gone";
    if (state !== last) { last = state; onChange(item); }
  });
}

export const item = (seq) => db.get(seq);

// A place's or a facility's name for display; the id when it cannot be read (offline).
const names = new Map();
export async function nameOf(kind, id) {
  if (id === null || id === undefined) return "";
  const key = `${kind}/${id}`;
  if (!names.has(key)) {
    names.set(key, api.request("GET", `/api/${kind}/${id}`).then((found) => found.name, () => { names.delete(key); return `#${id}`; }));
  }
  return names.get(key);
}

// The facilities `user` may register into, kept on the device (they are not personal
// data) so a registration can be written offline: app.js downloads them as the session
// starts. Offline, the list kept for this account; none kept throws as offline (status 0).
const FACILITIES = "niis.registry.facilities";
export async function facilities(user) {
  try {
    const found = await api.request("GET", "/api/facilities");
    const usable = found.filter((facility) => facility.active).map(({ id, name, place_id }) => ({ id, name, place_id }));
    localStorage.setItem(FACILITIES, JSON.stringify({ account: user.id, facilities: usable }));
    return usable;
  } catch (error) {
    const kept = error.status === 0 ? JSON.parse(localStorage.getItem(FACILITIES) ?? "null") : null;
    if (kept?.account !== user.id) throw error; // another account's list is not this one's
    return kept.facilities;
  }
}

// One vaccine group's forecast in plain words: [string key, values, kind] where kind
// (overdue, due, upcoming, done, none) orders the list and colours the line.
export function forecastWords(group, today) {
  const values = { group: group.vaccine_group, dose: group.dose_number ?? "", due: day(group.recommended),
    overdue: day(group.past_due), earliest: day(group.earliest) };
  switch (group.status) {
    case "Complete": return ["registry.forecast.complete", values, "done"];
    case "Immune": return ["registry.forecast.immune", values, "done"];
    case "Aged Out": return ["registry.forecast.aged_out", values, "none"];
    case "Contraindicated": return ["registry.forecast.contraindicated", values, "none"];
    case "Not Recommended": return ["registry.forecast.not_recommended", values, "none"];
    default: break;
  }
  if (!group.recommended) return ["registry.forecast.nothing_next", values, "none"];
  if (group.past_due && today >= group.past_due) return ["registry.forecast.overdue", values, "overdue"];
  if (today >= group.recommended) return ["registry.forecast.due", values, "due"];
  return ["registry.forecast.upcoming", values, "upcoming"];
}

export function backLink(route, key) {
  return h("a", { href: `#/${route}`, class: "back", i18n: key });
}

// Fills a facility <select> with facilities(), the person's own chosen; returns
// facility id → its place id (a write names both). Throws as facilities() does.
export async function fillFacilities(select, user) {
  const found = await facilities(user);
  select.append(...found.map((f) => h("option", { value: f.id, text: f.name })));
  if (user.scope_facility_id) select.value = String(user.scope_facility_id);
  return new Map(found.map((f) => [String(f.id), f.place_id]));
}

// The observations the registry already holds about a person, for the forecast: each
// pregnancy (40 weeks, 280 days, before the expected delivery; until it ended, else
// until the expected delivery). Screening's observations come with issue 14.
const PREGNANCY_DAYS = 280;
export function observationsOf(subject) {
  return (subject.pregnancies ?? []).map((pregnancy) => {
    const due = new Date(`${pregnancy.expected_delivery}T00:00:00Z`);
    const start = new Date(due.getTime() - PREGNANCY_DAYS * 86400000).toISOString().slice(0, 10);
    return { code: "VN-PREGNANT", start, end: pregnancy.ended_on ?? pregnancy.expected_delivery };
  });
}

// What the advice (contraindications, precautions: POST /api/forecast's group.advice)
// says against giving today, as [string key, values, kind]; null when it lets the
// forecast stand. The reasons are the server's text in the language asked for: they are
// the rules' own data (contraindications.toml), not copied into the app.
export function adviceWords(group) {
  const advice = group.advice;
  if (!advice) return null; // a server from before the advice
  const values = { group: group.vaccine_group, until: day(advice.until),
    reasons: advice.reasons.map((reason) => reason.text).join(" ") };
  switch (advice.action) {
    case "do not give": return ["registry.advice.do_not_give", values, "withheld"];
    case "postpone": return [advice.until ? "registry.advice.postpone_until" : "registry.advice.postpone", values, "postponed"];
    case "refer": return ["registry.advice.refer", values, "referred"];
    default: break;
  }
  // Some vaccines of the group withheld, others may be given (polio in pregnancy: IPV).
  return advice.reasons.length ? ["registry.advice.some_withheld", values, null] : null;
}

// A group's line: what the advice says when it holds the dose back, else the forecast
// (with a note when only some vaccines may be given). [key, values, kind, note].
export function groupWords(group, today) {
  const advised = adviceWords(group);
  if (advised && advised[2]) return advised;
  const [key, values, kind] = forecastWords(group, today);
  return [key, values, kind, advised];
}

// Today's decisions first (refer, postpone), then the forecast's order, "do not give" late.
export const ADVISED_ORDER = ["referred", "postponed", "overdue", "due", "upcoming", "withheld", "done", "none"];
