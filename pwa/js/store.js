// The one store of what the app shows. Screens read it, subscribe to it and change it
// with set(); nothing else keeps shown state.
const state = {
  user: null, // the signed-in account (GET /api/auth/me), or null
  online: navigator.onLine,
  // The signed-in account's writes; null until read from IndexedDB, so "synced" is never
  // shown before the outbox has been looked at.
  outbox: null,
  storage: null, // "persisted" | "best-effort" | "unsupported", once asked
  update: false, // a new shell is installed and waiting
  shellTooOld: false, // the API no longer serves this shell (min_shell)
};
const listeners = new Set();

export function get() {
  return state;
}

export function set(patch) {
  Object.assign(state, patch);
  for (const listener of listeners) listener(state);
}

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
