// The outbox: every write the app makes, kept in IndexedDB until the server confirms it,
// and the sender that sends it. A plain script (no import/export) so the page
// (`import "./outbox-db.js"`) and the service worker (`importScripts`, for Background
// Sync) run the same code. States and rules: docs/pwa.md, "The outbox".
(function () {
  const NAME = "niis";
  // 2: the `photos` store (camera photos kept until the network reads them, docs/pwa.md
  // "Camera"). An upgrade only adds what is missing: the outbox and reading stay.
  const VERSION = 2;
  const OUTBOX = "outbox";
  const READING = "reading";
  const PHOTOS = "photos";
  const LOCK = "niis-outbox";
  const KEEP_CONFIRMED_MS = 24 * 3600 * 1000;
  const MAX_BACKOFF_MS = 5 * 60 * 1000;

  let opened = null;

  function open() {
    opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "seq", autoIncrement: true });
        if (!db.objectStoreNames.contains(READING)) db.createObjectStore(READING, { keyPath: "id" });
        if (!db.objectStoreNames.contains(PHOTOS)) db.createObjectStore(PHOTOS, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer shell upgrading the schema: let it, and open again next time.
        db.onversionchange = () => { db.close(); opened = null; };
        resolve(db);
      };
      request.onerror = () => { opened = null; reject(request.error); };
    });
    return opened;
  }

  // Runs work(store) in one transaction; resolves with what work's last request gave.
  async function withStore(name, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      let result;
      const request = work(transaction.objectStore(name));
      if (request) request.onsuccess = () => { result = request.result; };
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const all = () => withStore(OUTBOX, "readonly", (store) => store.getAll());
  const put = (item) => withStore(OUTBOX, "readwrite", (store) => store.put(item));
  const remove = (seq) => withStore(OUTBOX, "readwrite", (store) => store.delete(seq));
  const get = (seq) => withStore(OUTBOX, "readonly", (store) => store.get(seq));

  // The camera's photos (js/camera.js): kept as Blobs with what they were taken for.
  const photos = {
    all: () => withStore(PHOTOS, "readonly", (store) => store.getAll()),
    get: (id) => withStore(PHOTOS, "readonly", (store) => store.get(id)),
    add: (photo) => withStore(PHOTOS, "readwrite", (store) => store.add(photo)),
    put: (photo) => withStore(PHOTOS, "readwrite", (store) => store.put(photo)),
    remove: (id) => withStore(PHOTOS, "readwrite", (store) => store.delete(id)),
  };

  // Queues one write. `body` is kept as the exact JSON text sent on every retry: the
  // server recognises a retry by key *and* the same bytes.
  async function add({ account, method, path, body, label }) {
    const item = {
      key: crypto.randomUUID(),
      account,
      method,
      path,
      body: body === undefined ? null : JSON.stringify(body),
      label: label ?? null,
      created_at: Date.now(),
      state: "pending",
      attempts: 0,
      next_try_at: 0,
      error: null,
      response: null,
      confirmed_at: null,
    };
    item.seq = await withStore(OUTBOX, "readwrite", (store) => store.add(item));
    return item;
  }

  function backoff(attempts) {
    return Math.min(5000 * 2 ** attempts, MAX_BACKOFF_MS);
  }

  async function answer(response) {
    return response.headers.get("content-type")?.includes("json") ? response.json().catch(() => null) : null;
  }

  // Sends one item; says what became of it.
  async function send(item, csrf) {
    const headers = { Accept: "application/json", "Idempotency-Key": item.key };
    if (item.body !== null) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRF-Token"] = csrf;
    let response;
    try {
      response = await fetch(item.path, {
        method: item.method, headers, body: item.body ?? undefined, credentials: "same-origin",
      });
    } catch {
      return { outcome: "offline" };
    }
    const data = await answer(response);
    if (response.ok) return { outcome: "confirmed", data };
    const error = { status: response.status, ...(data?.error ?? { code: "error", message: `HTTP ${response.status}` }) };
    if (response.status === 401) return { outcome: "signed-out", error };
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return { outcome: "retry", error, retryAfter: Number(response.headers.get("Retry-After")) || 0 };
    }
    return { outcome: "refused", error };
  }

  // One pass over the account's pending items, oldest first, until none is left or one
  // cannot be sent now (later writes never overtake an earlier one). Returns why it stopped:
  // "done", "offline", "retry", "signed-out" or "waiting" (backing off).
  async function pass({ account, csrf, force = false }) {
    const now = Date.now();
    for (const item of await all()) {
      // Nobody else holds the lock: an item left "sending" is from a tab closed mid-request.
      if (item.state === "sending") await put({ ...item, state: "pending" });
      if (item.state === "confirmed" && now - item.confirmed_at > KEEP_CONFIRMED_MS) await remove(item.seq);
    }
    const attempted = new Set();
    for (;;) {
      const items = (await all()).filter(
        (item) => item.account === account && item.state === "pending" && !attempted.has(item.seq),
      );
      if (!items.length) return "done";
      const item = items.reduce((first, next) => (next.seq < first.seq ? next : first));
      if (!force && item.next_try_at > Date.now()) return "waiting";
      attempted.add(item.seq);
      await put({ ...item, state: "sending" });
      const sent = await send(item, csrf);
      const attempts = item.attempts + 1;
      if (sent.outcome === "confirmed") {
        await put({ ...item, state: "confirmed", attempts, error: null, response: sent.data, confirmed_at: Date.now() });
      } else if (sent.outcome === "refused") {
        await put({ ...item, state: "refused", attempts, error: sent.error });
      } else {
        const wait = sent.retryAfter ? sent.retryAfter * 1000 : backoff(item.attempts);
        await put({ ...item, state: "pending", attempts, error: sent.error ?? null, next_try_at: Date.now() + wait });
        return sent.outcome;
      }
    }
  }

  // One pass at a time per browser (page tabs and the service worker alike).
  function sync(options) {
    if (self.navigator?.locks) return navigator.locks.request(LOCK, () => pass(options));
    return pass(options);
  }

  // What the status bar shows for `account`: a photo not yet read counts as pending.
  async function summary(account) {
    const items = await all();
    const mine = items.filter((item) => item.account === account);
    const unread = (await photos.all()).filter((photo) => photo.account === account && photo.state === "waiting");
    const waiting = [...mine.filter((item) => item.state === "pending" || item.state === "sending"), ...unread];
    const refused = mine.filter((item) => item.state === "refused");
    return {
      pending: waiting.length,
      photos: unread.length,
      refused: refused.length,
      // The oldest refusal, for the status bar: what failed and why, without opening a menu.
      refusal: refused.length ? { label: refused[0].label, error: refused[0].error ?? null } : null,
      others: items.filter((item) => item.account !== account && item.state !== "confirmed").length,
      oldest: waiting.length ? Math.min(...waiting.map((item) => item.created_at)) : null,
    };
  }

  // Back to pending now: "send again" after a refusal, or with a corrected body (same key:
  // the server gave a refused key back, see docs/write-path.md).
  async function requeue(seq, body) {
    const item = await get(seq);
    if (!item || item.state === "confirmed") return;
    const changed = body === undefined ? {} : { body: JSON.stringify(body) };
    await put({ ...item, ...changed, state: "pending", next_try_at: 0, error: null });
  }

  // Sign-out on a shared tablet: the account's confirmed writes, the downloaded records
  // and its photos (ID cards: personal data, read or not) go; unconfirmed writes stay.
  async function forget(account) {
    for (const item of await all()) {
      if (item.account === account && item.state === "confirmed") await remove(item.seq);
    }
    await withStore(READING, "readwrite", (store) => store.clear());
    for (const photo of await photos.all()) if (photo.account === account) await photos.remove(photo.id);
  }

  self.NiisOutbox = { add, all, get, remove, requeue, sync, summary, forget, photos };
})();
