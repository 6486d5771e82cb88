// What the family, review and offline-reading screens share: waiting on a queued write,
// dates as people read them (a record's doses and forecast: dose-view.js).
import "./outbox-db.js";
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

// Vietnam's date (UTC+7, no daylight saving), as the server counts "today".
export const vietnamToday = () => new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 10);

export function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

const SEX = { F: "offline.sex.F", M: "offline.sex.M", U: "offline.sex.U" };
export const sexWord = (sex) => t(SEX[sex] ?? SEX.U);

// "Updated 14/03/2025 09:30" (or "Not downloaded yet"), for every list read offline.
export function updatedLine(record) {
  return record ? t("offline.updated", { when: shownMoment(record.saved_at) }) : t("offline.never");
}
