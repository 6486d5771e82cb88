// Consumption and wastage (GET /api/stock/reports/usage): per store × product × month,
// the doses given, wasted (by reason), issued for use and the wastage rate. A clerk sees
// their facility's stores, an officer their area. Cards, not a wide table: a phone shows
// one column, a wide screen several.
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
import { keptRange, rangeForm } from "../range-form.js";
import { refresh } from "../router.js";
import * as store from "../store.js";
import * as kit from "./stock-kit.js";

if (!document.querySelector('link[href="/stockui.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/stockui.css" }));
}

const PERIOD_KEY = "niis.stockui.period";
const PLACE_KEY = "niis.stockleft.usage-place";
// DOMAIN.md §7 leaves the acceptable rate to the programme; above this the card says so.
const HIGH_RATE = 0.1;

const monthOf = (date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;

// Default: last month and this month (the clerk's monthly report and the month so far).
function lastMonthAndThis() {
  const now = new Date();
  return { from: monthOf(new Date(now.getFullYear(), now.getMonth() - 1, 1)), to: monthOf(now) };
}

function lastDay(month) {
  const [year, number] = month.split("-").map(Number);
  return `${month}-${String(new Date(year, number, 0).getDate()).padStart(2, "0")}`;
}

function monthName(month) {
  const [year, number] = month.split("-").map(Number);
  return new Date(year, number - 1, 1).toLocaleDateString(language(), { month: "long", year: "numeric" });
}

const percent = (rate) => (rate === null ? t("stockui.usage.no_rate")
  : new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 1 }).format(rate));

function fact(label, value, attributes = {}) {
  return [h("dt", { text: label }), h("dd", { ...attributes, text: String(value) })];
}

function usageCard(row) {
  const reasons = Object.entries(row.wasted_by_reason);
  return h("li", { class: "usage", "data-product": row.product_code, "data-month": row.month },
    h("h4", { text: `${row.product_code} · ${monthName(row.month)}` }),
    h("dl", { class: "facts" },
      fact(t("stockui.usage.administered"), row.administered, { class: "administered" }),
      fact(t("stockui.usage.wasted"), row.wasted, { class: "wasted" }),
      fact(t("stockui.usage.issued"), row.issued, { class: "issued" }),
      fact(t("stockui.usage.rate"), percent(row.wastage_rate),
        { class: `rate${row.wastage_rate !== null && row.wastage_rate > HIGH_RATE ? " high" : ""}` }),
      fact(t("stockleft.usage.stockout_days"), row.stockout_days, { class: `stockout${row.stockout_days ? " high" : ""}` })),
    reasons.length ? h("ul", { class: "reasons", "aria-label": t("stockui.usage.by_reason") },
      reasons.map(([reason, doses]) => h("li", { "data-reason": reason, text: t("stockui.usage.reason_doses", { reason: kit.reasonText(reason), doses }) }))) : null);
}

function storeCard(rows) {
  const [first] = rows;
  return h("section", { class: "card", "data-store": first.store_name },
    h("h3", { text: first.store_name }),
    h("p", { class: "muted", text: first.facility_name }),
    h("ul", { class: "usage-grid" }, rows.map(usageCard)));
}

// The units of the officer's area, the area first (GET /api/places lists the path above
// it, then the area, parents before children); the choice kept for the browser session.
async function placeFilter() {
  const user = store.get().user;
  let places = [];
  try {
    places = (await kit.read("/api/places")).data;
  } catch {
    return { query: "", field: null };
  }
  const from = places.findIndex((p) => p.id === user.scope_place_id);
  const units = from < 0 ? [] : places.slice(from);
  const kept = Number(sessionStorage.getItem(PLACE_KEY));
  const chosen = units.some((p) => p.id === kept) ? kept : null;
  const select = h("select", { id: "usage-place" },
    h("option", { value: "", text: t("stockleft.usage.whole_area") }),
    units.slice(1).map((p) => h("option", { value: p.id, selected: p.id === chosen, text: p.name })));
  select.addEventListener("change", () => {
    if (select.value) sessionStorage.setItem(PLACE_KEY, select.value);
    else sessionStorage.removeItem(PLACE_KEY);
    refresh();
  });
  return {
    query: chosen ? `&place_id=${chosen}` : "",
    field: units.length > 1 ? h("label", { class: "field", for: "usage-place" }, h("span", { text: t("stockleft.usage.place") }), select) : null,
  };
}

export async function render(root) {
  const chosen = keptRange(PERIOD_KEY, lastMonthAndThis);
  const { form, problem } = rangeForm({ key: PERIOD_KEY, type: "month", range: chosen, id: "usage-period",
    className: "months", ids: ["usage-from", "usage-to"], labels: ["stockui.usage.from", "stockui.usage.to"],
    messages: { show: "stockui.usage.show", bad: "stockui.usage.bad_period" } });
  // A clerk came from their stock screen; an officer from home.
  const clerk = store.get().user?.role === "stock_clerk";
  kit.show(root, h("section", { class: "card" },
    h("h2", { text: t("stockui.usage.heading") }),
    h("p", { class: "muted", text: t(clerk ? "stockui.usage.scope_clerk" : "stockui.usage.scope_area") }),
    form, problem,
    h("a", { href: clerk ? "#/stock" : "#/", class: "back", text: t(clerk ? "stock.back" : "stockui.home") })));
  // An officer narrows the report to one unit of their area (province, district, commune).
  const place = clerk ? { query: "", field: null } : await placeFilter();
  const query = `since=${chosen.from}-01&until=${lastDay(chosen.to)}${place.query}`;
  kit.show(root, place.field, h("a", { class: "task", id: "usage-csv", href: `/api/stock/reports/usage?${query}&format=csv`,
    download: "stock-usage.csv", text: t("stockleft.usage.csv") }));
  const answer = await kit.read(`/api/stock/reports/usage?${query}`);
  const byStore = new Map();
  for (const row of answer.data) {
    if (!byStore.has(row.store_id)) byStore.set(row.store_id, []);
    byStore.get(row.store_id).push(row);
  }
  kit.show(root, kit.offlineNote(answer), h("div", { id: "usage-report", class: "stack" },
    byStore.size ? [...byStore.values()].map(storeCard) : h("p", { class: "muted", text: t("stockui.usage.none") })));
}
