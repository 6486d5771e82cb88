// The page's side of the outbox (outbox-db.js): queue a write, sync on every trigger,
// keep the status bar's numbers in the store.
import "./outbox-db.js";
import * as api from "./api.js";
import * as store from "./store.js";

const db = self.NiisOutbox;
const TIMER_MS = 30000;
export const BACKGROUND_TAG = "niis-outbox";

export const list = () => db.all();
export const recover = () => db.recover();

// Every write a screen makes: queued first, then sent when it can be.
// `label` ({key, values}) says in the outbox screen what the write was.
export async function submit({ method = "POST", path, body, label }) {
  const user = store.get().user;
  if (!user) throw new Error("signed out");
  const item = await db.add({ account: user.id, method, path, body, label });
  await refresh();
  askBackgroundSync();
  sync();
  return item;
}

export async function refresh() {
  const user = store.get().user;
  store.set({ outbox: user ? await db.summary(user.id) : null });
}

let running = null;
let hooks = { gate: async () => Boolean(api.csrf()), sessionEnded: () => {} };

// app.js says what must hold before a pass (a session with its CSRF token, a shell the
// API still serves; asked only when something waits) and what to do when the server
// answers that the session has ended.
export function configure(given) {
  hooks = { ...hooks, ...given };
}

async function pass(force) {
  const user = store.get().user;
  if (!user || !(await db.summary(user.id)).pending || !(await hooks.gate())) return;
  const stopped = await db.sync({ account: user.id, csrf: api.csrf(), force });
  if (stopped === "signed-out") hooks.sessionEnded();
}

// One sync at a time from this page; `force` ignores the back-off ("Send now").
export function sync({ force = false } = {}) {
  running ??= pass(force).finally(() => {
    running = null;
    return refresh();
  });
  return running;
}

async function askBackgroundSync() {
  // Chromium only; elsewhere the triggers below do the work.
  const registration = await navigator.serviceWorker?.getRegistration();
  await registration?.sync?.register(BACKGROUND_TAG).catch(() => {});
}

export const discard = async (seq) => { await db.remove(seq); await refresh(); };
export const retry = async (seq, body) => { await db.requeue(seq, body); await refresh(); return sync({ force: true }); };
export const forget = (account) => db.forget(account);

// Sync on app open (the caller's first sync), on `online`, on focus, on a timer while
// something waits, and when the service worker's background pass changed something.
export function startTriggers() {
  window.addEventListener("online", () => sync({ force: true })); // the network is back: no back-off
  window.addEventListener("focus", () => sync());
  document.addEventListener("visibilitychange", () => { if (!document.hidden) sync(); });
  setInterval(() => { if (store.get().outbox?.pending) sync(); }, TIMER_MS);
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "outbox-changed") refresh();
  });
}
