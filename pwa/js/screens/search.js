// Search (#/search/<query>/<page>): by lifelong code, name with or without accents,
// guardian phone or personal ID, best first, a page at a time. The query and page
// live in the address, so "back" from a record returns to the same results.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { go } from "../router.js";
import { backLink, day, field, sexWord, statusWord } from "../registry-view.js";
import { finder } from "../camera.js";

const PAGE_SIZE = 20;

function hit(subject) {
  return h("li", { class: "hit" },
    h("a", { href: `#/subject/${subject.id}` },
      h("span", { class: "name", text: subject.full_name }),
      h("span", { text: `${subject.code_display} · ${day(subject.birth_date)} · ${sexWord(subject.sex)}` }),
      subject.status === "active" ? null : h("span", { class: "muted", text: statusWord(subject.status) })));
}

function searchError(error) {
  if (error.status === 0) return t("registry.search.offline");
  return error.message;
}

export async function render(root, [query = "", pageText = "1"]) {
  const page = Math.max(1, Number.parseInt(pageText, 10) || 1);
  const input = h("input", { type: "search", name: "q", value: query, autocomplete: "off", maxlength: "100", enterkeyhint: "search" });
  const results = h("section", { class: "results", "aria-live": "polite" });
  const form = h("form", { class: "card", role: "search", onsubmit: (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (q) go(`search/${encodeURIComponent(q)}`);
  } },
  h("h2", { i18n: "registry.search.heading" }),
  field("q", "registry.search.label", input, "registry.search.hint"),
  h("button", { type: "submit", i18n: "registry.search.submit" }),
  backLink("", "nav.home"));
  root.append(form, h("section", { class: "card" }, h("h3", { i18n: "camera.find.or" }), finder()), results);
  if (!query) return;

  try {
    const found = await api.request("GET", `/api/subjects?${new URLSearchParams({ q: query, page, page_size: PAGE_SIZE })}`);
    const pager = h("nav", { class: "pager", "aria-label": t("registry.search.pages") },
      page > 1 ? h("a", { class: "button-link secondary", href: `#/search/${encodeURIComponent(query)}/${page - 1}`, i18n: "registry.search.previous" }) : h("span"),
      found.has_more ? h("a", { class: "button-link secondary", href: `#/search/${encodeURIComponent(query)}/${page + 1}`, i18n: "registry.search.next" }) : null);
    results.append(
      h("p", { id: "search-summary", class: "muted",
        text: found.items.length ? t("registry.search.page", { page }) : t("registry.search.none", { query }) }),
      h("ul", { class: "hits" }, found.items.map(hit)),
      pager);
  } catch (error) {
    results.append(h("p", { class: "error", role: "alert", text: searchError(error) }));
  }
}
