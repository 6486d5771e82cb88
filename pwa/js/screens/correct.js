// Correct a record (#/correct/<id>). Only the changed fields are sent, with the version
// read, through the outbox: a correction made meanwhile on another device answers 409
// (current_version), explained here with a reload of the record as it now stands;
// a 422 shows under its field and the corrected form is resent with the same key.
import * as api from "../api.js";
import * as outbox from "../outbox.js";
import { h, say } from "../dom.js";
import { t } from "../i18n.js";
import { go } from "../router.js";
import * as store from "../store.js";
import { backLink, clearErrors, field, item, settle, showErrors, watch } from "../registry-view.js";

const EDITABLE = ["full_name", "birth_date", "sex", "personal_id", "ethnicity", "address_detail"];

export async function render(root, [id]) {
  let subject;
  try {
    subject = await api.request("GET", `/api/subjects/${encodeURIComponent(id)}`);
  } catch (error) {
    root.append(h("section", { class: "card" }, h("h2", { i18n: "registry.correct.heading" }),
      h("p", { class: "error", role: "alert", text: error.status === 0 ? t("registry.subject.offline") : error.message }),
      backLink("search", "registry.search.back")));
    return;
  }
  let seq = null;
  let stopWatching = null;

  const controls = {
    full_name: h("input", { autocomplete: "off" }),
    birth_date: h("input", { type: "date" }),
    sex: h("select", {}, h("option", { value: "F", i18n: "registry.sex.female" }), h("option", { value: "M", i18n: "registry.sex.male" }),
      h("option", { value: "U", i18n: "registry.sex.unknown" })),
    personal_id: h("input", { inputmode: "numeric", autocomplete: "off" }),
    ethnicity: h("input", { autocomplete: "off" }),
    address_detail: h("input", { autocomplete: "off" }),
  };
  const outcome = h("div", { id: "correct-outcome", class: "outcome", role: "status", hidden: true });
  const reload = h("button", { type: "button", id: "reload", class: "secondary", i18n: "registry.correct.reload", hidden: true, onclick: onReload });
  const submit = h("button", { type: "submit", i18n: "registry.correct.submit" });
  const heading = h("h2", { i18n: ["registry.correct.title", { name: subject.full_name }] });
  const form = h("form", { id: "correct-form", class: "card", novalidate: true, onsubmit: onSubmit },
    heading,
    field("full_name", "registry.register.name", controls.full_name),
    field("birth_date", "registry.register.birth_date", controls.birth_date),
    field("sex", "registry.register.sex", controls.sex),
    field("personal_id", "registry.register.personal_id", controls.personal_id, "registry.register.optional"),
    field("ethnicity", "registry.subject.ethnicity", controls.ethnicity, "registry.register.optional"),
    field("address_detail", "registry.register.address", controls.address_detail, "registry.register.optional"),
    outcome, reload, submit, h("a", { href: `#/subject/${subject.id}`, class: "back", i18n: "registry.correct.back" }));
  root.append(form);

  function fill(record) {
    subject = record;
    for (const name of EDITABLE) controls[name].value = record[name] ?? "";
    say(heading, "registry.correct.title", { name: record.full_name });
  }
  fill(subject);

  // What changed against the record as read, and the version read.
  function changes() {
    const changed = { version: subject.version };
    for (const name of EDITABLE) {
      const value = controls[name].value.trim();
      if (value !== (subject[name] ?? "")) changed[name] = value || null;
    }
    return changed;
  }

  function tell(key, kind, values) {
    say(outcome, key, values);
    outcome.className = `outcome ${kind}`;
    outcome.hidden = false;
  }

  function show(found) {
    clearErrors(form);
    submit.disabled = false;
    reload.hidden = true;
    if (!found) return;
    if (found.state === "confirmed") { go(`subject/${subject.id}`); return; }
    if (found.state === "pending" || found.state === "sending") { tell("registry.correct.queued", "pending"); return; }
    const error = found.error ?? {};
    if (error.status === 409 && error.details?.current_version) {
      // Someone else's correction came first: never overwrite it unseen.
      tell("registry.correct.conflict", "refused", { version: error.details.current_version });
      reload.hidden = false;
      reload.focus();
      return;
    }
    const unplaced = showErrors(form, error);
    tell(unplaced.length ? "registry.register.refused" : "registry.register.fix", "refused",
      { message: unplaced.join(" ") || error.message || "" });
  }

  async function onReload() {
    // This correction was made on an older reading: it goes, the record as it now stands
    // is shown, and the person corrects that.
    if (seq !== null) await outbox.discard(seq);
    seq = null;
    fill(await api.request("GET", `/api/subjects/${subject.id}`));
    show(null);
    tell("registry.correct.reloaded", "pending");
  }

  async function onSubmit(event) {
    event.preventDefault();
    const changed = changes();
    if (Object.keys(changed).length === 1) { tell("registry.correct.nothing", "pending"); return; }
    submit.disabled = true;
    if (seq !== null && (await item(seq))?.state === "refused") {
      await outbox.retry(seq, changed);
    } else {
      seq = (await outbox.submit({ method: "PATCH", path: `/api/subjects/${subject.id}`, body: changed,
        label: { key: "registry.write.correct", values: { name: subject.full_name } } })).seq;
    }
    const found = await settle(seq);
    stopWatching?.();
    stopWatching = found?.state === "pending" ? watch(seq, store, show) : null;
    show(found);
  }
  return () => stopWatching?.();
}
