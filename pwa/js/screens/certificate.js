// A vaccination certificate (#/certificate/<id>): the child's SMART Health Card QR, big
// enough to scan from a phone, the doses it holds, and a print button (certificate.css
// prints it alone on an A6 page). The last card fetched is kept on the device, so it
// opens offline (and signed cards stay valid: there is nothing to refresh but new doses).
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as reading from "../reading.js";
import { shownDate, updatedLine } from "../records.js";
import * as store from "../store.js";

if (!document.querySelector('link[href="/certificate.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/certificate.css" }));
}

const saved = (id) => `certificate-${id}`;

// The card from the server (kept for offline), or the kept one when there is no answer.
async function fetched(id) {
  try {
    const card = await api.request("GET", `/api/subjects/${encodeURIComponent(id)}/certificate`);
    await reading.save(saved(id), card);
    return { card: await reading.load(saved(id)) };
  } catch (error) {
    if (!(error instanceof api.ApiError) || error.status !== 0) return { error };
    return { card: await reading.load(saved(id)), offline: true };
  }
}

export function doseList(doses) {
  if (!doses.length) return h("p", { class: "muted", i18n: "cert.no_doses" });
  return h("ol", { class: "cert-doses" }, doses.map((dose) =>
    h("li", {},
      h("span", { class: "cert-date", text: shownDate(dose.date) }),
      h("span", { class: "cert-vaccine", text: dose.vaccine }),
      dose.lot_number ? h("span", { class: "cert-lot", text: t("cert.lot", { lot: dose.lot_number }) }) : null)));
}

export async function render(root, [id]) {
  const staff = store.get().user?.role !== "parent";
  const back = h("a", { href: staff ? `#/subject/${id}` : `#/child/${id}`, class: "back", i18n: "cert.back" });
  const { card, error, offline } = await fetched(id);
  if (!card) {
    const message = error?.status === 404 ? t("cert.missing") : offline ? t("cert.offline_never") : t("cert.failed");
    root.append(h("section", { class: "card" }, h("h2", { i18n: "cert.title" }), h("p", { role: "alert", text: message }), back));
    return;
  }
  const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(card.qr_svg)}`;
  root.append(
    h("section", { class: "card cert-page" },
      h("h2", { i18n: "cert.title" }),
      h("p", { class: "cert-sub", i18n: "cert.subtitle" }),
      h("img", { class: "cert-qr", src: qr, alt: t("cert.qr_alt", { name: card.patient.name }) }),
      h("dl", { class: "facts" },
        h("dt", { i18n: "cert.name" }), h("dd", { class: "cert-name", text: card.patient.name }),
        h("dt", { i18n: "cert.birth" }), h("dd", { text: shownDate(card.patient.birth_date) })),
      h("h3", { i18n: ["cert.doses", { count: card.doses.length }] }),
      doseList(card.doses),
      card.shortened ? h("p", { class: "muted", i18n: "cert.shortened" }) : null,
      h("p", { class: "muted cert-issued", i18n: ["cert.issued", { date: shownDate(card.issued_at), issuer: card.issuer }] })),
    h("section", { class: "card cert-actions" },
      offline ? h("p", { class: "notice", i18n: "cert.offline_copy" }) : null,
      h("p", { class: "muted", text: updatedLine(card) }),
      h("button", { type: "button", id: "cert-print", i18n: "cert.print", onclick: () => window.print() }),
      h("a", { class: "button-link secondary", href: "#/verify", i18n: "cert.verify_link" }),
      back),
  );
}
