// Hash routes → screen modules (one module per screen, loaded when first shown).
// Hash routing: the server only ever serves the shell, so every route opens offline
// from the cached shell (docs/pwa.md, "Router").
import * as store from "./store.js";
import { t } from "./i18n.js";

// route name → {screen module, signed in?}. The next screens add their lines here.
const ROUTES = {
  "": { screen: "home", auth: true },
  login: { screen: "login", auth: false },
  outbox: { screen: "outbox", auth: true },
  // The registry's screens (search, a subject's record, register, correct).
  search: { screen: "search", auth: true },
  subject: { screen: "subject", auth: true },
  register: { screen: "register", auth: true },
  correct: { screen: "correct", auth: true },
  // The stock clerk's screens (issue 12).
  stock: { screen: "stock", auth: true },
  "stock-receive": { screen: "stock-receive", auth: true },
  "stock-transit": { screen: "stock-transit", auth: true },
  "stock-ship": { screen: "stock-ship", auth: true },
  "stock-count": { screen: "stock-count", auth: true },
  "stock-alerts": { screen: "stock-alerts", auth: true },
  // Parents, officers' duplicate review, offline reading (screens-family).
  children: { screen: "children", auth: true },
  child: { screen: "child", auth: true },
  link: { screen: "link", auth: true },
  duplicates: { screen: "duplicates", auth: true },
  facility: { screen: "facility", auth: true },
  // The camera: find a subject by their card's photo.
  scan: { screen: "scan", auth: true },
  // Transfers between communes (a move from the record, requests and their decisions).
  move: { screen: "move", auth: true },
  "transfer-request": { screen: "transfer-request", auth: true },
  transfers: { screen: "transfers", auth: true },
  // Screening preview (issue 13).
  screening: { screen: "screening", auth: true },
  // Stock reports and open vials (stockui).
  "stock-usage": { screen: "stock-usage", auth: true },
  "stock-vials": { screen: "stock-vials", auth: true },
  // Due and overdue lists (issue 14).
  due: { screen: "due", auth: true },
  // Vaccination records: record a dose, a dose from a paper card, void (issue 14).
  dose: { screen: "dose", auth: true },
  "dose-history": { screen: "dose-history", auth: true },
  "dose-void": { screen: "dose-void", auth: true },
  // Offline sync: the double-dose reviews it opens (issue 14).
  "dose-reviews": { screen: "dose-reviews", auth: true },
  // Vaccination certificates (SMART Health Cards): a subject's card, and checking one.
  certificate: { screen: "certificate", auth: true },
  verify: { screen: "verify", auth: true },
  // Stock adjustments, the stock card's reversals, min/max (stockleft).
  "stock-adjust": { screen: "stock-adjust", auth: true },
  "stock-card": { screen: "stock-card", auth: true },
  "stock-levels": { screen: "stock-levels", auth: true },
  // AEFI: a report from a dose's history line; officers' list and one report (issue 14).
  "aefi-report": { screen: "aefi-report", auth: true },
  aefi: { screen: "aefi", auth: true },
  "aefi-detail": { screen: "aefi-detail", auth: true },
  // Sessions and campaigns (issue 14): today's sessions, a roster, planning.
  sessions: { screen: "sessions", auth: true },
  session: { screen: "session", auth: true },
  "session-plan": { screen: "session-plan", auth: true },
  campaigns: { screen: "campaigns", auth: true },
};

let root = null;
let cleanup = null;
let shown = null; // the current screen's module
let rendering = Promise.resolve();

export function go(path) {
  const target = `#/${path}`;
  if (location.hash === target) refresh();
  else location.hash = target;
}

function current() {
  const [name = "", ...params] = location.hash.replace(/^#\/?/, "").split("/");
  return { name, params: params.map(decodeURIComponent) };
}

async function render() {
  const { name, params } = current();
  const route = ROUTES[name] ?? ROUTES[""];
  const user = store.get().user;
  if (route.auth && !user) return go("login");
  if (name === "login" && user) return go("");
  const module = await import(`./screens/${route.screen}.js`);
  cleanup?.();
  root.replaceChildren();
  shown = module;
  cleanup = (await module.render(root, params)) ?? null;
  // Screen readers announce the new screen; the title names it.
  const heading = root.querySelector("h2");
  document.title = heading ? `${heading.textContent} · ${t("app.short")}` : t("app.title");
  heading?.setAttribute("tabindex", "-1");
  heading?.focus({ preventScroll: true });
}

// Renders the current route again (after sign-in, a language change).
export function refresh() {
  rendering = rendering.then(render, render);
  return rendering;
}

// After a language switch (static text is already retranslated): a screen whose every
// text follows in place keeps what the person typed; others render again.
export function languageChanged() {
  document.title = t("app.title");
  return shown?.translatesInPlace ? undefined : refresh();
}

export function start(element) {
  root = element;
  window.addEventListener("hashchange", refresh);
  return refresh();
}
