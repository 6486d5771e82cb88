// What the transfer screens (move, transfer-request, transfers) and the record share:
// picking a facility or commune anywhere in the country, the words for a request's state,
// the home tile for requests waiting on the person, and a record's transfer state.
// The rule they follow: docs/registry.md, "Transfers".
import * as api from "./api.js";
import { h, say } from "./dom.js";
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as store from "./store.js";
import { day, item, settle, showErrors, watch } from "./registry-view.js";

// The transfer screens' styles, added once (as registry-view.js does for its own).
if (!document.querySelector('link[href="/transfer.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/transfer.css" }));
}

const TYPING_PAUSE_MS = 300;

const described = (destination, kind) =>
  kind === "place"
    ? [destination.place_name, destination.above].filter(Boolean).join(", ")
    : `${destination.facility_name} · ${[destination.place_name, destination.above].filter(Boolean).join(", ")}`;

// A search box over GET /api/transfer-destinations with the matches as buttons (a phone:
// no long select to scroll). `kind` "facility" picks a facility (and its commune),
// "place" a commune (one line per commune). `name` is the API field the server's
// refusal names (its message lands under the box).
export function destinationPicker({ name, labelKey, hintKey, kind = "facility" }) {
  const id = `f-${name.replace(/[^\w]+/g, "-")}`;
  const box = h("input", { id, type: "search", autocomplete: "off", "data-field": name,
    "aria-describedby": `${id}-hint ${id}-chosen ${id}-error` });
  const hint = h("p", { id: `${id}-hint`, class: "muted hint", i18n: hintKey });
  const chosenLine = h("p", { id: `${id}-chosen`, class: "chosen", role: "status" });
  const error = h("p", { id: `${id}-error`, class: "error field-error", role: "alert", hidden: true });
  const matches = h("ul", { class: "destinations", "aria-label": t("move.pick.matches") });
  let chosen = null;
  let timer = null;
  let asked = 0;

  function pick(destination) {
    chosen = destination;
    say(chosenLine, "move.pick.chosen", { name: described(destination, kind) });
    for (const button of matches.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.key === keyOf(destination)));
    }
  }
  const keyOf = (destination) => String(kind === "place" ? destination.place_id : destination.facility_id);

  async function look() {
    const typed = box.value.trim();
    const mine = ++asked;
    if (typed.replace(/\W/g, "").length < 2) { matches.replaceChildren(); return; }
    let found;
    try {
      found = await api.request("GET", `/api/transfer-destinations?q=${encodeURIComponent(typed)}`);
    } catch (failure) {
      if (mine === asked) matches.replaceChildren(h("li", { class: "muted", text: failure.status === 0 ? t("move.pick.offline") : failure.message }));
      return;
    }
    if (mine !== asked) return; // a later search answered first
    const seen = new Set();
    const shown = found.filter((d) => !seen.has(keyOf(d)) && seen.add(keyOf(d)));
    matches.replaceChildren(...(shown.length ? shown.map((destination) => h("li", {},
      h("button", { type: "button", class: "secondary destination", "data-key": keyOf(destination),
        "aria-pressed": String(chosen !== null && keyOf(chosen) === keyOf(destination)),
        text: described(destination, kind), onclick: () => pick(destination) })))
      : [h("li", { class: "muted", i18n: "move.pick.none" })]));
  }
  box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(look, TYPING_PAUSE_MS); });
  box.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); look(); } });

  const node = h("div", { class: "field" }, h("label", { for: id, i18n: labelKey }), box, hint, error, matches, chosenLine);
  return { node, box, chosen: () => chosen };
}

export const requestStatusWord = (status) => t(`move.status.${status}`);

