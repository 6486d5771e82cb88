// Void a dose from the history (#/dose-void/<subject>/<dose>): the reason, asked again
// before it goes, then the outbox (POST /api/doses/{id}/void). The dose stays in the
// history, greyed with the reason; its doses go back to the lot (docs/records.md).
import { h, say } from "../dom.js";
import { explain } from "../i18n.js";
import * as outbox from "../outbox.js";
import { backLink, day, field, settle } from "../registry-view.js";
import { go } from "../router.js";
import { loadRecord, vaccineName } from "../dose-view.js";

export const translatesInPlace = true;

const MIN_REASON = 3;

export async function render(root, [subjectId, doseId]) {
  const record = await loadRecord(subjectId).catch(() => null);
  const dose = record?.doses.find((d) => String(d.id) === doseId);
  if (!dose) {
    root.append(h("section", { class: "card" }, h("h2", { i18n: "dose.unavailable" }),
      h("p", { class: "muted", i18n: "history.void.missing" }), backLink(`subject/${subjectId}`, "dose.back")));
    return;
  }
  const reason = h("textarea", { rows: 3, maxlength: 500, required: true });
  const outcome = h("div", { id: "void-outcome", class: "outcome", role: "status", hidden: true });
  const ask = h("button", { type: "submit", id: "void-ask", class: "danger", i18n: "history.void.ask" });
  const confirm = h("div", { id: "void-confirm", class: "row", hidden: true },
    h("p", { i18n: "history.void.sure" }),
    h("button", { type: "button", id: "void-yes", class: "danger", i18n: "history.void.yes", onclick: send }),
    h("button", { type: "button", class: "secondary", i18n: "history.void.no",
      onclick: () => { confirm.hidden = true; ask.hidden = false; } }));

  function tell(key, kind, values) {
    say(outcome, key, values);
    outcome.className = `outcome ${kind}`;
    outcome.hidden = false;
  }

  function onAsk(event) {
    event.preventDefault();
    if (reason.value.trim().length < MIN_REASON) {
      tell("history.void.reason_needed", "refused");
      reason.focus();
      return;
    }
    outcome.hidden = true;
    ask.hidden = true;
    confirm.hidden = false;
  }

  async function send() {
    confirm.hidden = true;
    const vaccine = vaccineName(record, dose.vaccine_code);
    const item = await outbox.submit({ path: `/api/doses/${dose.id}/void`, body: { reason: reason.value.trim() },
      label: { key: "history.write.void", values: { name: record.subject.full_name, vaccine, date: day(dose.administered_on) } } });
    const answered = await settle(item.seq);
    if (answered?.state === "confirmed") return go(`subject/${subjectId}`);
    if (answered?.state === "refused") {
      ask.hidden = false;
      return tell("history.void.refused", "refused", { message: explain(answered.error) });
    }
    return tell("history.void.queued", "pending");
  }

  root.append(h("section", { class: "card" },
    h("h2", { i18n: ["history.void.heading", { name: record.subject.full_name }] }),
    h("p", { class: "dose-summary", text: [day(dose.administered_on), vaccineName(record, dose.vaccine_code),
      dose.lot_number].filter(Boolean).join(" · ") }),
    h("form", { id: "void-form", novalidate: true, onsubmit: onAsk },
      field("reason", "history.void.reason", reason, "history.void.hint"),
      outcome, ask, confirm),
    backLink(`subject/${subjectId}`, "dose.back")));
}
