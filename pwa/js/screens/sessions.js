// Sessions (#/sessions): a vaccinator's sessions of today at their facility (kept on the
// device for offline use), an officer's of the next two weeks in their area; each opens
// its roster (#/session/<id>). Officers plan a session or a campaign from here.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as reading from "../reading.js";
import { vietnamToday } from "../records.js";
import { backLink } from "../registry-view.js";
import { sessionLine } from "../session-view.js";
import * as store from "../store.js";

const KEPT = "sessions-today";
const OFFICERS = ["national_admin", "province_officer", "commune_officer"];
const plusDays = (iso, days) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);

export async function render(root) {
  const user = store.get().user;
  const officer = OFFICERS.includes(user.role);
  const today = vietnamToday();
  const to = officer ? plusDays(today, 14) : today;
  const status = h("p", { id: "sessions-status", class: "muted", role: "status", text: t("sessions.loading") });
  const list = h("ul", { id: "sessions-list", class: "sessions" });
  root.append(h("section", { class: "card" },
    h("h2", { text: t(officer ? "sessions.heading.officer" : "sessions.heading.today") }),
    h("div", { class: "row" },
      h("a", { class: "button", href: "#/session-plan", id: "sessions-plan", text: t("sessions.plan.task") }),
      officer ? h("a", { class: "button secondary", href: "#/campaigns", id: "sessions-campaigns", text: t("sessions.campaigns.task") }) : null),
    status, list, backLink("", "sessions.home")));
  let sessions;
  let offline = false;
  try {
    sessions = await api.request("GET", `/api/sessions?from=${today}&to=${to}`);
    await reading.save(KEPT, { sessions, day: today });
  } catch (error) {
    const keptList = error.status === 0 ? await reading.load(KEPT) : null;
    if (!keptList || keptList.day !== today) {
      status.textContent = error.status === 0 ? t("sessions.offline_none") : error.message;
      status.className = "error";
      return;
    }
    sessions = keptList.sessions;
    offline = true;
  }
  status.textContent = sessions.length ? (offline ? t("sessions.offline") : "") : t("sessions.none");
  list.replaceChildren(...sessions.map((s) => h("li", { "data-session": s.id },
    h("a", { class: "task", href: `#/session/${s.id}`, text: sessionLine(s) }))));
}
