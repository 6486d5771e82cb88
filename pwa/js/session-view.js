// What the session screens share: a session's line, its kept roster (IndexedDB
// `reading`, "session-roster-<id>", cleared at sign-out: it holds names and phones), the
// marks and doses of a session still in the outbox, and its report.
import * as api from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as reading from "./reading.js";
import { day } from "./registry-view.js";
import * as store from "./store.js";

if (!document.querySelector('link[href="/sessions.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/sessions.css" }));
}

// The schedule's vaccine groups a session or a campaign is planned for: the server's
// list (the one it checks a plan against, so the two cannot drift), kept for a plan
// made offline; offline with none kept, the error (status 0) is the caller's.
const GROUPS_KEPT = "session-groups";
export async function vaccineGroups() {
  try {
    const groups = await api.request("GET", "/api/sessions/groups");
    await reading.save(GROUPS_KEPT, { groups });
    return groups;
  } catch (error) {
    const found = error.status === 0 ? await reading.load(GROUPS_KEPT) : null;
    if (!found) throw error;
    return found.groups;
  }
}

export const rosterId = (sessionId) => `session-roster-${sessionId}`;
export const attendancePath = (sessionId) => `/api/sessions/${sessionId}/attendance`;

export function sessionLine(session) {
  return t("sessions.line", { day: day(session.held_on), place: session.place_name || session.facility_name,
    kind: t(`sessions.kind.${session.kind}`), groups: session.vaccine_groups.join(", "),
    status: t(`sessions.status.${session.status}`) });
}

// Downloads the roster and keeps it for offline use; {data, savedAt}.
export async function download(sessionId) {
  const data = await api.request("GET", `/api/sessions/${sessionId}/roster`);
  await reading.save(rosterId(sessionId), data);
  return { data, savedAt: Date.now() };
}

export async function kept(sessionId) {
  const found = await reading.load(rosterId(sessionId));
  return found ? { data: found, savedAt: found.saved_at } : null;
}

// This person's writes for the session not yet confirmed: subject id → {status, state}.
export async function waiting(sessionId) {
  const user = store.get().user;
  const found = new Map();
  for (const item of await outbox.list()) {
    if (item.account !== user?.id || item.state === "confirmed") continue;
    const body = item.body ? JSON.parse(item.body) : {};
    if (item.path === attendancePath(sessionId)) found.set(body.subject_id, { status: body.status, state: item.state, error: item.error });
    else if (item.path === "/api/doses" && body.session === Number(sessionId)) {
      found.set(body.subject_id, { status: "vaccinated", state: item.state, error: item.error });
    }
  }
  return found;
}

export function reportCard(report) {
  const line = (key, value) => h("li", { "data-figure": key, text: t(`sessions.report.${key}`, { n: value }) });
  return h("section", { class: "card", id: "session-report" },
    h("h3", { text: t("sessions.report.heading") }),
    h("ul", { class: "figures" },
      ["roster", "vaccinated", "absent", "postponed", "not_seen", "doses"].map((key) => line(key, report[key]))),
    h("h4", { text: t("sessions.report.per_group") }),
    report.doses_per_group.length
      ? h("ul", {}, report.doses_per_group.map((g) => h("li", { "data-group": g.vaccine_group,
        text: t("sessions.report.group_line", { group: g.vaccine_group, n: g.doses }) })))
      : h("p", { class: "muted", text: t("sessions.report.no_doses") }),
    h("p", { id: "session-wastage", text: t("sessions.report.vials", { vials: report.vials_opened,
      opened: report.doses_opened, given: report.doses_given_from_vials, wasted: report.doses_wasted,
      rate: Math.round(report.wastage_rate * 100) }) }));
}
