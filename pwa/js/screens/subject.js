// A subject's record (#/subject/<id>): identity, guardians, status, moves, and what is
// due per vaccine group (POST /api/forecast) in plain words, "do not give" / "postpone
// until" / "refer" with the reason where the advice says so; print the A6 card; correct;
// preview a screening.
import * as api from "../api.js";
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
import * as store from "../store.js";
import {
  ADVISED_ORDER, backLink, day, groupLine, groupWords, nameOf, observationsOf, relationshipWord, sexWord, statusWord,
} from "../registry-view.js";
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

async function forecast(subject) {
  const assessment = await api.request("POST", "/api/forecast", {
    birth_date: subject.birth_date, sex: subject.sex, observations: observationsOf(subject), language: language(),
  });
  const today = assessment.assessment_date;
  const lines = assessment.vaccine_groups
    .map((group) => groupWords(group, today))
    .sort((a, b) => ADVISED_ORDER.indexOf(a[2]) - ADVISED_ORDER.indexOf(b[2]) || (a[1].due < b[1].due ? -1 : 1));
  return h("div", {},
    h("p", { class: "muted", i18n: ["registry.forecast.as_of", { date: day(today) }] }),
    h("ul", { class: "plain forecast", id: "forecast" }, lines.map(groupLine)));
}

// A part of the record that could not be read says so, and the rest still shows.
async function part(build) {
  try {
    return await build();
  } catch (error) {
    return h("p", { class: "error", text: error.status === 0 ? t("registry.subject.offline") : error.message });
  }
}

export async function render(root, [id]) {
  let subject;
  try {
    subject = await api.request("GET", `/api/subjects/${encodeURIComponent(id)}`);
  } catch (error) {
    root.append(h("section", { class: "card" },
      h("h2", { i18n: "registry.subject.unavailable" }),
      h("p", { class: "error", role: "alert", text: error.status === 0 ? t("registry.subject.offline") : error.message }),
      backLink("search", "registry.search.back")));
    return;
  }
  const writer = store.get().user?.role !== "parent";
  // A move of this record still in the outbox (offline, or refused) shows on it.
  const queuedMoves = writer ? (await outbox.list()).filter((item) => item.path === `/api/subjects/${subject.id}/move`
    && item.state !== "confirmed" && item.account === store.get().user.id) : [];
  const [identityPart, movesPart, forecastPart, transfersPart] = await Promise.all([
    part(() => identity(subject)), part(() => moves(subject.id)), part(() => forecast(subject)),
    writer ? part(() => recordTransfers(subject, queuedMoves)) : null,
  ]);
  root.append(...[
    h("section", { class: "card" },
      h("h2", { text: subject.full_name }),
      identityPart,
      h("div", { class: "row" },
        // The card is a print-ready page of its own (the API serves it): a new tab to print.
        h("a", { class: "button-link", href: `/api/subjects/${subject.id}/card`, target: "_blank", rel: "noopener",
          i18n: "registry.subject.card" }),
        writer ? h("a", { class: "button-link secondary", href: `#/correct/${subject.id}`, i18n: "registry.subject.correct" }) : null,
        writer ? h("a", { class: "button-link secondary", href: `#/move/${subject.id}`, i18n: "move.action" }) : null,
        writer ? h("a", { class: "button-link secondary", href: `#/screening/${subject.id}`, i18n: "screening.open" }) : null),
      backLink("search", "registry.search.back")),
    section("registry.subject.forecast", forecastPart),
    section("registry.subject.guardians", guardians(subject)),
    subject.pregnancies.length ? section("registry.subject.pregnancies", h("ul", { class: "plain" },
      subject.pregnancies.map((p) => h("li", { i18n: ["registry.subject.expected", { date: day(p.expected_delivery) }] })))) : null,
    transfersPart ? section("move.record.heading", transfersPart) : null,
    section("registry.subject.moves", movesPart),
  ].filter(Boolean));
}
