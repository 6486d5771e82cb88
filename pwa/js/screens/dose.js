// Record a dose (#/dose/<subject>, #/dose/<subject>/<outbox seq> to resolve a refused one;
// #/dose/key-<registration key> for a child registered offline, still in the outbox): the lot from
// the facility's stock (GET /api/doses/lots: on hand, first expiry first, never expired or
// held) or from a photo of the vial (GS1 DataMatrix: GTIN, lot, expiry → that lot), route
// and site from the vaccine, the Decision 1575 screening with its usual answer in one tap,
// the check's findings before saving (POST /api/doses/check, when online) confirmed with
// a reason, then the outbox (the key is the dose's Idempotency-Key). The historical mode
// (#/dose-history/<subject>, dose-history.js) is a dose from a paper card: no stock.
import "../outbox-db.js";
import * as api from "../api.js";
import { h, say } from "../dom.js";
import { explain, language, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import * as reading from "../reading.js";
import { backLink, clearErrors, day, field, settle, showErrors, watch } from "../registry-view.js";
import { photoButton } from "../camera.js";
import { vietnamToday } from "../records.js";
import { go } from "../router.js";
import * as store from "../store.js";
import { DOSES_PATH, loadRecord, vaccineName } from "../dose-view.js";
import { question } from "./screening.js";

export const translatesInPlace = true;

const LOTS = "dose-lots";
const CHECKLIST = "dose-checklist";
const ROUTES = ["IM", "SC", "ID", "oral", "nasal"];
const SITES = ["left_thigh", "right_thigh", "left_arm", "right_arm", "mouth", "nose"];
const NEWBORN_DAYS = 30;
// The screening's findings in a 409 (schedule.vn.advice's actions that hold a dose back).
const FINDINGS = ["postpone", "refer", "do_not_give"];

// The site a vaccine is usually given at, from its route and the child's age.
function usualSite(route, ageDays) {
  if (route === "oral") return "mouth";
  if (route === "nasal") return "nose";
  if (route === "IM") return ageDays < 365 ? "left_thigh" : "left_arm";
  return route ? "left_arm" : "";
}

// Read online and kept (not personal data: the facility's lots, the checklist), or the kept copy.
async function readKept(id, path) {
  try {
    const found = await api.request("GET", path);
    await reading.save(id, { data: found });
    return found;
  } catch (error) {
    if (error.status !== 0) throw error;
    return (await reading.load(id))?.data ?? null;
  }
}

// The child the dose is for: a record (read online or kept), or a registration still in
// the outbox, referred to by its key until the server has it.
async function subjectOf(ref) {
  const key = ref.match(/^key-([\w-]+)$/)?.[1];
  if (!key) {
    const record = await loadRecord(ref);
    // The checklist kept for a child that is only in the outbox (its questions do not depend on the child).
    if (record?.checklist && !record.saved_at) await reading.save(CHECKLIST, { data: record.checklist });
    return record && { subject: record.subject, record, ref: { subject_id: record.subject.id } };
  }
  const registration = (await outbox.list()).find((item) => item.key === key && item.path === "/api/subjects");
  if (!registration) return null;
  if (registration.state === "confirmed") return subjectOf(String(registration.response.id));
  const subject = JSON.parse(registration.body);
  const query = new URLSearchParams({ birth_date: subject.birth_date, language: language() });
  const kept = await readKept(CHECKLIST, `/api/screening/forms?${query}`);
  // A copy kept offline said which form fits another child: the form is chosen by age here.
  const checklist = kept && { ...kept, forms: kept.forms.map((form) => ({ ...form, fits: null })) };
  return { subject, record: { checklist }, ref: { subject_key: registration.key } };
}

const ageDays = (birth) => Math.floor((Date.now() - Date.parse(`${birth}T00:00:00+07:00`)) / 86400000);

// A lot as the vaccinator picks it: the product and lot first, then expiry, doses left, store.
const lotLabel = (lot) => [
  h("span", { class: "lot-name", i18n: ["dose.lot.choice", { product: lot.product_code, lot: lot.lot_number }] }),
  h("span", { class: "muted", i18n: ["dose.lot.detail", { expiry: day(lot.expiry), doses: lot.doses, store: lot.store_name }] }),
];

// A finding of the check (its message, in the person's language) or of the POST's 409
// (its code: postpone, refer, do_not_give), in words.
function findingItem(finding) {
  if (finding.message) return h("li", { class: finding.severity, text: finding.message });
  const code = FINDINGS.includes(finding.code) ? finding.code : "other";
  return h("li", { class: finding.severity,
    i18n: [`dose.finding.${code}`, { group: finding.vaccine_group ?? "", until: day(finding.until), code: finding.code }] });
}

const contraindicated = (findings) => findings.some((f) => f.severity === "contraindication");

export async function render(root, [given = "", seqParam], mode = "recorded") {
  const historical = mode === "historical";
  // Opened from a session's roster: #/dose/<child>?session=<id> (the dose carries the session).
  const [ref, query = ""] = given.split("?");
  const inSession = historical ? null : Number(new URLSearchParams(query).get("session")) || null;
  let found;
  try {
    found = await subjectOf(ref);
  } catch (error) {
    found = null;
    root.append(h("p", { class: "error", role: "alert", text: explain(error) }));
  }
  if (!found) {
    root.append(h("section", { class: "card" }, h("h2", { i18n: "dose.unavailable" }),
      h("p", { class: "muted", i18n: "dose.unavailable.why" }), backLink("search", "registry.search.back")));
    return undefined;
  }
  const { subject, record } = found;
  const back = inSession ? `session/${inSession}` : found.ref.subject_id ? `subject/${found.ref.subject_id}` : "outbox";
  const lots = historical ? [] : (await readKept(LOTS, "/api/doses/lots").catch(() => null)) ?? [];
  const checklist = record.checklist;
  const form = h("form", { id: "dose-form", novalidate: true });
  const outcome = h("div", { id: "dose-outcome", class: "outcome", role: "status", hidden: true });
  const findingsBox = h("div", { id: "dose-findings", class: "card findings", hidden: true });
  const submit = h("button", { type: "submit", id: "dose-save", i18n: historical ? "dose.historical.save" : "dose.save" });
  let seq = seqParam ? Number(seqParam) : null;
  let givenAt = null; // a reopened dose keeps the instant it was given
  let confirming = [];
  let stopWatching = null;

  function tell(key, kind, values) {
    say(outcome, key, values);
    outcome.className = `outcome ${kind}`;
    outcome.hidden = false;
  }

  // --- what the vaccinator picks ----------------------------------------------------------
  const routeSelect = h("select", { name: "route" }, h("option", { value: "", i18n: "dose.route.none" }),
    ROUTES.map((r) => h("option", { value: r, i18n: `dose.route.${r}` })));
  const siteSelect = h("select", { name: "site" }, h("option", { value: "", i18n: "dose.site.none" }),
    SITES.map((s) => h("option", { value: s, i18n: `dose.site.${s}` })));
  const programme = h("select", { name: "programme" },
    h("option", { value: "epi", i18n: "dose.programme.epi" }), h("option", { value: "service", i18n: "dose.programme.service" }));
  const photoStatus = h("p", { id: "dose-photo-status", class: "camera-status", role: "status", hidden: true });
  const lotRadios = lots.map((lot, index) => {
    const radio = h("input", { type: "radio", name: "lot_id", id: `dose-lot-${index}`, value: lot.lot_id });
    radio.addEventListener("change", () => pickLot(lot));
    return { lot, radio, node: h("div", { class: "choice lot-choice" }, radio,
      h("label", { for: radio.id }, lotLabel(lot))) };
  });

  function pickLot(lot) {
    for (const entry of lotRadios) entry.radio.checked = entry.lot === lot;
    routeSelect.value = lot.route;
    siteSelect.value = usualSite(lot.route, ageDays(subject.birth_date));
    resetFindings();
  }

  // A vial's GS1 DataMatrix (GTIN, lot, expiry) picks that lot, or says plainly that this
  // store does not have it. Read now or not at all: the child is in front of the vaccinator.
  async function onPhoto(file) {
    say(photoStatus, "dose.photo.reading");
    photoStatus.className = "camera-status pending";
    photoStatus.hidden = false;
    let scan;
    try {
      scan = await api.request("POST", "/api/scan", file);
    } catch (error) {
      photoStatus.className = "camera-status refused";
      say(photoStatus, error.status === 0 ? "dose.photo.offline" : "dose.photo.unreadable");
      return;
    }
    const vial = (scan.codes ?? []).map((code) => code.payload).find((payload) => payload?.kind === "gs1" && payload.lot);
    photoStatus.className = "camera-status refused";
    if (!vial) return say(photoStatus, "dose.photo.no_code");
    const gtins = [vial.gtin, vial.contained_gtin].filter(Boolean);
    const match = lotRadios.find(({ lot }) => gtins.includes(lot.gtin)
      && lot.lot_number.toUpperCase() === vial.lot.toUpperCase());
    if (!match) return say(photoStatus, "dose.photo.not_in_store", { lot: vial.lot, expiry: day(vial.expiry) });
    pickLot(match.lot);
    photoStatus.className = "camera-status confirmed";
    say(photoStatus, "dose.photo.found", { lot: match.lot.lot_number, vaccine: vaccineName(record, match.lot.vaccine_code) });
  }

  // --- screening (Decision 1575) -----------------------------------------------------------
  const chosenForm = checklist?.forms.find((f) => f.fits)
    ?? checklist?.forms.find((f) => f.id === (ageDays(subject.birth_date) < NEWBORN_DAYS ? "newborn" : "child"));
  const questions = chosenForm ? chosenForm.questions.map((item) => ({ item, ...question(item, checklist.vaccines) })) : [];
  let screened = false;
  const screenedLine = h("p", { id: "dose-screened", class: "muted", i18n: "dose.screening.not_yet" });
  function markScreened(usual) {
    screened = true;
    if (usual) for (const q of questions) q.box.checked = false;
    const yes = questions.filter((q) => q.box.checked).length;
    screenedLine.className = "screened";
    if (yes) say(screenedLine, "dose.screening.some", { count: yes });
    else say(screenedLine, "dose.screening.usual_done");
    resetFindings();
  }
  for (const q of questions) q.box.addEventListener("change", () => markScreened(false));
  const usual = h("button", { type: "button", id: "dose-screening-usual", class: "secondary",
    i18n: "dose.screening.usual", onclick: () => markScreened(true) });
  const screening = chosenForm ? h("fieldset", { id: "dose-screening" },
    h("legend", { text: `${checklist.title}: ${chosenForm.title}` }),
    usual, screenedLine,
    h("details", {}, h("summary", { i18n: "dose.screening.answers" }), questions.map((q) => q.node))) : null;

  function screeningBody() {
    const answers = {};
    for (const { item, box, vaccine } of questions) {
      answers[item.id] = box.checked ? (vaccine?.value ? { vaccine_code: vaccine.value } : true) : false;
    }
    return { form: chosenForm.id, answers };
  }

  // --- the historical mode's fields ----------------------------------------------------------
  const vaccineSelect = h("select", { name: "vaccine_code" }, h("option", { value: "", i18n: "dose.vaccine.choose" }),
    [...(checklist?.vaccines ?? [])].sort((a, b) => a.description.localeCompare(b.description))
      .map((v) => h("option", { value: v.code, text: v.description })));
  const dateInput = h("input", { type: "date", name: "administered_on", min: subject.birth_date,
    max: vietnamToday() });
  const lotNumber = h("input", { type: "text", name: "lot_number", maxlength: 20, autocomplete: "off" });
  const where = h("input", { type: "text", name: "given_elsewhere", maxlength: 200 });

  // --- findings: confirmed with a reason; a contraindication needs the explicit override ---
  const reason = h("textarea", { name: "override_reason", rows: 2, maxlength: 500 });
  const override = h("input", { type: "checkbox", id: "dose-override" });
  const overrideRow = h("div", { class: "choice" }, override, h("label", { for: override.id, i18n: "dose.override" }));

  function resetFindings() {
    confirming = [];
    findingsBox.hidden = true;
    say(submit, historical ? "dose.historical.save" : "dose.save");
  }

  function showFindings(findings) {
    confirming = findings;
    const blocking = contraindicated(findings);
    findingsBox.replaceChildren(...[
      h("h3", { i18n: blocking ? "dose.findings.contraindication" : "dose.findings.warning" }),
      h("ul", { class: "reasons" }, findings.map(findingItem)),
      field("override_reason", "dose.override_reason", reason),
      blocking ? overrideRow : null].filter(Boolean));
    overrideRow.hidden = !blocking;
    findingsBox.hidden = false;
    say(submit, "dose.save_confirmed");
    reason.focus();
  }

  function body() {
    const written = { ...found.ref, vaccine_code: "", source: historical ? "historical" : "recorded" };
    if (historical) {
      Object.assign(written, { vaccine_code: vaccineSelect.value, administered_on: dateInput.value || null,
        lot_number: lotNumber.value.trim(), given_elsewhere: where.value.trim() });
    } else {
      const picked = lotRadios.find((entry) => entry.radio.checked)?.lot;
      Object.assign(written, { vaccine_code: picked?.vaccine_code ?? "", store_id: picked?.store_id ?? null,
        lot_id: picked?.lot_id ?? null, product_id: picked?.product_id ?? null, route: routeSelect.value,
        site: siteSelect.value, programme: programme.value, screening: chosenForm ? screeningBody() : null,
        // The instant it was given: the device's clock, sent so a dose synced later keeps it.
        administered_at: givenAt ?? new Date().toISOString() });
    }
    if (inSession) written.session = inSession;
    if (confirming.length) {
      written.override_reason = reason.value.trim();
      if (contraindicated(confirming)) written.override_contraindication = override.checked;
    }
    return written;
  }

  // What the person must still do before the dose can be saved; null when nothing.
  function missing(written) {
    if (!historical && !written.lot_id) return "dose.missing.lot";
    if (historical && !written.vaccine_code) return "dose.missing.vaccine";
    if (historical && !written.administered_on) return "dose.missing.date";
    if (!historical && chosenForm && !screened) return "dose.missing.screening";
    if (confirming.length && written.override_reason.length < 3) return "dose.missing.reason";
    if (contraindicated(confirming) && !written.override_contraindication) return "dose.missing.override";
    return null;
  }

  // What the engine and the screening will say, asked before queueing when online. A server
  // without the check (404/405) or no network: the POST's own 409 says the same later.
  async function check(written) {
    try {
      const answer = await api.request("POST", `${DOSES_PATH}/check`, written);
      return { findings: answer.findings ?? [] };
    } catch (error) {
      if (error.status === 0 || error.status === 404 || error.status === 405) return { findings: [] };
      return { error };
    }
  }

  function show(item) {
    submit.disabled = false;
    if (!item) return;
    if (item.state === "confirmed") {
      go(back);
      return;
    }
    if (item.state === "pending" || item.state === "sending") {
      tell("dose.queued", "pending");
      return;
    }
    const error = item.error ?? {};
    if (error.status === 409 && error.details?.findings) {
      tell("dose.refused.confirm", "refused");
      showFindings(error.details.findings);
      return;
    }
    const unplaced = showErrors(form, error);
    tell("dose.refused", "refused", { message: unplaced.join(" ") || explain(error) });
  }

  async function showAndFollow(item) {
    stopWatching?.();
    stopWatching = null;
    show(item);
    if (item && (item.state === "pending" || item.state === "sending")) stopWatching = watch(seq, store, show);
  }

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors(form);
    const written = body();
    const needed = missing(written);
    if (needed) {
      tell(needed, "refused");
      return;
    }
    submit.disabled = true;
    if (!confirming.length && !historical) {
      const checked = await check(written);
      if (checked.error) {
        show({ state: "refused", error: { status: checked.error.status, code: checked.error.code,
          message: checked.error.message, details: checked.error.details } });
        return;
      }
      if (checked.findings.length) {
        submit.disabled = false;
        tell("dose.check.findings", "refused");
        showFindings(checked.findings);
        return;
      }
    }
    const label = { key: historical ? "dose.write.historical" : "dose.write.record",
      values: { name: subject.full_name, vaccine: vaccineName(record, written.vaccine_code),
        lot: written.lot_number || lotRadios.find((e) => e.radio.checked)?.lot.lot_number || "" } };
    if (seq !== null && (await self.NiisOutbox.get(seq))?.state === "refused") {
      // The same dose confirmed or corrected: the same key, so it is still one dose.
      await outbox.retry(seq, written);
    } else {
      seq = (await outbox.submit({ path: DOSES_PATH, body: written, label })).seq;
    }
    await showAndFollow(await settle(seq));
  }
  form.addEventListener("submit", onSubmit);

  const controls = historical ? [
    field("vaccine_code", "dose.vaccine", vaccineSelect),
    field("administered_on", "dose.date", dateInput),
    field("lot_number", "dose.lot_number", lotNumber),
    field("given_elsewhere", "dose.where", where, "dose.where.hint"),
  ] : [
    photoButton("dose-photo", "dose.photo", onPhoto), photoStatus,
    h("fieldset", { id: "dose-lots" },
      h("legend", { i18n: "dose.lot" }),
      lotRadios.length ? lotRadios.map((entry) => entry.node) : h("p", { class: "muted", i18n: "dose.lot.none" })),
    h("div", { class: "pair" }, field("route", "dose.route", routeSelect), field("site", "dose.site", siteSelect)),
    field("programme", "dose.programme", programme),
    screening,
  ];
  form.append(...controls.filter(Boolean), findingsBox, outcome, submit);
  root.append(h("section", { class: "card" },
    h("h2", { i18n: [historical ? "dose.historical.heading" : "dose.heading", { name: subject.full_name }] }),
    h("p", { class: "muted", i18n: ["dose.born", { date: day(subject.birth_date) }] }),
    form,
    backLink(back, "dose.back")));

  // Reopened from the outbox or the record: the refused dose, to confirm or correct.
  if (seq !== null) {
    const item = await self.NiisOutbox.get(seq);
    if (item?.path === DOSES_PATH && item.account === store.get().user.id) {
      const sent = JSON.parse(item.body);
      givenAt = sent.administered_at ?? null;
      const entry = lotRadios.find((e) => e.lot.lot_id === sent.lot_id);
      if (entry) pickLot(entry.lot);
      vaccineSelect.value = sent.vaccine_code ?? "";
      dateInput.value = sent.administered_on ?? "";
      lotNumber.value = sent.lot_number ?? "";
      where.value = sent.given_elsewhere ?? "";
      routeSelect.value = sent.route ?? "";
      siteSelect.value = sent.site ?? "";
      for (const q of questions) q.box.checked = Boolean(sent.screening?.answers?.[q.item.id]);
      if (sent.screening) markScreened(false);
      reason.value = sent.override_reason ?? "";
      await showAndFollow(item);
    } else {
      seq = null;
    }
  }
  return () => stopWatching?.();
}