// A request as the family described the child: name, birth date, phone, from where, when.
export function requestFacts(request) {
  const from = request.from_place_name;
  // A station is named after its commune: the commune is said only when the name lacks it.
  const to = request.to_facility_name.includes(request.to_place_name)
    ? request.to_facility_name : [request.to_facility_name, request.to_place_name].filter(Boolean).join(", ");
  return h("dl", { class: "facts" },
    [
      ["move.request.birth_date", day(request.birth_date)],
      ["move.request.phone", request.guardian_phone],
      ["move.request.from", from],
      ["move.request.moved_on", day(request.moved_on)],
      ["move.request.to", to],
      ["move.request.requester", request.requester_name],
      ["move.request.reason", request.reason],
    ].filter(([, value]) => value).flatMap(([key, value]) => [h("dt", { i18n: key }), h("dd", { text: value })]));
}

// Incoming requests waiting on this person (GET …?side=incoming, pending); [] offline.
export async function incoming() {
  try {
    return await api.request("GET", "/api/transfer-requests?side=incoming&status=pending");
  } catch (error) {
    if (error.status === 0 || error.status === 403) return [];
    throw error;
  }
}

// Home's tile for requests to decide: shown only when some wait (one tap to the list,
// a second to approve or decline).
export function incomingTile() {
  const tile = h("a", { class: "task", id: "transfers-waiting", href: "#/transfers", hidden: true });
  incoming().then((waiting) => {
    if (!waiting.length) return;
    say(tile, "move.task.waiting", { count: waiting.length });
    tile.hidden = false;
  }, () => {});
  return tile;
}

// The record's transfer state: requests about this subject (waiting for this side's
// decision, or filed by this person and approved) and a move still in the outbox.
export async function recordTransfers(subject, queuedMoves) {
  const [waiting, mine] = await Promise.all([
    incoming(),
    api.request("GET", "/api/transfer-requests?side=outgoing&status=approved").catch(() => []),
  ]);
  const lines = [
    ...queuedMoves.map((item) => h("li", { class: "notice", i18n: [`move.record.${item.state === "refused" ? "refused" : "queued"}`, {}] })),
    ...waiting.filter((r) => r.candidates.includes(subject.id)).map((r) => h("li", {},
      h("span", { i18n: ["move.record.waiting", { name: r.requester_name, date: day(r.requested_at) }] }), " ",
      h("a", { href: "#/transfers", class: "back", i18n: "move.record.decide" }))),
    ...mine.filter((r) => r.subject === subject.id).map((r) => h("li", {
      i18n: ["move.record.approved", { date: day(r.decided_at) }] })),
  ];
  return lines.length ? h("ul", { class: "plain", id: "transfer-state" }, lines) : null;
}

// One write of a transfer form through the outbox, and its answer shown on the form: a
// refusal under its field (the rest in the outcome line), "will be sent" while offline
// (followed until sent), `confirmed(item)` once the server has it. A resent form after
// a refusal keeps the write's key.
export function formWrite({ form, outcome, submit, queuedKey, confirmed }) {
  let seq = null;
  let stopWatching = null;

  function tell(key, kind, values) {
    say(outcome, key, values);
    outcome.className = `outcome ${kind}`;
    outcome.hidden = false;
  }

  function show(found) {
    submit.disabled = false;
    if (!found) return;
    if (found.state === "confirmed") return confirmed(found);
    if (found.state === "pending" || found.state === "sending") return tell(queuedKey, "pending");
    const error = found.error ?? {};
    const unplaced = showErrors(form, error);
    // Every message under its field: the line says only where to look.
    if (!unplaced.length && Object.keys(api.fieldErrors(error)).length) return tell("move.fix", "refused");
    tell("move.refused", "refused", { message: unplaced.join(" ") || error.message || "" });
  }

  async function send(path, body, label) {
    submit.disabled = true;
    if (seq !== null && (await item(seq))?.state === "refused") await outbox.retry(seq, body);
    else seq = (await outbox.submit({ path, body, label })).seq;
    stopWatching?.();
    const found = await settle(seq);
    show(found);
    if (found?.state === "pending" || found?.state === "sending") stopWatching = watch(seq, store, show);
  }

  return { tell, send, stop: () => stopWatching?.() };
}
