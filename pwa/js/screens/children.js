// A parent's children: the list, read from the device first (it opens offline), then
// brought up to date from the server: /api/me/subjects, each child's record, doses and
// forecast (dose-view.js).
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { fetchRecord } from "../dose-view.js";
import * as reading from "../reading.js";
import { shownDate, updatedLine } from "../records.js";

export const CHILDREN = "children";

// Every child's record, history and forecast, saved for reading offline. Throws ApiError(0) offline.
export async function download() {
  const linked = await api.request("GET", "/api/me/subjects");
  const children = await Promise.all(linked.map(({ id }) => fetchRecord(id)));
  await reading.save(CHILDREN, { children });
  return reading.load(CHILDREN);
}

function childItem({ subject, forecast }) {
  const next = forecast.vaccine_groups
    .filter((group) => group.status === "Not Complete" && group.recommended)
    .sort((a, b) => a.recommended.localeCompare(b.recommended))[0];
  return h("li", { class: "card" },
    h("a", { class: "child", href: `#/child/${subject.id}` },
      h("span", { class: "name", text: subject.full_name }),
      h("span", { class: "muted", text: t("parent.born", { date: shownDate(subject.birth_date), code: subject.code_display }) }),
      next ? h("span", { text: t("parent.next", { group: next.vaccine_group, date: shownDate(next.recommended) }) }) : null));
}

export async function render(root) {
  const updated = h("p", { id: "updated", class: "muted", "aria-live": "polite" });
  const problem = h("p", { id: "children-problem", class: "notice", role: "status", hidden: true });
  const listing = h("ul", { id: "children", class: "items" });
  const empty = h("p", { class: "muted", text: t("parent.none"), hidden: true });

  function show(record) {
    updated.textContent = updatedLine(record);
    listing.replaceChildren(...(record?.children ?? []).map(childItem));
    empty.hidden = !record || record.children.length > 0;
  }

  async function refresh() {
    try {
      show(await download());
      problem.hidden = true;
    } catch (error) {
      problem.textContent = error.status === 0 ? t("parent.offline") : error.message;
      problem.hidden = false;
    }
  }

  root.append(
    h("section", { class: "card" },
      h("h2", { text: t("parent.heading") }),
      updated,
      h("div", { class: "row" },
        h("button", { type: "button", id: "children-refresh", class: "secondary", text: t("parent.refresh"), onclick: refresh }),
        h("a", { class: "task small", href: "#/link", text: t("parent.task.link") })),
      h("a", { href: "#/", class: "back", text: t("nav.home") })),
    problem, empty, listing,
  );
  show(await reading.load(CHILDREN));
  refresh();
}
