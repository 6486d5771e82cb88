// Start-up: language, service worker, the API's minimum shell, session, router, sync.
import "./shell.js";
import * as api from "./api.js";
import { $, h } from "./dom.js";
import { age, explain, language, setLanguage, shownMoment, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as router from "./router.js";
import * as store from "./store.js";

export const SHELL_VERSION = self.NIIS_SHELL.version;
const USER_KEY = "niis.user"; // the account, for opening offline (no token in it)
// A sign-out made offline: the server still holds the session, and its cookie is still
// in the browser. It is ended as soon as the server answers, before anyone uses it.
const SIGN_OUT_KEY = "niis.signout";
const UPDATE_CHECK_MS = 3600 * 1000;

export async function signedIn(user) {
  localStorage.removeItem(SIGN_OUT_KEY); // the new session replaced the old cookie
  localStorage.setItem(USER_KEY, JSON.stringify({ ...user, csrf_token: undefined }));
  store.set({ user, outbox: null });
  keepFacilities(user);
  askPersistentStorage();
  await outbox.refresh();
  await router.refresh();
  outbox.sync({ force: true }); // a sign-in is a fresh start: see start()
}

// Sign-out keeps unsent writes (their author sends them at the next sign-in) and clears
// what was cached for reading, so the next person on a shared tablet sees nothing of it.
export async function signOut() {
  const user = store.get().user;
  await endSession().then(
    () => localStorage.removeItem(SIGN_OUT_KEY),
    () => localStorage.setItem(SIGN_OUT_KEY, "1"),
  );
  if (user) await outbox.forget(user.id);
  localStorage.removeItem(USER_KEY);
  store.set({ user: null, outbox: null });
  router.go("login");
}

// The app opened from the account kept on the device shows home before the server's
// answer brings the session's CSRF token: a sign-out tapped meanwhile asks for it first
// (sent without it, the sign-out was refused and the session left open until the next
// time the app opened on this device).
async function endSession() {
  if (!api.csrf() && !(await api.currentUser())) return; // no session left to end
  await api.logout();
}

// Staff register offline into the facilities kept on the device: kept from the session's
// start, not first when the registration form opens (a form opened as the network went
// had none, and its registration was refused at sync for want of a place). In the
// background: no screen waits for it.
function keepFacilities(user) {
  if (user.role === "parent") return;
  import("./registry-view.js").then(({ facilities }) => facilities(user)).catch(() => {});
}

async function askPersistentStorage() {
  if (!navigator.storage?.persist) return store.set({ storage: "unsupported" });
  const kept = (await navigator.storage.persisted()) || (await navigator.storage.persist());
  store.set({ storage: kept ? "persisted" : "best-effort" });
}

// The status bar: visible on every screen, one tap to the outbox.
function renderStatus(state) {
  const bar = $("sync-status");
  $("offline").hidden = state.online;
  bar.hidden = !state.user || !state.outbox;
  // When the server last answered this device's batch, under the bar (its own line: the
  // bar's text says what waits, and screens read it whole).
  const syncedAt = $("synced-at");
  syncedAt.hidden = bar.hidden || !state.outbox.syncedAt;
  if (!syncedAt.hidden) syncedAt.textContent = t("sync.lastSynced", { time: shownMoment(Date.parse(state.outbox.syncedAt)) });
  if (bar.hidden) return;
  const { pending, refused, refusal, others, oldest } = state.outbox;
  const parts = [];
  if (refused) parts.push(t("sync.refused", { count: refused }));
  if (refusal) {
    const what = refusal.label ? t(refusal.label.key, refusal.label.values) : "";
    parts.push(t("sync.refused.why", { what, why: explain(refusal.error) }));
  }
  if (pending) parts.push(t("sync.pending", { count: pending, age: age(Date.now() - oldest) }));
  if (!pending && !refused) parts.push(t("sync.synced"));
  if (others) parts.push(t("sync.others", { count: others }));
  bar.textContent = parts.join(" · ");
  bar.className = `status ${refused ? "refused" : pending ? "pending" : "synced"}`;
}

function renderUpdate(state) {
  $("update").hidden = !(state.update || state.shellTooOld);
  $("update-text").textContent = t(state.shellTooOld ? "update.required" : "update.available");
}

// A new shell installs in the background and waits; the person chooses when to switch
// (nothing is lost: writes are in IndexedDB). A shell the API no longer serves must switch.
async function watchUpdates() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { updateViaCache: "none" });
  const waiting = () => {
    if (registration.waiting && navigator.serviceWorker.controller) store.set({ update: true });
  };
  registration.addEventListener("updatefound", () => {
    registration.installing?.addEventListener("statechange", waiting);
  });
  waiting();
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !store.get().update) return;
    reloading = true;
    location.reload();
  });
  $("update-now").addEventListener("click", () => {
    if (registration.waiting) {
      store.set({ update: true });
      registration.waiting.postMessage({ type: "skip-waiting" });
    } else {
      registration.update().catch(() => {});
    }
  });
  const check = () => registration.update().catch(() => {});
  window.addEventListener("focus", check);
  setInterval(check, UPDATE_CHECK_MS);
}

