// Plan a session (#/session-plan): the facility (a vaccinator's own), the day (today or
// later), fixed or outreach, where (the commune hall, a village), its vaccine groups;
// through the outbox (its Idempotency-Key). Once saved it opens the session.
import { h } from "../dom.js";
import { explain, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { vietnamToday } from "../records.js";
import { backLink, clearErrors, field, fillFacilities, settle, showErrors } from "../registry-view.js";
import { go } from "../router.js";
import { vaccineGroups } from "../session-view.js";
import * as store from "../store.js";

export async function render(root) {
  const user = store.get().user;
  const facility = h("select", { name: "facility_id" });
  const heldOn = h("input", { type: "date", name: "held_on", value: vietnamToday(), min: vietnamToday(), required: true });
  const kind = h("select", { name: "kind" },
    ["fixed", "outreach"].map((k) => h("option", { value: k, text: t(`sessions.kind.${k}`) })));
  const place = h("input", { type: "text", name: "place_name", maxlength: 200 });
  const groups = h("fieldset", { id: "f-vaccine_groups", "data-field": "vaccine_groups", class: "groups" },
    h("legend", { text: t("sessions.plan.groups") }));
  const outcome = h("p", { id: "session-plan-outcome", role: "status", hidden: true });
  const form = h("form", { id: "session-plan-form", novalidate: true },
    field("facility_id", "sessions.plan.facility", facility),
    field("held_on", "sessions.plan.day", heldOn),
    field("kind", "sessions.plan.kind", kind),
    field("place_name", "sessions.plan.place", place),
    groups,
    h("button", { type: "submit", id: "session-plan-save", text: t("sessions.plan.save") }), outcome);
  root.append(h("section", { class: "card" }, h("h2", { text: t("sessions.plan.heading") }), form,
    backLink("sessions", "sessions.back")));
  try {
    await fillFacilities(facility, user);
  } catch {
    if (user.scope_facility_id) facility.append(h("option", { value: user.scope_facility_id, text: t("sessions.plan.own") }));
  }
  try {
    groups.append(...(await vaccineGroups()).map((g) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "group", value: g }), ` ${g}`)));
  } catch (error) {
    groups.append(h("p", { class: "error", text: error.status === 0 ? t("sessions.offline_none") : explain(error) }));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = [...groups.querySelectorAll("input:checked")].map((input) => input.value);
    outcome.hidden = false;
    if (!chosen.length) {
      outcome.textContent = t("sessions.plan.groups_needed");
      outcome.className = "error";
      return;
    }
    const body = { facility_id: Number(facility.value) || null, held_on: heldOn.value, kind: kind.value,
      place_name: place.value.trim(), vaccine_groups: chosen };
    const item = await outbox.submit({ path: "/api/sessions", body,
      label: { key: "sessions.write.plan", values: { day: heldOn.value, groups: chosen.join(", ") } } });
    const answered = await settle(item.seq);
    if (answered?.state === "confirmed") return go(`session/${answered.response.id}`);
    if (answered?.state === "refused") {
      const rest = showErrors(form, answered.error);
      outcome.textContent = rest.length ? rest.join(" ") : explain(answered.error);
      outcome.className = "error";
      return undefined;
    }
    outcome.textContent = t("sessions.plan.waiting");
    outcome.className = "notice";
    return undefined;
  });
}
