// The store's alerts, newest first: a product fallen below its minimum, a lot entering
// its last days before expiry (delivery by notification comes later; until then here).
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";

const KINDS = { below_min: "stock.alert.kind.below_min", expiring: "stock.alert.kind.expiring" };

function text(alert, products, lots) {
  if (alert.kind === "below_min") {
    return t("stock.alert.below_min", { product: products.get(alert.product_id) ?? `#${alert.product_id}`, doses: alert.doses });
  }
  const lot = lots.get(alert.lot_id);
  if (alert.kind === "expiring" && lot) {
    return t("stock.alert.expiring", { product: lot.product_code, lot: lot.lot_number, date: lot.expiry, doses: alert.doses });
  }
  return alert.message;
}

export async function render(root) {
  const { all, current } = await kit.stores();
  kit.show(root, kit.header("stock.alerts.heading", all, current));
  if (!current) return;
  const [alerts, balances, levels] = await Promise.all([
    kit.read(`/api/stock/stores/${current.id}/alerts`),
    kit.read(`/api/stock/stores/${current.id}/balances`),
    kit.read(`/api/stock/stores/${current.id}/levels`),
  ]);
  // Products by their min/max too: one below min may never have been held here.
  const products = new Map([...levels.data.map((l) => [l.product_id, l.product_code]),
    ...balances.data.map((b) => [b.product_id, b.product_code])]);
  const lots = new Map(balances.data.map((b) => [b.lot_id, b]));
  kit.show(root, kit.offlineNote(alerts), alerts.data.length
    ? h("ul", { class: "items", id: "alerts" }, alerts.data.map((alert) =>
      h("li", { class: `card alert ${alert.kind}` },
        h("h3", { text: KINDS[alert.kind] ? t(KINDS[alert.kind]) : alert.kind }),
        h("p", { text: text(alert, products, lots) }),
        h("p", { class: "muted", text: new Date(alert.raised_at).toLocaleString() }))))
    : h("p", { class: "muted", text: t("stock.alerts.none") }));
}
