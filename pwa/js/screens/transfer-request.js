// A child who moved in without card or birth certificate (#/transfer-request): the
// receiving side describes the child as the family does and asks the commune they came
// from for the record (POST /api/transfer-requests, through the outbox). Someone there,
// never the requester, approves (the record moves here) or declines; the state shows
// in the transfers list. With the card's code, search finds the child instead.
import { h } from "../dom.js";
import { go } from "../router.js";
import * as store from "../store.js";
import { today } from "../records.js";
import { backLink, clearErrors, field, fillFacilities } from "../registry-view.js";
import { destinationPicker, formWrite } from "../transfer-view.js";

export const translatesInPlace = true;

export async function render(root) {
  const user = store.get().user;
  const from = destinationPicker({ name: "from_place_id", labelKey: "move.request.from_label", hintKey: "move.request.from_hint", kind: "place" });
  const name = h("input", { autocomplete: "off" });
  const birthDate = h("input", { type: "date", max: today() });
  const phone = h("input", { type: "tel", autocomplete: "off" });
  const movedOn = h("input", { type: "date", value: today(), max: today() });
  const facility = h("select", {});
  const reason = h("textarea", { rows: 3, maxlength: 500 });
  const outcome = h("div", { id: "request-outcome", class: "outcome", role: "status", hidden: true });
  const submit = h("button", { type: "submit", i18n: "move.request.submit" });
  const form = h("form", { id: "request-form", class: "card", novalidate: true, onsubmit: onSubmit },
    h("h2", { i18n: "move.request.heading" }),
    h("p", { class: "muted", i18n: "move.request.intro" }),
    field("full_name", "move.request.name", name),
    field("birth_date", "move.request.birth_date", birthDate),
    field("guardian_phone", "move.request.phone", phone, "registry.register.optional"),
    from.node,
    field("moved_on", "move.request.moved_on", movedOn),
    field("to_facility_id", "move.request.to", facility),
    field("reason", "move.request.reason", reason, "registry.register.optional"),
    outcome, submit, backLink("transfers", "move.list.back"));
  root.append(form);

  let places = new Map();
  try {
    places = await fillFacilities(facility, user);
  } catch {
    // Shown by the server's refusal of to_facility_id, under its field.
  }

  const write = formWrite({ form, outcome, submit, queuedKey: "move.request.queued", confirmed: () => go("transfers") });

  function onSubmit(event) {
    event.preventDefault();
    clearErrors(form);
    const origin = from.chosen();
    if (!origin) {
      from.box.focus();
      return write.tell("move.pick.first", "refused");
    }
    const body = {
      from_place_id: origin.place_id, full_name: name.value.trim(), birth_date: birthDate.value || null,
      moved_on: movedOn.value || null, to_place_id: places.get(facility.value) ?? null,
      to_facility_id: Number(facility.value) || null, guardian_phone: phone.value.trim() || null, reason: reason.value.trim(),
    };
    return write.send("/api/transfer-requests", body, { key: "move.write.request", values: { name: body.full_name } });
  }
  return write.stop;
}
