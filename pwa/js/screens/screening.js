// A screening preview (#/screening/<subject id>): the Decision 1575 checklist for the
// subject's age (GET /api/screening/forms), the answers ticked, and what they mean for
// each vaccine group today (POST /api/screening/assess: vaccinate, postpone until,
// refer, do not give, with the reasons). A read: nothing is stored (the answers are
// recorded with the vaccination, issue 14).
import * as api from "../api.js";
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
import { adviceWords, backLink, day, observationsOf } from "../registry-view.js";

// The advice's action (schedule.vn.advice.Action) → string key and list order.
const ACTIONS = {
  refer: ["refer", 0],
  postpone: ["postpone", 1],
  vaccinate: ["vaccinate", 2],
  "do not give": ["do_not_give", 3],
  "not yet due": ["not_yet_due", 4],
  "no dose needed": ["none", 5],
};
const KIND = { refer: "referred", postpone: "postponed", vaccinate: "due", "do not give": "withheld" };

function failure(error) {
  return h("p", { class: "error", role: "alert", text: error.status === 0 ? t("registry.subject.offline") : error.message });
}

// One question: a tick box whose label row is the 44 px target; the anaphylaxis question
// also names the vaccine of the previous dose, asked once it is ticked.
export function question(item, vaccines) {
  const id = `q-${item.id}`;
  const box = h("input", { type: "checkbox", id, name: item.id });
  const row = h("div", { class: "choice" }, box, h("label", { for: id, text: item.text }));
  if (!item.names_vaccine) return { node: row, box, vaccine: null };
  const vaccine = h("select", { id: `${id}-vaccine`, name: `${item.id}-vaccine` },
    h("option", { value: "", i18n: "screening.vaccine.choose" }),
    vaccines.map((v) => h("option", { value: v.code, text: v.description })));
  const named = h("div", { class: "field", hidden: true },
    h("label", { for: vaccine.id, i18n: "screening.vaccine.label" }), vaccine);
  box.addEventListener("change", () => { named.hidden = !box.checked; });
  return { node: h("div", {}, row, named), box, vaccine };
}

// A group's outcome: the advice's words where it holds the dose back, else the action.
function groupLine(group) {
  const advice = group.advice;
  const [key] = ACTIONS[advice.action] ?? ACTIONS["no dose needed"];
  const words = adviceWords(group);
  const [textKey, values] = words && words[2] ? words : [`screening.action.${key}`, { group: group.vaccine_group }];
  return h("li", { class: KIND[advice.action] ?? "none", "data-action": advice.action },
    h("span", { class: "group", text: group.vaccine_group }), " ", h("span", { i18n: [textKey, values] }));
}

function showOutcome(place, outcome) {
  const groups = [...outcome.vaccine_groups]
    .sort((a, b) => (ACTIONS[a.advice.action]?.[1] ?? 9) - (ACTIONS[b.advice.action]?.[1] ?? 9));
  const [decision] = ACTIONS[outcome.decision] ?? ACTIONS["not yet due"];
  place.replaceChildren(...[
    h("h3", { id: "screening-decision", i18n: `screening.decision.${decision}` }),
    outcome.notes.length ? h("ul", { class: "reasons" }, outcome.notes.map((note) => h("li", { text: note }))) : null,
    h("ul", { class: "plain forecast", id: "screening-groups" }, groups.map(groupLine)),
    h("p", { class: "muted", i18n: ["screening.version", { version: outcome.checklist_version }] }),
  ].filter(Boolean));
  place.hidden = false;
}

export async function render(root, [id]) {
  let subject;
  let checklist;
  try {
    subject = await api.request("GET", `/api/subjects/${encodeURIComponent(id)}`);
    const query = new URLSearchParams({ birth_date: subject.birth_date, language: language() });
    checklist = await api.request("GET", `/api/screening/forms?${query}`);
  } catch (error) {
    root.append(h("section", { class: "card" }, h("h2", { i18n: "screening.unavailable" }), failure(error),
      backLink("search", "registry.search.back")));
    return;
  }
  const form = checklist.forms.find((f) => f.fits) ?? checklist.forms[checklist.forms.length - 1];
  const questions = form.questions.map((item) => ({ item, ...question(item, checklist.vaccines) }));
  const outcome = h("div", { id: "screening-outcome", class: "card", role: "status", hidden: true });
  const problem = h("div", { id: "screening-problem" });

  async function assess(event) {
    event.preventDefault();
    problem.replaceChildren();
    const answers = {};
    for (const { item, box, vaccine } of questions) {
      if (box.checked) answers[item.id] = vaccine?.value ? { vaccine_code: vaccine.value } : {};
    }
    try {
      showOutcome(outcome, await api.request("POST", "/api/screening/assess", {
        birth_date: subject.birth_date, sex: subject.sex, observations: observationsOf(subject),
        form: form.id, answers, language: language(),
      }));
    } catch (error) {
      outcome.hidden = true;
      problem.append(failure(error));
    }
  }

  root.append(
    h("section", { class: "card" },
      h("h2", { i18n: ["screening.heading", { name: subject.full_name }] }),
      h("p", { class: "muted", i18n: ["screening.preview", { date: day(subject.birth_date) }] }),
      h("form", { id: "screening", onsubmit: assess },
        h("fieldset", {}, h("legend", { text: `${checklist.title}: ${form.title}` }), questions.map((q) => q.node)),
        problem,
        h("button", { type: "submit", i18n: "screening.assess" })),
      h("a", { href: `#/subject/${subject.id}`, class: "back", i18n: "screening.back" })),
    outcome,
  );
}
