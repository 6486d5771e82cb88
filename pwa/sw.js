// Service worker: the app shell from a versioned cache (the app opens offline, and a
// repeat load transfers nothing but API calls), a new shell offered to the page rather
// than forced on it, and the outbox sent by Background Sync where the browser has it.
// API answers are never cached here: they carry personal data (docs/pwa.md).
importScripts("/js/shell.js", "/js/outbox-db.js");

const { version, files } = self.NIIS_SHELL;
const PREFIX = "niis-shell-v";
const CACHE = `${PREFIX}${version}`;

self.addEventListener("install", (event) => {
  // Straight from the server, not the HTTP cache: the files of *this* version.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(files.map((file) => new Request(file, { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

// The page's "Update" button: the waiting shell takes over, the page reloads on it.
self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Every route of the app is the shell (hash routing).
    event.respondWith(caches.match("/index.html", { cacheName: CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
});

async function backgroundPass() {
  const session = await fetch("/api/auth/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!session.ok) return; // signed out: the writes wait for their author
  const me = await session.json();
  const compat = await fetch("/api/version").then((response) => response.json());
  if (version < compat.min_shell) return; // an old shell sends nothing; the page updates first
  // The browser fires this when the network is back: no back-off applies.
  const stopped = await self.NiisOutbox.sync({ account: me.id, csrf: me.csrf_token, force: true });
  for (const client of await self.clients.matchAll()) client.postMessage({ type: "outbox-changed" });
  // A failed sync event is fired again later by the browser.
  if (stopped === "offline" || stopped === "retry") throw new Error(`outbox: ${stopped}`);
}

self.addEventListener("sync", (event) => {
  if (event.tag === "niis-outbox") event.waitUntil(backgroundPass());
});
