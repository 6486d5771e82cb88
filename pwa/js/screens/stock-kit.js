// What the clerk's stock screens share: the store they act for, reads that still show
// offline (the last answer, with its date), a write handed to the outbox and followed
// on screen until the server confirms or refuses it.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { refresh } from "../router.js";
import * as store from "../store.js";

const STORE_KEY = "niis.stock.store";
const CACHE_KEY = "niis.stock.cache:";
// A lot in its last 60 days is "expiring soon", as the daily alert counts them (api/stock/alerts.py).
export const EXPIRING_DAYS = 60;

// A GET answered from the network when it can be, else from the last answer kept on
// this device (stock is no one's personal data: localStorage is enough).
// Resolves {data, savedAt, offline}; throws when there is neither.
export async function read(path) {
  const key = CACHE_KEY + path;
  try {
    const data = await api.request("GET", path);
    localStorage.setItem(key, JSON.stringify({ data, savedAt: Date.now() }));
    return { data, savedAt: Date.now(), offline: false };
  } catch (error) {
    const kept = error.status === 0 ? localStorage.getItem(key) : null;
    if (!kept) throw error;
    return { ...JSON.parse(kept), offline: true };
  }
}

// The clerk's stores and the one chosen (remembered per device).
export async function stores() {
  const { data } = await read("/api/stock/stores");
  const open = data.filter((s) => s.active);
  const chosen = Number(localStorage.getItem(STORE_KEY));
  return { all: open, current: open.find((s) => s.id === chosen) ?? open[0] ?? null };
}

export function choose(storeId) {
  localStorage.setItem(STORE_KEY, String(storeId));
}

// A store picker (shown only when the clerk keeps more than one store).
export function picker(all, current, onChange) {
  if (all.length < 2) return null;
  const select = h("select", { id: "stock-store", name: "store" },
    all.map((s) => h("option", { value: s.id, selected: s.id === current.id, text: s.name })));
  select.addEventListener("change", () => { choose(Number(select.value)); onChange(); });
  return h("label", { class: "field" }, h("span", { text: t("stock.store") }), select);
}

export function offlineNote(answer) {
  if (!answer.offline) return null;
  return h("p", { class: "notice", role: "status", text: t("stock.offline.as_of", { when: new Date(answer.savedAt).toLocaleString() }) });
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

export function daysUntil(isoDate) {
  return Math.round((Date.parse(isoDate) - Date.parse(today())) / 86400000);
}

// The screen's heading card: title, store picker (choosing renders the screen again), back link.
export function header(titleKey, all, current) {
  return h("section", { class: "card" },
    h("h2", { text: t(titleKey) }),
    current ? h("p", { class: "muted", id: "stock-store-name", text: current.name }) : null,
    picker(all, current, refresh),
    h("a", { href: "#/stock", class: "back", text: t("stock.back") }));
}

// What became of a queued write: its outbox item now (undefined once cleared).
async function queued(item) {
  return (await outbox.list()).find((now) => now.seq === item.seq);
}

// Queues a write and shows what became of it in `status` (an aria-live region):
// waiting for the network, sent, or refused with the server's message.
export async function write(status, { method = "POST", path, body, label }) {
  const item = await outbox.submit({ method, path, body, label });
  const show = async () => {
    const now = await queued(item);
    if (!now) return;
    status.className = `stock-result ${now.state}`;
    if (now.state === "confirmed") status.textContent = t("stock.sent");
    else if (now.state === "refused") status.textContent = t("stock.refused", { message: now.error?.message ?? "" });
    else status.textContent = t("stock.queued");
  };
  await show();
  const stop = store.subscribe(() => show());
  return { item, stop };
}

// Calls `then(state)` once, when the server has confirmed or refused the outbox item (to
// read the balances again: a screen shows the server's numbers, never ones computed in
// the app); returns the unsubscribe function for the screen's cleanup.
export function whenSettled(item, then) {
  let done = false;
  const check = async () => {
    if (done) return;
    const now = await queued(item);
    if ((now?.state === "confirmed" || now?.state === "refused") && !done) {
      done = true;
      await then(now.state);
    }
  };
  check();
  return store.subscribe(() => { check(); });
}

// The adjustment reasons a clerk picks (api/stock/services.py AdjustmentReason); open-vial
// discards are written by the open-vial screen and the nightly job, not typed.
export const REASONS = ["broken", "expired", "vvm_discard", "frozen", "cold_chain_failure", "lost", "found"];

// A reason doses left (or, "found", came back) in the app's words; the code itself when
// the app has none for it.
export function reasonText(reason) {
  const key = reason === "found" ? "stockleft.reason.found" : `stockui.reason.${reason}`;
  const text = t(key);
  return text === key ? reason : text;
}

export function lotName(balance) {
  return `${balance.product_code} · ${t("stock.lot", { number: balance.lot_number })}`;
}

// A number input with its label, for doses.
export function dosesInput(id, labelText, value, attributes = {}) {
  const input = h("input", { id, type: "number", inputmode: "numeric", min: 0, step: 1, value: value ?? "", ...attributes });
  return { input, field: h("label", { class: "field", for: id }, h("span", { text: labelText }), input) };
}

// A VVM stage picker (1-4) for a lot whose vial carries one; empty = not read.
export function vvmSelect(id, value) {
  const select = h("select", { id },
    h("option", { value: "", text: t("stock.vvm.unread") }),
    [1, 2, 3, 4].map((stage) => h("option", { value: stage, selected: stage === value, text: t("stock.vvm.stage", { stage }) })));
  return { select, field: h("label", { class: "field", for: id }, h("span", { text: t("stock.vvm") }), select) };
}

export const numberOrNull = (value) => (value === "" || value === null || value === undefined ? null : Number(value));

// root.append for parts that may be lists or absent (null), as h() takes its children.
export function show(root, ...parts) {
  root.append(...parts.flat().filter((part) => part !== null && part !== undefined && part !== false && part !== ""));
}
