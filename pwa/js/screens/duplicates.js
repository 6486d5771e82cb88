// Officers' duplicate review: the likely pairs of their area side by side with the
// evidence; keep one record (merge the other into it), or "not the same person"
// (dismiss); each decision can be undone. Every decision is a write through the outbox.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { settled, sexWord, shownDate } from "../records.js";
import { reasonText } from "../review-view.js";

function person(subject) {
  return h("div", { class: "person" },
    h("h3", { text: subject.full_name }),
    h("dl", { class: "facts" },
      h("dt", { text: t("duplicates.code") }), h("dd", { text: subject.code_display }),
      h("dt", { text: t("duplicates.birth") }), h("dd", { text: shownDate(subject.birth_date) }),
      h("dt", { text: t("duplicates.sex") }), h("dd", { text: sexWord(subject.sex) }),
      h("dt", { text: t("duplicates.address") }), h("dd", { text: subject.address_detail || "—" }),
      h("dt", { text: t("duplicates.guardians") }),
      h("dd", { text: (subject.guardians ?? []).map((g) => [g.full_name, g.phone].filter(Boolean).join(" · ")).join("; ") || "—" })));
}

// The write a decision makes, and the write that undoes it once the server has it.
const DECISIONS = {
  dismiss: {
    write: (pair) => ({ path: `/api/duplicates/${pair.id}/dismiss`, label: { key: "duplicates.write.dismiss", values: { id: pair.id } } }),
    undo: (pair) => ({ path: `/api/duplicates/${pair.id}/reopen`, label: { key: "duplicates.write.reopen", values: { id: pair.id } } }),
    done: "duplicates.dismissed",
  },
  merge: {
    write: (pair, survivor, merged) => ({ path: "/api/subjects/merge", body: { survivor_id: survivor.id, merged_id: merged.id },
      label: { key: "duplicates.write.merge", values: { name: merged.full_name } } }),
    undo: (pair, answer) => ({ path: `/api/merges/${answer.id}/undo`, label: { key: "duplicates.write.unmerge", values: { id: answer.id } } }),
    done: "duplicates.merged",
  },
};

function pairCard(pair) {
  const [first, second] = pair.subjects;
  const status = h("p", { class: "notice", role: "status", hidden: true });
  const choices = h("div", { class: "row" });
  const card = h("li", { class: "card pair", "data-pair": pair.id },
    h("ul", { class: "reasons", "aria-label": t("duplicates.reasons") },
      pair.reasons.map((reason) => h("li", { text: reasonText(reason) }))),
    h("div", { class: "side-by-side" }, person(first), person(second)),
    choices, status);

  function say(text, actions = []) {
    status.textContent = text;
    status.hidden = !text;
    choices.replaceChildren(...actions);
  }

  // Queued and sent; a refusal is said here and kept in the outbox for the person.
  async function decide(kind, ...people) {
    const decision = DECISIONS[kind];
    const item = await outbox.submit({ method: "POST", ...decision.write(pair, ...people) });
    const answered = await settled(item.seq);
    if (answered?.state === "refused") return say(answered.error.message, offer());
    const undo = h("button", { type: "button", class: "secondary", text: t("duplicates.undo"),
      onclick: () => undoIt(decision, answered) });
    say(t(answered?.state === "confirmed" ? decision.done : "duplicates.queued"), [undo]);
  }

  async function undoIt(decision, item) {
    const now = await self.NiisOutbox.get(item.seq);
    if (now && now.state !== "confirmed") {
      // Never sent: taking it out of the outbox is the whole undo.
      await outbox.discard(item.seq);
    } else {
      const answered = await settled((await outbox.submit({ method: "POST", ...decision.undo(pair, now?.response) })).seq);
      if (answered?.state === "refused") return say(answered.error.message, []);
    }
    say("", offer());
  }

  function offer() {
    return [
      h("button", { type: "button", text: t("duplicates.keep", { name: first.full_name, code: first.code_display }),
        onclick: () => decide("merge", first, second) }),
      h("button", { type: "button", text: t("duplicates.keep", { name: second.full_name, code: second.code_display }),
        onclick: () => decide("merge", second, first) }),
      h("button", { type: "button", class: "secondary", text: t("duplicates.dismiss"), onclick: () => decide("dismiss") }),
    ];
  }
  say("", offer());
  return card;
}

export async function render(root) {
  const listing = h("ul", { id: "pairs", class: "items" });
  const note = h("p", { class: "muted", role: "status" });
  root.append(
    h("section", { class: "card" },
      h("h2", { text: t("duplicates.heading") }),
      h("p", { class: "muted", text: t("duplicates.intro") }),
      note,
      h("a", { href: "#/", class: "back", text: t("nav.home") })),
    listing,
  );
  try {
    const page = await api.request("GET", "/api/duplicates?status=open&page_size=50");
    listing.replaceChildren(...page.items.map(pairCard));
    note.textContent = page.items.length ? t("duplicates.count", { count: page.items.length }) : t("duplicates.none");
  } catch (error) {
    note.textContent = error.status === 0 ? t("duplicates.offline") : error.message;
  }
}
