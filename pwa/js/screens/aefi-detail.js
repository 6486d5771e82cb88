// One AEFI report (#/aefi-detail/<id>): what happened, after which doses, who was
// alerted (outbox rows; delivery is the notifications' work), and for each lot of those
// doses "put this lot on hold" with a reason, or release it (POST /api/stock/lots/{id}/hold,
// through the outbox; province and national officers only, as the server says).
import * as api from "../api.js";
import { h } from "../dom.js";
import { explain, shownMoment, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { settle } from "../registry-view.js";
import { go } from "../router.js";
import * as store from "../store.js";
import { HOLDERS, doseLine, onset, seriousBadge, symptomWords } from "../aefi-view.js";

function holdForm(dose, refresh) {
  const held = dose.lot_on_hold;
  const id = `hold-reason-${dose.lot_id}`;
  const reason = h("textarea", { id, rows: 2, maxlength: 500, "aria-describedby": `${id}-error` });
  const error = h("p", { id: `${id}-error`, class: "error field-error", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: held ? "secondary" : "danger",
    text: t(held ? "aefi.hold.release" : "aefi.hold.put", { lot: dose.lot_number }) });

  async function send(event) {
    event.preventDefault();
    error.hidden = true;
    const why = reason.value.trim();
    if (!held && why.length < 3) {
      error.textContent = t("aefi.hold.reason_needed");
      error.hidden = false;
      return reason.focus();
    }
    button.disabled = true;
    const item = await outbox.submit({ path: `/api/stock/lots/${dose.lot_id}/hold`, body: { on_hold: !held, reason: why },
      label: { key: held ? "aefi.write.release" : "aefi.write.hold", values: { lot: dose.lot_number } } });
    const answered = await settle(item.seq);
    button.disabled = false;
    if (answered?.state === "confirmed") return refresh();
    error.textContent = answered?.state === "refused" ? explain(answered.error) : t("aefi.hold.queued");
    error.hidden = false;
  }

  return h("form", { class: "hold-form", "data-lot": dose.lot_id, novalidate: true, onsubmit: send },
    held ? null : h("label", { for: id, text: t("aefi.hold.reason", { lot: dose.lot_number }) }),
    held ? null : reason, error, button);
}

function alertLine(alert) {
  return h("li", { "data-template": alert.template },
    h("span", { class: "badge", text: t(alert.template.startsWith("lot") ? "aefi.alert.hold" : "aefi.alert.serious") }),
    h("span", { text: t("aefi.alert.line", { name: alert.recipient_name, role: t(`role.${alert.recipient_role}`),
      when: shownMoment(Date.parse(alert.created_at)), status: t(`aefi.alert.status.${alert.status}`) }) }));
}

export async function render(root, [reportId]) {
  const user = store.get().user;
  const section = h("section", { class: "card", id: "aefi-detail" }, h("h2", { text: t("aefi.detail.heading") }));
  root.append(section);
  let report;
  try {
    report = await api.request("GET", `/api/aefi/${encodeURIComponent(reportId)}`);
  } catch (error) {
    section.append(h("p", { class: "error", role: "alert", text: error.status === 0 ? t("aefi.offline") : explain(error) }),
      h("a", { href: "#/aefi", class: "back", text: t("aefi.back_list") }));
    return;
  }
  const lots = [...new Map(report.doses.filter((d) => d.lot_id !== null).map((d) => [d.lot_id, d])).values()];
  const facts = [
    ["aefi.detail.subject", `${report.subject_name} · ${report.subject_code}`],
    ["aefi.detail.onset", onset(report)],
    ["aefi.detail.symptoms", symptomWords(report)],
    ["aefi.detail.outcome", t(`aefi.outcome.${report.outcome}`)],
    ["aefi.detail.facility", report.facility_name ?? "—"],
    ["aefi.detail.reporter", [report.reporter_account_name, report.reporter_name, report.reporter_phone].filter(Boolean).join(" · ")],
    report.notes ? ["aefi.detail.notes", report.notes] : null,
  ].filter(Boolean);
  section.append(
    h("p", { class: "badges" }, seriousBadge(report)),
    h("dl", { class: "facts" }, facts.flatMap(([label, value]) => [h("dt", { text: t(label) }), h("dd", { text: value })])),
    h("h3", { text: t("aefi.detail.doses") }),
    h("ul", { class: "plain", id: "aefi-doses" }, report.doses.map((dose) => h("li", { "data-dose": dose.id },
      h("span", { text: doseLine(dose) }), " ",
      dose.lot_on_hold ? h("span", { class: "badge held", text: t("aefi.lot.held") }) : null))),
    HOLDERS.includes(user.role) && lots.length
      ? h("div", { id: "aefi-holds", class: "stack" }, lots.map((dose) => holdForm(dose, () => go(`aefi-detail/${report.id}`))))
      : null,
    h("h3", { text: t("aefi.detail.alerts") }),
    report.alerts.length
      ? h("ul", { class: "plain aefi-alerts", id: "aefi-alerts" }, report.alerts.map(alertLine))
      : h("p", { class: "muted", id: "aefi-alerts", text: t("aefi.detail.no_alerts") }),
    h("a", { href: "#/aefi", class: "back", text: t("aefi.back_list") }));
}
