// Register a child or a woman (#/register; #/register/<seq> reopens a write the server
// refused). The write goes through the outbox like every write; the screen waits for
// the server's answer and shows it where it belongs: a 422 under its field, a 409's
// possible duplicates side by side with "not the same person" as an explicit choice
// (resent with the same idempotency key and their ids in not_duplicate_of).
import * as outbox from "../outbox.js";
import { h, say } from "../dom.js";
import { t } from "../i18n.js";
import { go } from "../router.js";
import * as store from "../store.js";
import { attachIdCard } from "../camera.js";
import {
  RELATIONSHIPS, backLink, clearErrors, day, field, fillFacilities, item, relationshipWord, settle, sexWord, showErrors, watch,
} from "../registry-view.js";
import { reasonText } from "../review-view.js";

const input = (attributes = {}) => h("input", attributes);

function select(options, value) {
  const node = h("select", {}, options.map(([optionValue, label]) => h("option", { value: optionValue, text: label })));
  if (value !== undefined) node.value = value;
  return node;
}

function choice(name, value, key, checked) {
  const id = `${name}-${value}`;
  return h("div", { class: "choice" },
    h("input", { type: "radio", id, name, value, checked }), h("label", { for: id, i18n: key }));
}

// One candidate beside what is being registered: who they are and why they may be the same.
function candidateCard(candidate) {
  return h("article", { class: "card candidate" },
    h("h3", { text: candidate.full_name }),
    h("p", { text: `${candidate.code ?? ""} · ${day(candidate.birth_date)} · ${sexWord(candidate.sex)}` }),
    h("p", { class: "muted", i18n: ["registry.duplicate.score", { score: Math.round((candidate.score ?? 0) * 100) }] }),
    h("ul", { class: "reasons" }, (candidate.reasons ?? []).map((reason) => h("li", { text: reasonText(reason) }))),
    h("a", { class: "button-link secondary", href: `#/subject/${candidate.subject_id}`, i18n: "registry.duplicate.open" }));
}

