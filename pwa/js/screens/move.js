// Move a subject to another commune's facility (#/move/<id>), from the record. Whoever
// sees the record (its managing side, an officer above it) moves it anywhere at once:
// POST /api/subjects/{id}/move, through the outbox. A family who came *without* papers
// is the receiving side's case, a request (transfer-request.js). docs/registry.md, "Transfers".
// A move says why (required): the record's history of moves and the audit show it.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { today } from "../records.js";
import { backLink, clearErrors, field, nameOf, showErrors } from "../registry-view.js";
import { destinationPicker, formWrite } from "../transfer-view.js";

export const translatesInPlace = true;

export async function render(root, [id]) {
  let subject;
  try {
    subject = await api.request("GET", `/api/subjects/${encodeURIComponent(id)}`);
  } catch (error) {
    root.append(h("section", { class: "card" }, h("h2", { i18n: "move.heading_unavailable" }),
      h("p", { class: "error", role: "alert", text: error.status === 0 ? t("registry.subject.offline") : error.message }),
      backLink("search", "registry.search.back")));
    return;
  }
  const current = await nameOf("facilities", subject.facility);
  const picker = destinationPicker({ name: "facility_id", labelKey: "move.to", hintKey: "move.to_hint" });
  const movedOn = h("input", { type: "date", value: today(), max: today() });
  const address = h("input", { autocomplete: "off" });
  const reason = h("textarea", { rows: 2, maxlength: 500, required: true });
  const outcome = h("div", { id: "move-outcome", class: "outcome", role: "status", hidden: true });
  const submit = h("button", { type: "submit", i18n: "move.submit" });
  const form = h("form", { id: "move-form", class: "card", novalidate: true, onsubmit: onSubmit },
    h("h2", { i18n: ["move.heading", { name: subject.full_name }] }),
    h("p", { i18n: ["move.current", { code: subject.code_display, facility: current }] }),
    picker.node,
    field("moved_on", "move.moved_on", movedOn),
    field("reason", "move.request.reason", reason, "gaps.move.reason_hint"),
    field("address_detail", "move.address", address, "registry.register.optional"),
    outcome, submit,
    h("a", { href: `#/subject/${subject.id}`, class: "back", i18n: "registry.correct.back" }));
  root.append(form);

  const write = formWrite({ form, outcome, submit, queuedKey: "move.queued", confirmed: (found) => {
    // Moved out: the record now belongs to the new side (this person may no longer see it).
    for (const node of form.querySelectorAll("input, button")) node.disabled = true;
    write.tell("move.done", "done", { name: subject.full_name, facility: found.label.values.facility });
  } });

  function onSubmit(event) {
    event.preventDefault();
    clearErrors(form);
    const destination = picker.chosen();
    if (!destination) {
      picker.box.focus();
      return write.tell("move.pick.first", "refused");
    }
    // Asked before queueing: a move written offline would otherwise be refused at sync.
    if (!reason.value.trim()) {
      return showErrors(form, { message: t("gaps.move.reason_needed"), details: { field: "reason" } });
    }
    return write.send(`/api/subjects/${subject.id}/move`, {
      place_id: destination.place_id, facility_id: destination.facility_id,
      moved_on: movedOn.value || null, reason: reason.value.trim(), address_detail: address.value.trim() || null,
    }, { key: "move.write.move", values: { name: subject.full_name, facility: destination.facility_name } });
  }
  return write.stop;
}
