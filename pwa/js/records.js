// What the family, review and offline-reading screens share: waiting on a queued write,
// dates as people read them, a forecast in plain words.
import "./outbox-db.js";
import { h } from "./dom.js";
import { shownMoment, t } from "./i18n.js";

const POLL_MS = 200;

// The outbox item once the server has answered it (confirmed or refused), or as it is
// after `waitMs` (still pending: no network). Screens show each case.
export async function settled(seq, waitMs = 8000) {
  const until = Date.now() + waitMs;
  for (;;) {
    const item = await self.NiisOutbox.get(seq);
    if (!item || item.state === "confirmed" || item.state === "refused" || Date.now() > until) return item;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// 2025-03-14 → 14/03/2025 (how dates are written in Vietnam, and on the card).
export function shownDate(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.slice(0, 10).split("-");
  return `${day}/${month}/${year}`;
}

// Moments are worded by i18n.js (the status bar needs them before any screen).
export { shownMoment };

export function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

const SEX = { F: "offline.sex.F", M: "offline.sex.M", U: "offline.sex.U" };
export const sexWord = (sex) => t(SEX[sex] ?? SEX.U);

// One vaccine group's forecast (POST /api/forecast) as a sentence: overdue since, due
// since, or due on a date to come; nothing more to give.
export function forecastLine(group, day = today()) {
  const dose = group.dose_number ?? "";
  const values = { group: group.vaccine_group, dose };
  if (group.status !== "Not Complete" || !group.recommended) {
    return { kind: "done", text: t("offline.forecast.done", values) };
  }
  if (group.past_due && group.past_due <= day) {
    return { kind: "overdue", text: t("offline.forecast.overdue", { ...values, date: shownDate(group.past_due) }) };
  }
  if (group.recommended <= day) {
    return { kind: "due", text: t("offline.forecast.due", { ...values, date: shownDate(group.recommended) }) };
  }
  return { kind: "upcoming", text: t("offline.forecast.upcoming", { ...values, date: shownDate(group.recommended) }) };
}

// Overdue first, then due, then upcoming by date; groups with nothing left last.
const ORDER = { overdue: 0, due: 1, upcoming: 2, done: 3 };
export function forecastList(groups) {
  const lines = groups.map((group) => ({ group, ...forecastLine(group) }))
    .sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || (a.group.recommended ?? "").localeCompare(b.group.recommended ?? ""));
  return h("ul", { class: "forecast" }, lines.map((line) => h("li", { class: `dose ${line.kind}`, text: line.text })));
}

// "Updated 14/03/2025 09:30" (or "Not downloaded yet"), for every list read offline.
export function updatedLine(record) {
  return record ? t("offline.updated", { when: shownMoment(record.saved_at) }) : t("offline.never");
}
