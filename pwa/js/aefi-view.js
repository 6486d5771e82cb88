// What the AEFI screens share (docs/records.md, "AEFI and lot hold"): the coded symptoms
// (the server's list, api/records/aefi/symptoms.toml; a test compares the two), the
// seriousness and outcome words, and one report's summary line.
import { h } from "./dom.js";
import { shownMoment, t } from "./i18n.js";

if (!document.querySelector('link[href="/aefi.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/aefi.css" }));
}

export const SYMPTOMS = ["fever", "local_reaction", "abscess", "anaphylaxis", "seizure", "hhe",
  "persistent_crying", "thrombocytopenia", "encephalopathy", "other"];
export const SERIOUSNESS = ["none", "death", "life_threatening", "hospitalised", "disability", "congenital_anomaly", "cluster"];
export const OUTCOMES = ["recovering", "recovered", "sequelae", "died", "unknown"];
// Who may put a lot on hold (catalogue:write, api/auth/roles.py).
export const HOLDERS = ["national_admin", "province_officer"];

export const onset = (report) => shownMoment(Date.parse(report.onset_at));

export function symptomWords(report) {
  return report.symptoms.map((s) => (s.code === "other" && s.text ? s.text : t(`aefi.symptom.${s.code}`))).join(", ");
}

export function seriousBadge(report) {
  return report.serious
    ? h("span", { class: "badge serious", text: t("aefi.serious", { what: t(`aefi.seriousness.${report.seriousness}`) }) })
    : h("span", { class: "badge", text: t("aefi.seriousness.none") });
}

export function doseLine(dose) {
  return [dose.administered_on.split("-").reverse().join("/"), dose.product_code ?? dose.vaccine_code,
    dose.lot_number ? t("aefi.lot", { lot: dose.lot_number }) : null].filter(Boolean).join(" · ");
}
