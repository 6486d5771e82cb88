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

  // The writes POST /api/sync takes (api/sync/services.py, KINDS; a test keeps the two
  // lists equal): consecutive ones go together, in order. Others are sent one by one.
  const SYNC_PATH = "/api/sync";
  const BATCH_MAX = 500;
  const BATCHABLE = [
    ["POST", /^\/api\/subjects\/?$/],
    ["PATCH", /^\/api\/subjects\/\d+\/?$/],
    ["POST", /^\/api\/subjects\/\d+\/death\/?$/],
    ["POST", /^\/api\/subjects\/\d+\/pregnancies\/?$/],
    ["POST", /^\/api\/doses\/?$/],
    ["POST", /^\/api\/doses\/\d+\/void\/?$/],
    ["POST", /^\/api\/sessions\/\d+\/attendance\/?$/],
  ];
  const batchable = (item) => BATCHABLE.some(([method, path]) => item.method === method && path.test(item.path));

  // When the server last answered a batch of this account's writes ({account, synced_at}:
  // the server's time), kept with the downloads (sign-out clears both).
  const SYNC_RECORD = "sync";
  const lastSync = () => withStore(READING, "readonly", (store) => store.get(SYNC_RECORD));
  const keepSync = (account, syncedAt) => withStore(READING, "readwrite",
    (store) => store.put({ id: SYNC_RECORD, account, synced_at: syncedAt, saved_at: Date.now() }));

  // Sends one request (an item, or a batch of them with no key of its own); says what became of it.
  async function send({ key, method, path, body }, csrf) {
    const headers = { Accept: "application/json" };
    if (key) headers["Idempotency-Key"] = key;
    if (body !== null) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRF-Token"] = csrf;
    let response;
    try {
      response = await fetch(path, { method, headers, body: body ?? undefined, credentials: "same-origin" });
    } catch {
      return { outcome: "offline" };
    }
    const data = await answer(response);
    if (response.ok) return { outcome: "confirmed", data };
    return failed(response.status, data?.error, Number(response.headers.get("Retry-After")) || 0);
  }

  // A refusal, or a failure to retry: the server's error with its status.
  function failed(status, given, retryAfter = 0) {
    const error = { status, ...(given ?? { code: "error", message: `HTTP ${status}` }) };
    if (status === 401) return { outcome: "signed-out", error };
    if (status >= 500 || status === 408 || status === 429) return { outcome: "retry", error, retryAfter };
    return { outcome: "refused", error };
  }

  // Keeps what became of one item; says why the pass must stop (or null to go on).
  async function settle(item, sent) {
    const attempts = item.attempts + 1;
    if (sent.outcome === "confirmed") {
      await put({ ...item, state: "confirmed", attempts, error: null, response: sent.data, synced: sent.synced ?? null,
        confirmed_at: Date.now() });
      return null;
    }
    if (sent.outcome === "refused") {
      await put({ ...item, state: "refused", attempts, error: sent.error });
      return null;
    }
    const wait = sent.retryAfter ? sent.retryAfter * 1000 : backoff(item.attempts);
    await put({ ...item, state: "pending", attempts, error: sent.error ?? null, next_try_at: Date.now() + wait });
    return sent.outcome;
  }

  // One batch to /api/sync: each item settled by its own answer; exactly the keys the
  // server lists as confirmed leave the queue. A server without the batch route (or
  // refusing the batch as a whole) gets the items one by one, as before.
  async function sendBatch(batch, account, csrf) {
    for (const item of batch) await put({ ...item, state: "sending" });
    const kept = await lastSync();
    const body = JSON.stringify({
      items: batch.map(({ key, method, path, body: text }) => ({ key, method, path, body: text })),
      // The server opens a double-dose review only for doses this device could not know of.
      last_synced_at: kept?.account === account ? kept.synced_at : null,
    });
    const sent = await send({ key: null, method: "POST", path: SYNC_PATH, body }, csrf);
    if (sent.outcome === "refused") {
      for (const item of batch) {
        const stopped = await settle(item, await send(item, csrf));
        if (stopped) return stopped;
      }
      return null;
    }
    if (sent.outcome !== "confirmed") {
      for (const item of batch) await settle(item, sent);
      return sent.outcome;
    }
    await keepSync(account, sent.data.synced_at);
    const confirmed = new Set(sent.data.confirmed);
    const answers = new Map(sent.data.items.map((answered) => [answered.key, answered]));
    let stopped = null;
    for (const item of batch) {
      const answered = answers.get(item.key);
      if (stopped || !answered) {
        // Not reached: the server stopped at an earlier item's failure. Still queued, in order.
        await put({ ...item, state: "pending" });
        stopped ??= "retry";
      } else if (confirmed.has(item.key)) {
        await settle(item, { outcome: "confirmed", data: answered.answer,
          synced: { outcome: answered.outcome, conflicts: answered.conflicts, reviews: answered.reviews } });
      } else {
        stopped = await settle(item, failed(answered.status, answered.error));
      }
    }
    return stopped;
  }

  // One pass over the account's pending items, oldest first, until none is left or one
  // cannot be sent now (later writes never overtake an earlier one). Returns why it stopped:
  // "done", "offline", "retry", "signed-out" or "waiting" (backing off).
  async function pass({ account, csrf, force = false }) {
    const now = Date.now();
    await unstick();
    for (const item of await all()) {
      if (item.state === "confirmed" && now - item.confirmed_at > KEEP_CONFIRMED_MS) await remove(item.seq);
    }
    const attempted = new Set();
    for (;;) {
      const items = (await all())
        .filter((item) => item.account === account && item.state === "pending" && !attempted.has(item.seq))
        .sort((a, b) => a.seq - b.seq);
      if (!items.length) return "done";
      const [item] = items;
      if (!force && item.next_try_at > Date.now()) return "waiting";
      const end = items.findIndex((next, index) => !batchable(next) || index === BATCH_MAX);
      const batch = batchable(item) ? items.slice(0, end === -1 ? items.length : end) : [];
      for (const sent of batch.length ? batch : [item]) attempted.add(sent.seq);
      let stopped;
      if (batch.length) {
        stopped = await sendBatch(batch, account, csrf);
      } else {
        await put({ ...item, state: "sending" });
        stopped = await settle(item, await send(item, csrf));
      }
      if (stopped) return stopped;
    }
  }

  // One pass at a time per browser (page tabs and the service worker alike).
  function sync(options) {
    if (self.navigator?.locks) return navigator.locks.request(LOCK, () => pass(options));
    return pass(options);
  }

  // Called with the lock held (or no pass possible): an item left "sending" is from a tab
  // or a browser closed mid-request, so it is pending again.
  async function unstick() {
    for (const item of await all()) if (item.state === "sending") await put({ ...item, state: "pending" });
  }

  // As the app opens, before anything is shown: a pass may not come soon (no network, no
  // session yet), and the outbox screen would show such an item as being sent for good.
  // Skipped while a pass (another tab's, the service worker's) holds the lock.
  function recover() {
    if (self.navigator?.locks) return navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => lock && unstick());
    return unstick();
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
      // When the server last answered this account's batch (its time, ISO): "synced at".
      syncedAt: await lastSync().then((kept) => (kept?.account === account ? kept.synced_at : null)),
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

  self.NiisOutbox = { add, all, get, remove, requeue, sync, recover, summary, forget, photos };
})();
