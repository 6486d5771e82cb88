// AEFI for officers (#/aefi): the reports of their area, serious first, and per lot how
// many reports followed its doses (a lot with several is a reason to look, and perhaps
// to put it on hold from a report). Read online (GET /api/aefi, /api/aefi/lots).
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { onset, seriousBadge, symptomWords } from "../aefi-view.js";

function lotLine(lot) {
  return h("li", { "data-lot": lot.lot_id },
    h("span", { text: t("aefi.lots.line", { lot: lot.lot_number, product: lot.product_code, reports: lot.reports, serious: lot.serious }) }),
    lot.on_hold ? h("span", { class: "badge held", text: t("aefi.lot.held") }) : null);
}

function reportCard(report) {
  return h("li", { class: `card aefi-report${report.serious ? " serious" : ""}`, "data-report": report.id },
    h("p", { class: "badges" }, seriousBadge(report)),
    h("a", { class: "aefi-open", href: `#/aefi-detail/${report.id}`, text: `${report.subject_name} · ${report.subject_code}` }),
    h("p", { text: t("aefi.list.onset", { when: onset(report), facility: report.facility_name ?? "—" }) }),
    h("p", { class: "muted", text: symptomWords(report) }));
}

export async function render(root) {
  const note = h("p", { id: "aefi-status", class: "muted", role: "status", text: t("aefi.loading") });
  const lots = h("ul", { id: "aefi-lots", class: "plain aefi-lots" });
  const reports = h("ul", { id: "aefi-reports", class: "items aefi-reports" });
  root.append(
    h("section", { class: "card" },
      h("h2", { text: t("aefi.heading") }),
      h("p", { class: "muted", text: t("aefi.intro") }), note,
      h("a", { href: "#/", class: "back", text: t("nav.home") })),
    h("section", { class: "card" }, h("h3", { text: t("aefi.lots.heading") }), lots),
    reports);
  try {
    const [found, counted] = await Promise.all([api.request("GET", "/api/aefi"), api.request("GET", "/api/aefi/lots")]);
    lots.replaceChildren(...(counted.length ? counted.map(lotLine) : [h("li", { class: "muted", text: t("aefi.none") })]));
    reports.replaceChildren(...found.map(reportCard));
    const serious = found.filter((r) => r.serious).length;
    note.textContent = found.length ? t("aefi.count", { count: found.length, serious }) : t("aefi.none");
  } catch (error) {
    note.textContent = error.status === 0 ? t("aefi.offline") : error.message;
    note.className = "error";
  }
}
