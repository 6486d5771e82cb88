// The outbox: what waits to be sent, and what the server refused, for the person to resolve.
import { fieldErrors } from "../api.js";
import { h } from "../dom.js";
import { age, explain, shownMoment, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import * as store from "../store.js";
import { waitingList } from "../camera.js";
import { DOSES_PATH, reopenRoute } from "../dose-view.js";

function describe(item) {
  return item.label ? t(item.label.key, item.label.values ?? {}) : `${item.method} ${item.path}`;
}

// The fields the server named (the registration screen puts these under its inputs).
function fieldList(error) {
  const fields = Object.entries(fieldErrors(error));
  if (!fields.length) return null;
  return h("ul", { class: "fields" }, fields.map(([field, message]) => h("li", { text: `${field}: ${message}` })));
}

// The screen that reopens a refused write of its kind, to resolve it where it was made
// (a registration's 409 shows its candidates side by side there).
const REOPEN = [
  { method: "POST", path: /^\/api\/subjects$/, route: (item) => `register/${item.seq}` },
  // A dose the server wants confirmed (a screening finding) or refused: the dose screen.
  { method: "POST", path: new RegExp(`^${DOSES_PATH}$`), route: reopenRoute },
];

function reopenLink(item) {
  const screen = REOPEN.find((entry) => entry.method === item.method && entry.path.test(item.path));
  if (!screen) return null;
  const key = item.error?.code === "possible_duplicates" ? "review.outbox.compare" : "review.outbox.open";
  return h("a", { class: "task small", href: `#/${screen.route(item)}`, text: t(key) });
}

function row(item, redraw) {
  const state = h("p", { class: `state ${item.state}`, text: t(`outbox.state.${item.state}`) });
  const parts = [h("h3", { text: describe(item) }), state,
    h("p", { class: "muted", text: t("outbox.written", { age: age(Date.now() - item.created_at) }) })];
  // A write that could not be sent yet says how often it was tried (no network, server down).
  if (item.state === "pending" && item.attempts) parts.push(h("p", { class: "muted attempts", text: t("review.outbox.tried", { count: item.attempts }) }));
  // Applied at sync, but someone must look (a double dose elsewhere, a lot put on hold).
  if (item.synced?.outcome === "conflict") {
    const why = item.synced.conflicts.map((code) => t(`sync.conflict.${code}`)).join("; ");
    parts.push(h("p", { class: "notice conflict", text: t("sync.conflict", { why }) }));
  }
  if (item.error) {
    parts.push(h("p", { class: item.state === "refused" ? "error" : "muted", text: explain(item.error) }), fieldList(item.error));
  }
  if (item.state === "refused") {
    const confirm = h("div", { class: "row", hidden: true },
      h("button", { type: "button", class: "danger", text: t("outbox.discard.confirm"),
        onclick: async () => { await outbox.discard(item.seq); redraw(); } }),
      h("button", { type: "button", class: "secondary", text: t("outbox.discard.cancel"),
        onclick: () => { confirm.hidden = true; } }));
    parts.push(
      h("div", { class: "row" },
        reopenLink(item),
        h("button", { type: "button", text: t("outbox.retry"), onclick: async () => { await outbox.retry(item.seq); redraw(); } }),
        h("button", { type: "button", class: "secondary", text: t("outbox.discard"), onclick: () => { confirm.hidden = false; } })),
      confirm);
  }
  return h("li", { class: `card item ${item.state}` }, parts);
}

export async function render(root) {
  const user = store.get().user;
  const listing = h("ul", { class: "items", "aria-live": "polite" });
  const empty = h("p", { class: "muted", text: t("outbox.empty") });
  const synced = h("p", { class: "muted", id: "last-synced" });

  async function redraw() {
    const items = (await outbox.list()).filter((item) => item.account === user.id).sort((a, b) => a.seq - b.seq);
    const photos = await waitingList();
    listing.replaceChildren(...items.map((item) => row(item, redraw)), ...photos);
    empty.hidden = items.length + photos.length > 0;
    const at = store.get().outbox?.syncedAt;
    synced.textContent = at ? t("sync.lastSynced", { time: shownMoment(Date.parse(at)) }) : t("sync.never");
  }

  root.append(
    h("section", { class: "card" },
      h("h2", { text: t("outbox.heading") }),
      h("button", { type: "button", id: "send-now", text: t("outbox.send"),
        onclick: async () => { await outbox.sync({ force: true }); redraw(); } }),
      synced,
      h("a", { href: "#/", class: "back", text: t("nav.home") })),
    empty,
    listing,
  );
  await redraw();
  // Each refresh of the outbox's summary (after every pass, the service worker's too) is
  // a new object: redrawn then, even when its counts did not change (an item shown
  // "sending" as the pass began is pending again, with one more attempt).
  let last = store.get().outbox;
  return store.subscribe((state) => {
    if (state.outbox !== last) { last = state.outbox; redraw(); }
  });
}