export async function render(root, [seqText]) {
  const user = store.get().user;
  let seq = seqText ? Number(seqText) : null; // the outbox item of this registration, once written
  let stopWatching = null;

  const name = input({ name: "full_name", autocomplete: "off" });
  const birthDate = input({ type: "date", name: "birth_date" });
  const sex = select([["F", t("registry.sex.female")], ["M", t("registry.sex.male")]], "F");
  const personalId = input({ name: "personal_id", inputmode: "numeric", autocomplete: "off" });
  const facility = h("select", { name: "facility_id" });
  const address = input({ name: "address_detail", autocomplete: "off" });
  const guardianName = input({ name: "guardian_name", autocomplete: "off" });
  const relationship = select(RELATIONSHIPS.filter((r) => r !== "self").map((r) => [r, relationshipWord(r)]), "mother");
  const phone = input({ type: "tel", name: "guardian_phone", autocomplete: "off" });
  const guardianId = input({ name: "guardian_personal_id", inputmode: "numeric", autocomplete: "off" });
  const expected = input({ type: "date", name: "expected_delivery" });
  const sexField = field("sex", "registry.register.sex", sex);
  const guardian = h("fieldset", {}, h("legend", { i18n: "registry.register.guardian" }),
    field("guardians[0].full_name", "registry.register.guardian_name", guardianName),
    field("guardians[0].relationship", "registry.register.relationship", relationship),
    field("guardians[0].phone", "registry.register.phone", phone),
    field("guardians[0].personal_id", "camera.idcard.guardian_id", guardianId, "registry.register.optional"));
  const pregnancy = field("expected_delivery", "registry.register.expected", expected, "registry.register.expected_hint");
  const outcome = h("div", { id: "register-outcome", class: "outcome", role: "status", hidden: true });
  const duplicates = h("section", { id: "duplicates", class: "card", hidden: true });
  const submit = h("button", { type: "submit", i18n: "registry.register.submit" });
  // A child registered offline can be dosed at once, the dose naming the registration's key.
  const doseLink = h("a", { id: "register-dose", class: "button-link secondary", i18n: "dose.action", hidden: true });

  const kindChild = choice("kind", "child", "registry.register.child", true);
  const kindWoman = choice("kind", "woman", "registry.register.woman", false);
  const form = h("form", { id: "register-form", class: "card", novalidate: true, onsubmit: onSubmit },
    h("h2", { i18n: "registry.register.heading" }),
    h("fieldset", { class: "row" }, h("legend", { i18n: "registry.register.kind" }), kindChild, kindWoman),
    field("full_name", "registry.register.name", name),
    field("birth_date", "registry.register.birth_date", birthDate),
    sexField,
    field("personal_id", "registry.register.personal_id", personalId, "registry.register.optional"),
    field("facility_id", "registry.register.facility", facility),
    field("address_detail", "registry.register.address", address, "registry.register.optional"),
    guardian, pregnancy, outcome, doseLink, submit, backLink("", "nav.home"));
  root.append(form, duplicates);
  attachIdCard(form, form.querySelector('[data-field="full_name"]').parentElement);

  const woman = () => form.querySelector('input[name="kind"]:checked')?.value === "woman";
  function showKind() {
    sexField.hidden = woman();
    guardian.hidden = woman();
    pregnancy.hidden = !woman();
  }
  form.addEventListener("change", (event) => { if (event.target.name === "kind") showKind(); });
  showKind();

  let places = new Map();
  // The form is on screen while the list loads: a tap on "Register" waits for it.
  const facilitiesLoaded = fillFacilities(facility, user).then((found) => { places = found; }, () => {
    say(outcome, "registry.register.no_facilities");
    outcome.hidden = false;
  });
  await facilitiesLoaded;

  function body(extra = {}) {
    const kind = woman();
    const written = {
      full_name: name.value.trim(),
      birth_date: birthDate.value || null,
      sex: kind ? "F" : sex.value,
      place_id: places.get(facility.value) ?? null,
      facility_id: Number(facility.value) || null,
      address_detail: address.value.trim(),
      personal_id: personalId.value.trim() || null,
      guardians: kind || !guardianName.value.trim() ? [] : [{
        full_name: guardianName.value.trim(), relationship: relationship.value,
        phone: phone.value.trim() || null, personal_id: guardianId.value.trim() || null, is_primary: true,
      }],
    };
    if (kind && expected.value) written.expected_delivery = expected.value;
    return { ...written, ...extra };
  }

  // A reopened write: its form as it was sent.
  function fill(sent) {
    name.value = sent.full_name ?? "";
    birthDate.value = sent.birth_date ?? "";
    sex.value = sent.sex ?? "F";
    personalId.value = sent.personal_id ?? "";
    if (sent.facility_id) facility.value = String(sent.facility_id);
    address.value = sent.address_detail ?? "";
    const first = sent.guardians?.[0];
    const isWoman = !first && sent.sex === "F" && Boolean(sent.expected_delivery);
    form.querySelector(`input[name="kind"][value="${isWoman ? "woman" : "child"}"]`).checked = true;
    guardianName.value = first?.full_name ?? "";
    relationship.value = first?.relationship ?? "mother";
    phone.value = first?.phone ?? "";
    guardianId.value = first?.personal_id ?? "";
    expected.value = sent.expected_delivery ?? "";
    showKind();
  }

  function tell(key, kind, values) {
    say(outcome, key, values);
    outcome.className = `outcome ${kind}`;
    outcome.hidden = false;
  }

  function showDuplicates(written, candidates) {
    const typed = h("article", { class: "card typed" },
      h("h3", { text: written.full_name }),
      h("p", { text: `${day(written.birth_date)} · ${sexWord(written.sex)}` }),
      h("p", { class: "muted", i18n: "registry.duplicate.typed" }),
      written.guardians?.[0] ? h("p", { text: [written.guardians[0].full_name, written.guardians[0].phone].filter(Boolean).join(" · ") }) : null);
    duplicates.replaceChildren(
      h("h2", { i18n: "registry.duplicate.heading" }),
      h("p", { i18n: "registry.duplicate.explain" }),
      h("div", { class: "compare" }, typed, candidates.map(candidateCard)),
      h("div", { class: "row" },
        h("button", { type: "button", id: "not-the-same", i18n: "registry.duplicate.distinct", onclick: async () => {
          // The person looked and says these are other people: the same write, the same
          // key, with the candidates confirmed distinct.
          const confirmed = [...new Set([...(written.not_duplicate_of ?? []), ...candidates.map((c) => c.subject_id)])];
          duplicates.hidden = true;
          await outbox.retry(seq, { ...written, not_duplicate_of: confirmed });
          await showAndFollow(await item(seq));
        } }),
        h("button", { type: "button", class: "secondary", i18n: "registry.duplicate.cancel", onclick: async () => {
          // It is someone already registered: this write is dropped, their record opens.
          await outbox.discard(seq);
          go(candidates.length === 1 ? `subject/${candidates[0].subject_id}` : "search");
        } })));
    duplicates.hidden = false;
    duplicates.querySelector("h2").setAttribute("tabindex", "-1");
    duplicates.querySelector("h2").focus();
  }

  function show(found) {
    clearErrors(form);
    duplicates.hidden = true;
    submit.disabled = false;
    if (!found) return;
    const written = found.body ? JSON.parse(found.body) : {};
    if (found.state === "confirmed") {
      go(`subject/${found.response.id}`);
      return;
    }
    doseLink.hidden = true;
    if (found.state === "pending" || found.state === "sending") {
      tell("registry.register.queued", "pending");
      doseLink.href = `#/dose/key-${found.key}`;
      doseLink.hidden = written.expected_delivery !== undefined && written.expected_delivery !== null;
      return;
    }
    const error = found.error ?? {};
    const candidates = error.details?.candidates ?? [];
    if (error.status === 409 && error.code === "possible_duplicates" && candidates.every((c) => c.subject_id)) {
      tell("registry.register.check_duplicates", "refused");
      showDuplicates(written, candidates);
      return;
    }
    const unplaced = showErrors(form, error);
    tell(unplaced.length ? "registry.register.refused" : "registry.register.fix", "refused",
      { message: unplaced.join(" ") || error.message || "" });
  }

  async function onSubmit(event) {
    event.preventDefault();
    submit.disabled = true;
    clearErrors(form);
    await facilitiesLoaded;
    const written = body();
    if (!written.facility_id) {
      // Nothing to register into (the list could not be loaded): not queued, as the
      // server would refuse it at sync when the person has left.
      const error = document.getElementById(`${facility.id}-error`);
      say(error, "registry.register.facility_needed");
      error.hidden = false;
      facility.setAttribute("aria-invalid", "true");
      facility.focus();
      submit.disabled = false;
      return;
    }
    if (seq !== null && (await item(seq))?.state === "refused") {
      // The corrected registration: same key, so the server still takes it as one write.
      await outbox.retry(seq, written);
    } else {
      seq = (await outbox.submit({ path: "/api/subjects", body: written,
        label: { key: "write.register", values: { name: written.full_name } } })).seq;
    }
    await showAndFollow(await settle(seq));
  }

  // Shows the answer; a write still waiting (no network) is followed until it is sent.
  async function showAndFollow(found) {
    stopWatching?.();
    stopWatching = null;
    show(found);
    if (found && (found.state === "pending" || found.state === "sending")) stopWatching = watch(seq, store, show);
  }

  if (seq !== null) {
    const found = await item(seq);
    if (found?.path === "/api/subjects" && found.account === user.id) {
      fill(JSON.parse(found.body));
      await showAndFollow(found);
    } else {
      seq = null;
    }
  }
  return () => stopWatching?.();
}
