// Offline reading: records downloaded for reading without a network, in the IndexedDB
// `reading` store that outbox-db.js creates (database `niis`) and sign-out clears
// (shared tablets). One record per list: {id, saved_at, ...data}; today "facility" (the
// vaccinator's facility download) and "children" (a parent's children and forecasts).
import "./outbox-db.js";

const STORE = "reading";
let opened = null;

// The schema is outbox-db.js's: let it create the database first, then open whatever
// version it is at (no version: never upgrades, never creates stores of its own).
function open() {
  opened ??= self.NiisOutbox.summary(null).then(() => new Promise((resolve, reject) => {
    const request = indexedDB.open("niis");
    request.onsuccess = () => {
      request.result.onversionchange = () => { request.result.close(); opened = null; };
      resolve(request.result);
    };
    request.onerror = () => { opened = null; reject(request.error); };
  }));
  return opened;
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = work(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}

export const load = (id) => run("readonly", (store) => store.get(id));
export const save = (id, data) => run("readwrite", (store) => store.put({ ...data, id, saved_at: Date.now() }));

// The key names are compared on, as the server's search does (api/registry/identity/names.py):
// no diacritics, đ → d, lower case, words sorted; so "nguyen van an" finds "Nguyễn Văn An".
export function nameKey(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/gi, "d").toLowerCase()
    .split(/[^a-z0-9]+/).filter(Boolean).sort().join(" ");
}

// A phone as the registry stores it (E.164, +84…), from what a person types (0912 345 678).
export function phoneKey(text) {
  const digits = text.replace(/\D/g, "");
  return digits.startsWith("0") ? `84${digits.slice(1)}` : digits;
}

// A card code without dashes or spaces, upper case.
export const codeKey = (text) => text.replace(/[\s-]/g, "").toUpperCase();

// Finds subjects in a downloaded list: by code (with or without dashes), phone, or name
// words in any order, typed with or without diacritics. Every typed word must start a word.
export function search(subjects, query) {
  const typed = query.trim();
  if (!typed) return [];
  const code = codeKey(typed);
  const phone = phoneKey(typed);
  const words = nameKey(typed).split(" ").filter(Boolean);
  return subjects.filter((subject) => {
    if (codeKey(subject.code) === code) return true;
    if (phone.length >= 6 && subject.phone && subject.phone.replace(/\D/g, "").endsWith(phone)) return true;
    const own = nameKey(subject.name).split(" ");
    return words.length > 0 && words.every((word) => own.some((part) => part.startsWith(word)));
  });
}
