// Transfer requests (#/transfers): those waiting on this side's decision (a family who
// moved away asks, from their new commune, for their child's record) with the records
// they may be about, to approve (the record moves to the requester) or decline; and the
// requests this person filed, with their state. Every decision goes through the outbox;
// a refusal (already decided: 409, the requester's own: 403) is said on the request.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { settled } from "../records.js";
import { day, sexWord } from "../registry-view.js";
import { incoming, requestFacts, requestStatusWord } from "../transfer-view.js";

// The requests this person filed, by state (a withdrawn one is not shown again).
const SHOWN_OUTGOING = ["pending", "approved", "declined"];

async function candidate(subjectId) {
  try {
    return await api.request("GET", `/api/subjects/${subjectId}`);
  } catch {
    return null; // moved or merged meanwhile: not offered
  }
}

// One decision (approve, decline, cancel) through the outbox; the request's card says
// what became of it.
async function decide(request, action, body, status) {
  const queued = await outbox.submit({ path: `/api/transfer-requests/${request.id}/${action}`, body,
    label: { key: `move.write.${action}`, values: { name: request.full_name } } });
  const answered = await settled(queued.seq);
  if (answered?.state === "refused") {
    status.textContent = answered.error?.message ?? "";
    status.className = "outcome refused";
  } else {
    status.textContent = t(answered?.state === "confirmed" ? `move.decided.${action}` : "move.queued");
    status.className = `outcome ${answered?.state === "confirmed" ? "done" : "pending"}`;
  }
  status.hidden = false;
  // Decided: the request's buttons go (the list shows it decided until the next visit).
  if (answered?.state === "confirmed") for (const button of status.parentElement.querySelectorAll("button")) button.hidden = true;
}

async function incomingCard(request) {
  const status = h("p", { class: "outcome", role: "status", hidden: true });
  const people = (await Promise.all(request.candidates.map(candidate))).filter(Boolean);
  const confirmDecline = h("div", { class: "row", hidden: true },
    h("button", { type: "button", class: "danger", i18n: "move.decline_confirm",
      onclick: () => decide(request, "decline", undefined, status) }),
    h("button", { type: "button", class: "secondary", i18n: "outbox.discard.cancel",
      onclick: () => { confirmDecline.hidden = true; } }));
  return h("li", { class: "card request", "data-request": request.id },
    h("h3", { text: request.full_name }),
    requestFacts(request),
    h("h4", { i18n: people.length ? "move.candidates" : "move.no_candidates" }),
    h("ul", { class: "plain" }, people.map((subject) => h("li", { class: "card candidate" },
      h("p", { class: "name", text: subject.full_name }),
      h("p", { text: `${subject.code_display} · ${day(subject.birth_date)} · ${sexWord(subject.sex)}` }),
      h("p", { class: "muted", text: subject.guardians.map((g) => [g.full_name, g.phone].filter(Boolean).join(" · ")).join("; ") }),
      h("button", { type: "button", i18n: ["move.approve", { code: subject.code_display }],
        onclick: () => decide(request, "approve", { subject_id: subject.id }, status) })))),
    h("div", { class: "row" },
      h("button", { type: "button", class: "secondary", i18n: "move.decline", onclick: () => { confirmDecline.hidden = false; } })),
    confirmDecline, status);
}

function outgoingCard(request) {
  const status = h("p", { class: "outcome", role: "status", hidden: true });
  return h("li", { class: "card request", "data-request": request.id },
    h("h3", { text: request.full_name }),
    h("p", { class: `state ${request.status}`, text: requestStatusWord(request.status) }),
    requestFacts(request),
    request.status === "pending" ? h("button", { type: "button", class: "secondary", i18n: "move.cancel",
      onclick: () => decide(request, "cancel", undefined, status) }) : null,
    request.subject ? h("a", { class: "button-link", href: `#/subject/${request.subject}`, i18n: "move.open_record" }) : null,
    status);
}

export async function render(root) {
  const waiting = h("ul", { id: "incoming", class: "items" });
  const mine = h("ul", { id: "outgoing", class: "items" });
  const note = h("p", { class: "muted", role: "status" });
  root.append(
    h("section", { class: "card" },
      h("h2", { i18n: "move.list.heading" }),
      h("a", { class: "button-link", href: "#/transfer-request", i18n: "move.task.request" }),
      note,
      h("a", { href: "#/", class: "back", i18n: "nav.home" })),
    h("section", {}, h("h3", { i18n: "move.list.incoming" }), waiting),
    h("section", {}, h("h3", { i18n: "move.list.outgoing" }), mine));

  async function draw() {
    try {
      const [toDecide, ...filedByStatus] = await Promise.all([incoming(), ...SHOWN_OUTGOING.map(
        (status) => api.request("GET", `/api/transfer-requests?side=outgoing&status=${status}`))]);
      const filed = filedByStatus.flat().sort((a, b) => b.id - a.id);
      waiting.replaceChildren(...(toDecide.length ? await Promise.all(toDecide.map(incomingCard))
        : [h("li", { class: "muted", i18n: "move.list.none_incoming" })]));
      mine.replaceChildren(...(filed.length ? filed.map(outgoingCard)
        : [h("li", { class: "muted", i18n: "move.list.none_outgoing" })]));
      note.textContent = "";
    } catch (error) {
      note.textContent = error.status === 0 ? t("move.list.offline") : error.message;
    }
  }
  await draw();
}
