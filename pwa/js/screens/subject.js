// A subject's record (#/subject/<id>): identity, guardians, status, moves, the vaccination
// history and what is due per vaccine group (GET /api/subjects/{id}/doses and /forecast,
// dose-view.js: kept on the device, so the record reads offline) in plain words, "do not
// give" / "postpone until" / "refer" with the reason where the advice says so; record a
// dose, enter one from a paper card; print the A6 card; correct; preview a screening.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as store from "../store.js";
import { backLink, day, nameOf, relationshipWord, sexWord, statusWord } from "../registry-view.js";
import { forecastList, historyList, keptNote, loadRecord, queued } from "../dose-view.js";
import * as outbox from "../outbox.js";
import { recordTransfers } from "../transfer-view.js";

function facts(rows) {
  return h("dl", { class: "facts" },
    rows.filter(([, value]) => value).flatMap(([key, value]) => [h("dt", { i18n: key }), h("dd", { text: value })]));
}

function section(headingKey, ...content) {
  return h("section", { class: "card" }, h("h3", { i18n: headingKey }), ...content);
}

async function identity(subject) {
  const [place, facility] = await Promise.all([nameOf("places", subject.place), nameOf("facilities", subject.facility)]);
  return facts([
    ["registry.subject.code", subject.code_display],
    ["registry.subject.birth_date", day(subject.birth_date)],
    ["registry.subject.sex", sexWord(subject.sex)],
    ["registry.subject.personal_id", subject.personal_id],
    ["registry.subject.ethnicity", subject.ethnicity],
    ["registry.subject.address", [subject.address_detail, place].filter(Boolean).join(", ")],
    ["registry.subject.facility", facility],
    ["registry.subject.status", statusWord(subject.status)],
    ["registry.subject.died_on", day(subject.died_on)],
  ]);
}

function guardians(subject) {
  if (!subject.guardians.length) return h("p", { class: "muted", i18n: "registry.subject.no_guardians" });
  return h("ul", { class: "plain" }, subject.guardians.map((guardian) => h("li", {
    text: [guardian.full_name, relationshipWord(guardian.relationship), guardian.phone].filter(Boolean).join(" · "),
  })));
}

async function moves(subjectId) {
  const found = await api.request("GET", `/api/subjects/${subjectId}/moves`);
  if (!found.length) return h("p", { class: "muted", i18n: "registry.subject.no_moves" });
  // The API names both sides: the other commune is one this person cannot read by id.
  const lines = await Promise.all(found.map(async (move) => h("li", {},
    h("span", { i18n: ["registry.subject.move", {
      date: day(move.moved_on),
      from: move.from_place_name || await nameOf("places", move.from_place),
      to: move.to_place_name || await nameOf("places", move.to_place),
    }] }),
    // Moves recorded before reasons were asked have none.
    move.reason ? h("span", { class: "muted", i18n: ["gaps.move.reason_line", { reason: move.reason }] }) : null)));
  return h("ul", { class: "plain", id: "moves" }, lines);
}

// A part of the record that could not be read says so, and the rest still shows.
async function part(build) {
  try {
    return await build();
  } catch (error) {
    return h("p", { class: "error", text: error.status === 0 ? t("registry.subject.offline") : error.message });
  }
}

// The history and the forecast, drawn again when the outbox moves (a dose sent, a void refused).
function doseParts(record, waiting, writer) {
  return {
    history: h("div", { id: "history-part" }, keptNote(record), historyList(record, waiting, { staff: writer })),
    forecast: h("div", { id: "forecast-part" }, forecastList(record.forecast)),
  };
}

function unavailable(root, message) {
  root.append(h("section", { class: "card" },
    h("h2", { i18n: "registry.subject.unavailable" }),
    h("p", { class: "error", role: "alert", text: message }),
    backLink("search", "registry.search.back")));
}

export async function render(root, [id]) {
  let record;
  try {
    record = await loadRecord(id);
  } catch (error) {
    unavailable(root, error.message);
    return;
  }
  if (!record) {
    unavailable(root, t("registry.subject.offline"));
    return;
  }
  const { subject } = record;
  const writer = store.get().user?.role !== "parent";
  // A move of this record still in the outbox (offline, or refused) shows on it.
  const queuedMoves = writer ? (await outbox.list()).filter((item) => item.path === `/api/subjects/${subject.id}/move`
    && item.state !== "confirmed" && item.account === store.get().user.id) : [];
  const [identityPart, movesPart, transfersPart, waiting] = await Promise.all([
    part(() => identity(subject)), part(() => moves(subject.id)),
    writer ? part(() => recordTransfers(subject, queuedMoves)) : null, queued(subject.id),
  ]);
  let parts = doseParts(record, waiting, writer);
  const historySection = section("history.heading",
    writer ? h("div", { class: "row" },
      h("a", { class: "button-link", id: "record-dose", href: `#/dose/${subject.id}`, i18n: "dose.action" }),
      h("a", { class: "button-link secondary", href: `#/dose-history/${subject.id}`, i18n: "dose.historical.action" })) : null,
    parts.history);
  const forecastSection = section("registry.subject.forecast", parts.forecast);
  root.append(...[
    h("section", { class: "card" },
      h("h2", { text: subject.full_name }),
      identityPart,
      h("div", { class: "row" },
        // The card is a print-ready page of its own (the API serves it): a new tab to print.
        h("a", { class: "button-link", href: `/api/subjects/${subject.id}/card`, target: "_blank", rel: "noopener",
          i18n: "registry.subject.card" }),
        h("a", { class: "button-link secondary", href: `#/certificate/${subject.id}`, i18n: "cert.open" }),
        writer ? h("a", { class: "button-link secondary", href: `#/correct/${subject.id}`, i18n: "registry.subject.correct" }) : null,
        writer ? h("a", { class: "button-link secondary", href: `#/move/${subject.id}`, i18n: "move.action" }) : null,
        writer ? h("a", { class: "button-link secondary", href: `#/screening/${subject.id}`, i18n: "screening.open" }) : null),
      backLink("search", "registry.search.back")),
    historySection,
    forecastSection,
    section("registry.subject.guardians", guardians(subject)),
    subject.pregnancies.length ? section("registry.subject.pregnancies", h("ul", { class: "plain" },
      subject.pregnancies.map((p) => h("li", { i18n: ["registry.subject.expected", { date: day(p.expected_delivery) }] })))) : null,
    transfersPart ? section("move.record.heading", transfersPart) : null,
    section("registry.subject.moves", movesPart),
  ].filter(Boolean));

  // A dose or a void sent (or refused) while the record is open: read the record again.
  let last = JSON.stringify(store.get().outbox);
  return store.subscribe(async (state) => {
    const now = JSON.stringify(state.outbox);
    if (now === last) return;
    last = now;
    const fresh = await loadRecord(subject.id, subject).catch(() => null);
    if (!fresh) return;
    const next = doseParts(fresh, await queued(subject.id), writer);
    parts.history.replaceWith(next.history);
    parts.forecast.replaceWith(next.forecast);
    parts = next;
  });
}
