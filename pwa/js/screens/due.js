// Due and overdue (GET /api/due): who of the facility's children (an officer: of their
// area) is due or overdue in a date range, for what, with the guardian's phone to call;
// the counts per vaccine group and the doses and vials the sessions need. The last list
// downloaded is kept on the device (IndexedDB `reading`, cleared at sign-out: it holds
// names and phones) and shown offline with its date.
import * as api from "../api.js";
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
import * as reading from "../reading.js";
import { keptRange, rangeForm } from "../range-form.js";
import { vietnamToday } from "../records.js";
import * as store from "../store.js";

if (!document.querySelector('link[href="/due.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/due.css" }));
}

const RANGE_KEY = "niis.due.range";
const SAVED = "due";
const PAGES = 10; // 2,000 children: more than a commune's week

const plusDays = (iso, days) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
const day = (iso) => (iso ? new Date(`${iso}T00:00:00`).toLocaleDateString(language()) : "");

function nextWeek() {
  const from = vietnamToday();
  return { from, to: plusDays(from, 7) };
}

function query(user, chosen) {
  const where = user.scope_facility_id ? "" : `&place_id=${user.scope_place_id}`;
  return `/api/due?from=${chosen.from}&to=${chosen.to}${where}&limit=200`;
}

// Every page (the Link header names the next), then kept for reading offline.
async function download(path) {
  const first = await api.request("GET", path);
  const children = [...first.children];
  let next = first.more ? `${path}&after_subject_id=${children.at(-1).id}` : null;
  for (let page = 1; next && page < PAGES; page += 1) {
    const more = await api.request("GET", next);
    children.push(...more.children);
    next = more.more ? `${path}&after_subject_id=${children.at(-1).id}` : null;
  }
  const data = { ...first, children, path };
  await reading.save(SAVED, data);
  return { data, offline: false, savedAt: Date.now() };
}

async function list(path) {
  try {
    return await download(path);
  } catch (error) {
    const kept = error.status === 0 ? await reading.load(SAVED) : null;
    if (!kept) throw error;
    return { data: kept, offline: true, savedAt: kept.saved_at };
  }
}

function groupLine(group) {
  const key = group.state === "overdue" ? "due.group.overdue" : "due.group.due";
  return h("li", { class: group.state, "data-group": group.vaccine_group },
    h("span", { class: "group", text: group.vaccine_group }), " ",
    h("span", { text: t(key, { dose: group.dose_number ?? "", date: day(group.state === "overdue" ? group.overdue : group.due) }) }));
}

function childCard(child) {
  return h("li", { class: `due-child ${child.state}`, "data-subject": child.id },
    h("a", { class: "due-name", href: `#/subject/${child.id}`, text: child.full_name }),
    h("p", { class: "muted", text: t("due.child.born", { date: day(child.birth_date), code: child.code }) }),
    h("ul", { class: "due-groups" }, child.groups.map(groupLine)),
    child.guardian_phone
      ? h("a", { class: "due-phone", href: `tel:${child.guardian_phone}`,
        text: t("due.child.call", { name: child.guardian_name ?? "", phone: child.guardian_phone }) })
      : h("p", { class: "muted", text: t("due.child.no_phone") }));
}

function countsCard(counts) {
  return h("section", { class: "card", id: "due-counts" },
    h("h3", { text: t("due.counts.heading") }),
    counts.length ? h("ul", {}, counts.map((c) => h("li", { "data-group": c.vaccine_group,
      text: t("due.counts.line", { group: c.vaccine_group, total: c.total, overdue: c.overdue }) })))
      : h("p", { class: "muted", text: t("due.none") }));
}

function needsCard(needs) {
  return h("section", { class: "card", id: "due-needs" },
    h("h3", { text: t("due.needs.heading") }),
    needs.length ? h("ul", {}, needs.map((n) => h("li", { "data-product": n.product ?? "",
      text: n.vials === null
        ? t("due.needs.doses_only", { groups: n.vaccine_groups.join(", "), doses: n.doses })
        : t("due.needs.line", { product: n.product, doses: n.doses, vials: n.vials, factor: n.wastage_factor }) })))
      : h("p", { class: "muted", text: t("due.none") }));
}

export async function render(root) {
  const user = store.get().user;
  const chosen = keptRange(RANGE_KEY, nextWeek);
  const { form, problem } = rangeForm({ key: RANGE_KEY, type: "date", range: chosen, id: "due-range", className: "row",
    ids: ["due-from", "due-to"], labels: ["due.from", "due.to"], messages: { show: "due.show", bad: "due.bad_range" } });
  const status = h("p", { id: "due-status", class: "muted", role: "status", text: t("due.loading") });
  const body = h("div", { id: "due-list", class: "stack" });
  root.append(h("section", { class: "card" },
    h("h2", { text: t("due.heading") }),
    h("p", { class: "muted", text: t(user.scope_facility_id ? "due.scope_facility" : "due.scope_area") }),
    form, problem, status,
    h("a", { href: "#/", class: "back", text: t("due.home") })), body);
  let answer;
  try {
    answer = await list(query(user, chosen));
  } catch (error) {
    status.textContent = error.status === 0 ? t("due.offline_none") : error.message;
    status.className = "error";
    return;
  }
  const { data } = answer;
  const when = new Date(answer.savedAt).toLocaleString(language());
  status.textContent = answer.offline
    ? t("due.offline_as_of", { when, from: day(data.from), to: day(data.to) })
    : t("due.as_of", { when, from: day(data.from), to: day(data.to), count: data.children.length });
  status.className = answer.offline ? "notice" : "muted";
  body.replaceChildren(
    countsCard(data.counts),
    needsCard(data.needs),
    h("section", { class: "card" },
      h("h3", { text: t("due.children.heading") }),
      data.children.length ? h("ul", { class: "due-children" }, data.children.map(childCard))
        : h("p", { class: "muted", id: "due-empty", text: t("due.none") })));
}
