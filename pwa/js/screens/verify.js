// Check a vaccination certificate (#/verify): paste the QR's text ("shc:/…") or take a
// photo of the QR; the server checks the signature against this system's issuer key and
// says, in plain words, whether the card is genuine and what it holds. Writes nothing.
import * as api from "../api.js";
import { h } from "../dom.js";
import { explain, t } from "../i18n.js";
import { shownDate } from "../records.js";
import { doseList } from "./certificate.js";

export const translatesInPlace = true;

// The reasons the server gives, each said in the person's words.
const REASONS = ["not_shc", "malformed", "unknown_key", "bad_signature", "unknown_issuer"];

function verdictView(verdict) {
  if (!verdict.valid) {
    const key = REASONS.includes(verdict.reason) ? `cert.reason.${verdict.reason}` : null;
    return h("div", { class: "cert-verdict invalid", role: "alert" },
      h("p", { class: "cert-verdict-title", i18n: "cert.invalid" }),
      h("p", key ? { i18n: key } : { text: verdict.message }));
  }
  return h("div", { class: "cert-verdict valid", role: "status" },
    h("p", { class: "cert-verdict-title", i18n: "cert.valid" }),
    h("dl", { class: "facts" },
      h("dt", { i18n: "cert.name" }), h("dd", { text: verdict.patient.name }),
      h("dt", { i18n: "cert.birth" }), h("dd", { text: shownDate(verdict.patient.birth_date) })),
    h("h3", { i18n: ["cert.doses", { count: verdict.doses.length }] }),
    doseList(verdict.doses),
    h("p", { class: "muted", i18n: ["cert.issued", { date: shownDate(verdict.issued_at), issuer: verdict.issuer }] }));
}

export function render(root) {
  const result = h("div", { id: "cert-result", "aria-live": "polite" });
  const text = h("textarea", { id: "cert-text", rows: 4, spellcheck: "false", autocomplete: "off" });
  const photo = h("input", { id: "cert-photo", type: "file", accept: "image/*", capture: "environment", class: "visually-hidden" });

  async function check(body) {
    result.replaceChildren(h("p", { class: "muted", i18n: "cert.checking" }));
    try {
      result.replaceChildren(verdictView(await api.request("POST", "/api/certificates/verify", body)));
    } catch (error) {
      const message = error.status === 0 ? t("cert.verify_offline") : explain(error);
      result.replaceChildren(h("p", { class: "notice", role: "alert", text: message }));
    }
  }

  const form = h("form", { class: "stack", novalidate: true },
    h("label", { for: "cert-text", i18n: "cert.paste" }),
    text,
    h("button", { type: "submit", id: "cert-check", i18n: "cert.check" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (text.value.trim()) check({ shc: text.value.trim() });
  });
  photo.addEventListener("change", () => {
    if (photo.files?.[0]) check(photo.files[0]);
    photo.value = "";
  });
  root.append(
    h("section", { class: "card" },
      h("h2", { i18n: "cert.verify_title" }),
      h("p", { class: "muted", i18n: "cert.verify_intro" }),
      form,
      h("label", { for: "cert-photo", class: "button-link secondary", i18n: "cert.photo" }),
      photo),
    h("section", { class: "card" }, result),
  );
}
