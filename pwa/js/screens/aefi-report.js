// Report an adverse event after a dose (#/aefi-report/<subject>/<dose>), opened from the
// dose's line in the history: the doses it followed (that one ticked), when it began,
// the symptoms (coded), how serious, the outcome, who told it. Sent through the outbox
// (POST /api/aefi), so it is kept and sent later when there is no network; a serious
// one alerts the officers above the facility (the answer lists them).
import { h, say } from "../dom.js";
import { explain, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { backLink, clearErrors, day, field, settle, showErrors } from "../registry-view.js";
import { loadRecord, vaccineName } from "../dose-view.js";
import { OUTCOMES, SERIOUSNESS, SYMPTOMS } from "../aefi-view.js";

// The wall-clock time in Vietnam now, as a datetime-local input writes it.
const vietnamNow = () => new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 16);

function choice(type, name, value, labelKey, checked = false) {
  const id = `aefi-${name}-${value}`;
  const input = h("input", { type, id, name, value });
  input.checked = checked;
  return { input, node: h("div", { class: "choice" }, input, h("label", { for: id, i18n: labelKey })) };
}

export async function render(root, [subjectId, doseId]) {
  const record = await loadRecord(subjectId).catch(() => null);
  const given = record?.doses.filter((d) => d.status === "administered") ?? [];
  if (!given.some((d) => String(d.id) === doseId)) {
    root.append(h("section", { class: "card" }, h("h2", { i18n: "aefi.report.unavailable" }),
      h("p", { class: "muted", i18n: "aefi.report.missing" }), backLink(`subject/${subjectId}`, "aefi.back")));
    return;
  }
  const doses = [...given].reverse().map((dose) => {
    const label = [day(dose.administered_on), vaccineName(record, dose.vaccine_code), dose.lot_number].filter(Boolean).join(" · ");
    const box = h("input", { type: "checkbox", id: `aefi-dose-${dose.id}`, value: dose.id });
    box.checked = String(dose.id) === doseId;
    return { box, node: h("div", { class: "choice" }, box, h("label", { for: box.id, text: label })) };
  });
  const onsetAt = h("input", { type: "datetime-local", value: vietnamNow(), max: vietnamNow(), required: true });
  const symptoms = SYMPTOMS.map((code) => choice("checkbox", "symptom", code, `aefi.symptom.${code}`));
  const otherText = h("input", { type: "text", maxlength: 500 });
  const seriousness = h("select", {}, SERIOUSNESS.map((s) => h("option", { value: s, i18n: `aefi.seriousness.${s}` })));
  const outcome = h("select", {}, OUTCOMES.map((o) => h("option", { value: o, i18n: `aefi.outcome.${o}` })));
  outcome.value = "recovering";
  const reporterName = h("input", { type: "text", maxlength: 200, autocomplete: "off" });
  const reporterPhone = h("input", { type: "tel", maxlength: 20, autocomplete: "off" });
  const notes = h("textarea", { rows: 3, maxlength: 2000 });
  const outcomeLine = h("div", { id: "aefi-outcome", class: "outcome", role: "status", hidden: true });
  const send = h("button", { type: "submit", id: "aefi-send", i18n: "aefi.report.send" });

  const dosesSet = h("fieldset", { "data-field": "dose_ids", id: "f-dose_ids", "aria-describedby": "f-dose_ids-error" },
    h("legend", { i18n: "aefi.report.doses" }), doses.map((d) => d.node),
    h("p", { id: "f-dose_ids-error", class: "error field-error", role: "alert", hidden: true }));
  const symptomSet = h("fieldset", { "data-field": "symptoms", id: "f-symptoms", "aria-describedby": "f-symptoms-error" },
    h("legend", { i18n: "aefi.report.symptoms" }), symptoms.map((s) => s.node),
    field("other", "aefi.report.other", otherText),
    h("p", { id: "f-symptoms-error", class: "error field-error", role: "alert", hidden: true }));

  function tell(key, kind, values) {
    say(outcomeLine, key, values);
    outcomeLine.className = `outcome ${kind}`;
    outcomeLine.hidden = false;
  }

  function body() {
    return {
      dose_ids: doses.filter((d) => d.box.checked).map((d) => Number(d.box.value)),
      onset_at: onsetAt.value.length === 16 ? `${onsetAt.value}:00` : onsetAt.value,
      symptoms: symptoms.filter((s) => s.input.checked).map((s) => (s.input.value === "other"
        ? { code: "other", text: otherText.value.trim() } : { code: s.input.value })),
      seriousness: seriousness.value,
      outcome: outcome.value,
      reporter_name: reporterName.value.trim(),
      reporter_phone: reporterPhone.value.trim(),
      notes: notes.value.trim(),
    };
  }

  async function submit(event) {
    event.preventDefault();
    clearErrors(form);
    outcomeLine.hidden = true;
    const written = body();
    if (!written.dose_ids.length) return tell("aefi.report.dose_needed", "refused");
    if (!written.onset_at) return tell("aefi.report.onset_needed", "refused");
    if (!written.symptoms.length) return tell("aefi.report.symptom_needed", "refused");
    send.disabled = true;
    const item = await outbox.submit({ path: "/api/aefi", body: written,
      label: { key: "aefi.write", values: { name: record.subject.full_name } } });
    const answered = await settle(item.seq);
    send.disabled = false;
    if (answered?.state === "confirmed") {
      form.hidden = true;
      const alerts = answered.response?.alerts?.length ?? 0;
      return tell(alerts ? "aefi.report.sent_alerted" : "aefi.report.sent", "done", { count: alerts });
    }
    if (answered?.state === "refused") {
      const unplaced = showErrors(form, answered.error);
      return tell("aefi.report.refused", "refused", { message: unplaced.join(" ") || explain(answered.error) });
    }
    form.hidden = true;
    return tell("aefi.report.queued", "pending");
  }

  const form = h("form", { id: "aefi-form", novalidate: true, onsubmit: submit },
    dosesSet,
    field("onset_at", "aefi.report.onset", onsetAt, "aefi.report.onset_hint"),
    symptomSet,
    field("seriousness", "aefi.report.seriousness", seriousness, "aefi.report.seriousness_hint"),
    field("outcome", "aefi.report.outcome", outcome),
    field("reporter_name", "aefi.report.reporter_name", reporterName, "aefi.report.reporter_hint"),
    field("reporter_phone", "aefi.report.reporter_phone", reporterPhone),
    field("notes", "aefi.report.notes", notes),
    send);
  root.append(h("section", { class: "card" },
    h("h2", { i18n: ["aefi.report.heading", { name: record.subject.full_name }] }),
    form, outcomeLine,
    backLink(`subject/${subjectId}`, "aefi.back")));
}
