// The from–to form of the report screens (due list: dates; stock usage: months): both
// given and in order, else the screen's message under it; the range is kept for the
// session (a reload or coming back shows the same) and the screen drawn again with it.
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { refresh } from "./router.js";

// The range kept under `key` this session, else fallback().
export function keptRange(key, fallback) {
  return JSON.parse(sessionStorage.getItem(key) ?? "null") ?? fallback();
}

function bound(id, type, labelKey, value) {
  const input = h("input", { id, type, value, required: true });
  return { input, field: h("label", { class: "field", for: id }, h("span", { text: t(labelKey) }), input) };
}

// {form, problem}: the form and the place for its message, both for the screen to show.
// `ids` and `labels` are [from, to]; `messages` is {show, bad} (string keys).
export function rangeForm({ key, type, range, id, className, ids, labels, messages }) {
  const from = bound(ids[0], type, labels[0], range.from);
  const to = bound(ids[1], type, labels[1], range.to);
  const problem = h("p", { class: "error", role: "alert" });
  const form = h("form", { id, class: className }, from.field, to.field,
    h("button", { type: "submit", text: t(messages.show) }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!from.input.value || !to.input.value || to.input.value < from.input.value) {
      problem.textContent = t(messages.bad);
      return;
    }
    sessionStorage.setItem(key, JSON.stringify({ from: from.input.value, to: to.input.value }));
    refresh();
  });
  return { form, problem };
}
