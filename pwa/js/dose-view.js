// A subject's vaccination record as the server keeps it (GET /api/subjects/{id}/doses
// and /forecast), shared by the staff record (subject.js), the parent's child (child.js)
// and the dose screens: read online and kept on the device for reading offline; the
// history (given, voided greyed with the reason, historical marked, waiting in the
// outbox); the forecast per vaccine group with its state in words and a sign, never by
// colour alone. docs/pwa.md, "Vaccination records".
import "./outbox-db.js";
import * as api from "./api.js";
import { h } from "./dom.js";
import { explain, language, shownMoment, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as reading from "./reading.js";
import { ADVISED_ORDER, day, groupWords } from "./registry-view.js";
import * as store from "./store.js";

if (!document.querySelector('link[href="/dose.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/dose.css" }));
}

export const DOSES_PATH = "/api/doses";
const recordId = (id) => `dose-record:${id}`;

// A facility's name for the history; null when this person cannot read it (a parent).
async function facilityName(id) {
  try {
    return (await api.request("GET", `/api/facilities/${id}`)).name;
  } catch {
    return null;
  }
}

// Everything a record shows about doses, from the server; throws ApiError(0) offline.
export async function fetchRecord(id, subject = null) {
  const path = `/api/subjects/${encodeURIComponent(id)}`;
  const found = subject ?? await api.request("GET", path);
  const query = new URLSearchParams({ birth_date: found.birth_date, language: language() });
  const [doses, forecast, checklist] = await Promise.all([
    api.request("GET", `${path}/doses`), api.request("GET", `${path}/forecast`),
    api.request("GET", `/api/screening/forms?${query}`),
  ]);
  const ids = [...new Set(doses.map((dose) => dose.facility_id).filter((f) => f !== null))];
  const facilities = Object.fromEntries(await Promise.all(ids.map(async (f) => [f, await facilityName(f)])));
  return { subject: found, doses, forecast, checklist, facilities };
}

// The record from the server, kept for offline reading; offline, the copy kept (with its
// `saved_at`), or null when none was kept. Other errors are thrown.
export async function loadRecord(id, subject = null) {
  try {
    const record = await fetchRecord(id, subject);
    await reading.save(recordId(id), record);
    return { ...record, saved_at: null };
  } catch (error) {
    if (error.status !== 0) throw error;
    return (await reading.load(recordId(id))) ?? null;
  }
}

// The signed-in person's dose writes still in the outbox (not confirmed) for subject `id`:
// records (by subject_id) and voids (by the dose's id in the path).
export async function queued(id) {
  const user = store.get().user;
  const mine = (await outbox.list()).filter((item) => item.account === user?.id && item.state !== "confirmed");
  const records = mine.filter((item) => item.path === DOSES_PATH && JSON.parse(item.body).subject_id === Number(id));
  const voids = new Map();
  for (const item of mine) {
    const match = item.path.match(/^\/api\/doses\/(\d+)\/void$/);
    if (match) voids.set(Number(match[1]), item);
  }
  return { records, voids };
}

export function vaccineName(record, code) {
  return record.checklist?.vaccines.find((v) => v.code === code)?.description ?? code;
}

// What the engine said about each dose ("date|code" → the reasons it is not valid).
function notValid(forecast) {
  const found = new Map();
  for (const dose of forecast?.doses ?? []) {
    const reasons = dose.evaluations.filter((e) => e.status === "Not Valid").flatMap((e) => e.reasons.map((r) => r.text));
    if (reasons.length) found.set(`${dose.date}|${dose.vaccine_code}`, reasons);
  }
  return found;
}

function badge(kind, key, values) {
  return h("span", { class: `badge ${kind}`, i18n: [key, values] });
}

function doseItem(record, dose, { voidItem, invalid, staff }) {
  const where = dose.source === "historical"
    ? dose.given_elsewhere
    : record.facilities?.[dose.facility_id] ?? "";
  const details = [
    dose.lot_number ? t("dose.history.lot", { lot: dose.lot_number }) : null,
    dose.product_code, where || null,
  ].filter(Boolean).join(" · ");
  const voided = dose.status === "voided";
  return h("li", { class: `dose-item ${voided ? "voided" : "given"}${dose.source === "historical" ? " historical" : ""}`,
    "data-dose": dose.id },
    h("p", { class: "what" },
      h("span", { class: "when", text: day(dose.administered_on) }), " ",
      h("span", { class: "vaccine", text: vaccineName(record, dose.vaccine_code) })),
    details ? h("p", { class: "muted", text: details }) : null,
    h("p", { class: "badges" },
      voided ? badge("voided", "history.voided", { reason: dose.void_reason }) : badge("given", "history.given"),
      dose.source === "historical" ? badge("historical", "history.historical") : null,
      !voided && invalid ? badge("invalid", "history.invalid", { reasons: invalid.join(" ") }) : null,
      voidItem ? badge(voidItem.state === "refused" ? "refused" : "pending",
        voidItem.state === "refused" ? "history.void_refused" : "history.void_pending",
        { reason: JSON.parse(voidItem.body).reason, why: voidItem.error ? explain(voidItem.error) : "" }) : null),
    staff && !voided && !voidItem
      ? h("a", { class: "button-link secondary small", href: `#/dose-void/${dose.subject_id}/${dose.id}`,
        i18n: "history.void" }) : null,
    // An adverse event after this dose (AEFI): the report form, offline too.
    staff && !voided
      ? h("a", { class: "button-link secondary small aefi-link", href: `#/aefi-report/${dose.subject_id}/${dose.id}`,
        i18n: "aefi.history.report" }) : null);
}

// A dose written on this device and not yet confirmed: what its label says, and why it waits.
export const reopenRoute = (item) => {
  const sent = JSON.parse(item.body);
  const who = sent.subject_id ?? `key-${sent.subject_key}`;
  return `${sent.source === "historical" ? "dose-history" : "dose"}/${who}/${item.seq}`;
};

function queuedItem(item) {
  const refused = item.state === "refused";
  return h("li", { class: `dose-item queued ${refused ? "refused" : "pending"}`, "data-seq": item.seq },
    h("p", { class: "what", text: t(item.label.key, item.label.values) }),
    h("p", { class: "badges" }, refused
      ? badge("refused", "history.refused", { why: explain(item.error) })
      : badge("pending", "history.pending")),
    refused ? h("a", { class: "button-link secondary small", href: `#/${reopenRoute(item)}`,
      i18n: "history.resolve" }) : null);
}

// The history, oldest first, then what waits in the outbox.
export function historyList(record, waiting = { records: [], voids: new Map() }, { staff = false } = {}) {
  const invalid = notValid(record.forecast);
  const items = [
    ...record.doses.map((dose) => doseItem(record, dose, {
      voidItem: waiting.voids.get(dose.id), staff,
      invalid: invalid.get(`${dose.administered_on}|${dose.vaccine_code}`),
    })),
    ...waiting.records.map(queuedItem),
  ];
  if (!items.length) return h("p", { id: "history", class: "muted", i18n: "history.none" });
  return h("ul", { id: "history", class: "plain history" }, items);
}

// A sign beside the colour; the sentence itself starts with the state in words
// ("Quá hạn: …", "Đến hạn: …", "Sắp tới: …", "Không tiêm: …"), so neither is needed alone.
const SIGN = { overdue: "⚠", due: "●", upcoming: "○", done: "✓", none: "–", referred: "↗", postponed: "⏸", withheld: "✕" };

export function forecastList(forecast) {
  const today = forecast.assessment_date;
  const lines = forecast.vaccine_groups
    .map((group) => groupWords(group, today))
    .sort((a, b) => ADVISED_ORDER.indexOf(a[2]) - ADVISED_ORDER.indexOf(b[2]) || ((a[1].due || "~") < (b[1].due || "~") ? -1 : 1));
  return h("div", {},
    h("p", { class: "muted", i18n: ["registry.forecast.as_of", { date: day(today) }] }),
    h("ul", { class: "plain forecast", id: "forecast" }, lines.map(([key, values, kind, note]) => h("li", { class: kind, "data-state": kind },
      h("span", { class: "sign", "aria-hidden": "true", text: SIGN[kind] ?? "–" }), " ",
      h("span", { class: "group", text: values.group }), " ", h("span", { i18n: [key, values] }),
      note ? h("span", { class: "advice-note" }, " ", h("span", { i18n: [note[0], note[1]] })) : null))));
}

// "Read from the device, updated …" when the record shown is the copy kept offline.
export function keptNote(record) {
  if (!record?.saved_at) return null;
  return h("p", { class: "notice", role: "status", i18n: ["history.kept", { when: shownMoment(record.saved_at) }] });
}
