// The app's text: every string in i18n/vi.json and i18n/en.json (the same keys, a test
// checks). Vietnamese by default, English as a choice remembered per device.
const KEY = "niis.lang";
export const LANGUAGES = ["vi", "en"];
let current = LANGUAGES.includes(localStorage.getItem(KEY)) ? localStorage.getItem(KEY) : "vi";
const strings = {};

async function load(lang) {
  if (!strings[lang]) {
    const response = await fetch(`/i18n/${lang}.json`);
    strings[lang] = await response.json();
  }
  return strings[lang];
}

export function language() {
  return current;
}

// Loads the language's strings and applies them to the static markup.
export async function setLanguage(lang) {
  current = LANGUAGES.includes(lang) ? lang : "vi";
  localStorage.setItem(KEY, current);
  await load(current);
  document.documentElement.lang = current;
  translate(document);
}

// Fills every data-i18n (text) and data-i18n-label (aria-label) under root.
export function translate(root) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n, node.dataset.i18nValues ? JSON.parse(node.dataset.i18nValues) : {});
  }
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
}

export function t(key, values = {}) {
  const text = strings[current]?.[key] ?? strings.vi?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// What a person reads for a refusal from the server: the app's own words where the error's
// code says it all (`error.<code>` in the string files), else the server's message (a
// generic code such as `invalid` or `conflict` carries the specifics in the message).
export function explain(error) {
  const key = `error.${error?.code}`;
  return strings[current]?.[key] ?? strings.vi?.[key] ?? error?.message ?? "";
}

// "5 minutes", "3 hours", "2 days": how long something has waited.
export function age(milliseconds) {
  const minutes = Math.max(0, Math.floor(milliseconds / 60000));
  if (minutes < 60) return t("age.minutes", { n: minutes });
  if (minutes < 48 * 60) return t("age.hours", { n: Math.floor(minutes / 60) });
  return t("age.days", { n: Math.floor(minutes / 1440) });
}

// A moment (ms since the epoch) with date and time, in the person's language.
export function shownMoment(ms) {
  return new Date(ms).toLocaleString(current === "vi" ? "vi-VN" : "en-GB", { dateStyle: "short", timeStyle: "short" });
}
