// Campaigns (#/campaigns): those over the officer's area with their progress (children
// of the target group reached ÷ target), and the form to plan one: a vaccine group for
// an age range in the officer's area (or one facility of it) between two dates.
import * as api from "../api.js";
import { h } from "../dom.js";
import { explain, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { vietnamToday } from "../records.js";
import { backLink, clearErrors, day, field, fillFacilities, settle, showErrors } from "../registry-view.js";
import { vaccineGroups } from "../session-view.js";
import * as store from "../store.js";

function campaignItem(c) {
  const percent = Math.round(c.progress * 100);
  return h("li", { class: "campaign", "data-campaign": c.id },
    h("h3", { text: c.name }),
    h("p", { class: "muted", text: t("sessions.campaign.line", { group: c.vaccine_group, min: c.min_age_months,
      max: c.max_age_months, from: day(c.starts_on), to: day(c.ends_on) }) }),
    h("label", { for: `campaign-progress-${c.id}`, text: t("sessions.campaign.progress", { reached: c.reached, target: c.target, percent }) }),
    h("progress", { id: `campaign-progress-${c.id}`, max: 100, value: Math.min(percent, 100) }));
}

function planForm(user, onPlanned) {
  const name = h("input", { type: "text", name: "name", maxlength: 200, required: true });
  const group = h("select", { name: "vaccine_group" });
  vaccineGroups().then((groups) => {
    group.replaceChildren(...groups.map((g) => h("option", { value: g, text: g })));
    group.value = "Measles/MR";
  }).catch(() => null);
  const minAge = h("input", { type: "number", name: "min_age_months", min: 0, max: 216, value: 12 });
  const maxAge = h("input", { type: "number", name: "max_age_months", min: 0, max: 216, value: 59 });
  const starts = h("input", { type: "date", name: "starts_on", value: vietnamToday() });
  const ends = h("input", { type: "date", name: "ends_on" });
  const facility = h("select", { name: "facility_id" }, h("option", { value: "", text: t("sessions.campaign.whole_area") }));
  const target = h("input", { type: "number", name: "target", min: 1 });
  const outcome = h("p", { id: "campaign-outcome", role: "status", hidden: true });
  const form = h("form", { id: "campaign-form", novalidate: true },
    field("name", "sessions.campaign.name", name), field("vaccine_group", "sessions.campaign.group", group),
    field("min_age_months", "sessions.campaign.min_age", minAge), field("max_age_months", "sessions.campaign.max_age", maxAge),
    field("starts_on", "sessions.campaign.starts", starts), field("ends_on", "sessions.campaign.ends", ends),
    field("facility_id", "sessions.campaign.area", facility),
    field("target", "sessions.campaign.target", target, "sessions.campaign.target_hint"),
    h("button", { type: "submit", id: "campaign-save", text: t("sessions.campaign.save") }), outcome);
  fillFacilities(facility, user).catch(() => null);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosenFacility = Number(facility.value) || null;
    const body = { name: name.value.trim(), vaccine_group: group.value, min_age_months: Number(minAge.value),
      max_age_months: Number(maxAge.value), starts_on: starts.value, ends_on: ends.value,
      place_id: chosenFacility ? null : user.scope_place_id, facility_id: chosenFacility,
      target: target.value ? Number(target.value) : null };
    const item = await outbox.submit({ path: "/api/campaigns", body,
      label: { key: "sessions.write.campaign", values: { name: body.name } } });
    const answered = await settle(item.seq);
    outcome.hidden = false;
    if (answered?.state === "confirmed") {
      outcome.textContent = t("sessions.campaign.saved");
      outcome.className = "notice";
      onPlanned();
    } else if (answered?.state === "refused") {
      const rest = showErrors(form, answered.error);
      outcome.textContent = rest.length ? rest.join(" ") : explain(answered.error);
      outcome.className = "error";
    } else {
      outcome.textContent = t("sessions.plan.waiting");
      outcome.className = "notice";
    }
  });
  return form;
}

export async function render(root) {
  const user = store.get().user;
  const status = h("p", { id: "campaigns-status", class: "muted", role: "status", text: t("sessions.loading") });
  const list = h("ul", { id: "campaigns-list", class: "campaigns" });
  async function load() {
    try {
      const found = await api.request("GET", "/api/campaigns");
      status.textContent = found.length ? "" : t("sessions.campaign.none");
      list.replaceChildren(...found.map(campaignItem));
    } catch (error) {
      status.textContent = error.status === 0 ? t("sessions.offline_none") : explain(error);
      status.className = "error";
    }
  }
  root.append(
    h("section", { class: "card" }, h("h2", { text: t("sessions.campaigns.heading") }), status, list,
      backLink("", "sessions.home")),
    h("section", { class: "card" }, h("h2", { text: t("sessions.campaign.plan") }), planForm(user, load)));
  await load();
}