// Checks made at the same moment (the `online` event's own and the sync pass it starts)
// share one question to the server: its answer is as fresh as a new one.
let versionAsked = null;

function minShell() {
  versionAsked ??= api.version().then((answer) => answer.min_shell).finally(() => { versionAsked = null; });
  return versionAsked;
}

async function checkShellVersion() {
  try {
    const minimum = await minShell();
    store.set({ shellTooOld: SHELL_VERSION < minimum });
    if (SHELL_VERSION < minimum) (await navigator.serviceWorker?.getRegistration())?.update();
  } catch {
    // Offline: keep what we knew.
  }
}

// The sync pass of app open follows start()'s own check (awaited just before): it is not
// asked twice. Every later pass asks again (a release may have raised min_shell since).
let shellJustChecked = false;

// Before the outbox sends: this shell is one the API serves, and the session is alive
// (an app opened offline has no CSRF token until the server answers).
async function readyToSend() {
  if (!shellJustChecked) await checkShellVersion();
  if (store.get().shellTooOld) return false;
  if (!api.csrf()) {
    const me = await session().catch(() => undefined);
    if (me === null) sessionEnded();
  }
  return Boolean(api.csrf());
}

// The session ended (expired, or signed out elsewhere): sign in again; the writes wait.
function sessionEnded() {
  localStorage.removeItem(USER_KEY);
  store.set({ user: null, outbox: null });
  router.go("login");
}

// The signed-in account, null when signed out; throws when the server does not answer.
async function session() {
  const me = await api.currentUser();
  if (me && localStorage.getItem(SIGN_OUT_KEY)) {
    await api.logout();
    localStorage.removeItem(SIGN_OUT_KEY);
    return null;
  }
  return me;
}

function watchNetwork() {
  const update = () => store.set({ online: navigator.onLine });
  window.addEventListener("online", () => { update(); checkShellVersion(); });
  window.addEventListener("offline", update);
}

// The first screen comes from what this device knows (the account last signed in here,
// or none: sign-in), without waiting for the network: on a slow link each round trip
// costs ~0.4 s (bench/pwa.py). The server's answer follows and corrects it: a session
// that ended sends the person to sign-in, one this device did not know opens home.
async function start() {
  const known = JSON.parse(localStorage.getItem(USER_KEY) || "null");
  const answered = Promise.all([session(), checkShellVersion()]).then(([me]) => me, () => undefined);
  // A sign-out made offline is finished on the server before anyone can sign in here
  // (a new sign-in racing it would be the one ended).
  if (localStorage.getItem(SIGN_OUT_KEY)) await answered;
  await setLanguage(language());
  const picker = $("lang");
  picker.value = language();
  picker.addEventListener("change", async () => {
    await setLanguage(picker.value);
    store.set({});
    router.languageChanged();
  });
  store.subscribe(renderStatus);
  store.subscribe(renderUpdate);
  watchNetwork();
  watchUpdates().catch(() => {});
  store.set({ user: known });
  if (known) askPersistentStorage();
  await outbox.recover();
  await outbox.refresh();
  outbox.configure({ gate: readyToSend, sessionEnded });
  outbox.startTriggers();
  // Photos waiting to be read: loaded apart, so the sign-in page does not wait for the
  // camera's module (bench/pwa.py: each round trip costs ~0.4 s on slow 3G).
  import("./camera.js").then(({ startPhotos }) => startPhotos());
  await router.start($("view"));
  // The first screen is rendered and its controls work: bench/pwa.py's time to interactive.
  performance.mark("niis:interactive");
  const user = await answered; // undefined: no network, keep the account known here
  if (user === null && known) return sessionEnded();
  if (user) {
    localStorage.setItem(USER_KEY, JSON.stringify({ ...user, csrf_token: undefined }));
    store.set({ user });
    keepFacilities(user);
    if (user.id !== known?.id) {
      askPersistentStorage();
      await outbox.refresh();
      await router.refresh();
    }
  }
  // App open sends at once, whatever the back-off left by an earlier session: the app
  // may open precisely because the network is back, and no `online` event comes to a
  // page that was not open when it came (one attempt per open costs nothing).
  shellJustChecked = true;
  outbox.sync({ force: true }).finally(() => { shellJustChecked = false; });
}

start();
