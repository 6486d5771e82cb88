// Stock on hand at the clerk's store: per product, then per lot (earliest expiry first),
// with expiry (the last 60 days highlighted), VVM stage, and below-min / below-zero flags;
// the clerk's other tasks one tap away.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";

const TASKS = [
  ["stock-receive", "stock.task.receive"],
  ["stock-transit", "stock.task.transit"],
  ["stock-ship", "stock.task.ship"],
  ["stock-count", "stock.task.count"],
  ["stock-alerts", "stock.task.alerts"],
  ["stock-vials", "stockui.task.vials"],
  ["stock-usage", "stockui.task.usage"],
  ["stock-adjust", "stockleft.task.adjust"],
  ["stock-card", "stockleft.task.card"],
  ["stock-levels", "stockleft.task.levels"],
];

function expiryText(balance) {
  const days = kit.daysUntil(balance.expiry);
  if (days < 0) return t("stock.expired", { date: balance.expiry });
  if (days <= kit.EXPIRING_DAYS) return t("stock.expiring", { date: balance.expiry, days });
  return t("stock.expiry", { date: balance.expiry });
}

function lotRow(balance) {
  const days = kit.daysUntil(balance.expiry);
  const flags = [
    balance.on_hold ? h("span", { class: "flag danger", text: t("stock.on_hold") }) : null,
    balance.flagged ? h("span", { class: "flag danger", text: t("stock.flagged") }) : null,
  ];
  const vvm = balance.has_vvm
    ? t(balance.vvm_stage ? "stock.vvm.stage" : "stock.vvm.unread", { stage: balance.vvm_stage })
    : t("stock.vvm.none");
  return h("li", { class: `lot${days <= kit.EXPIRING_DAYS ? " expiring" : ""}`, "data-lot": balance.lot_number },
    h("p", { class: "lot-number", text: t("stock.lot", { number: balance.lot_number }) }),
    h("p", { class: "expiry", text: expiryText(balance) }),
    h("p", { text: t("stock.on_hand", { doses: balance.doses, vials: balance.vials }) }),
    h("p", { class: "muted", text: `${t("stock.vvm")}: ${vvm}` }),
    flags);
}

function productCard(code, lots, level) {
  const total = lots.reduce((sum, lot) => sum + lot.doses, 0);
  const below = level?.below_min;
  return h("section", { class: `card product${below ? " below-min" : ""}`, "data-product": code },
    h("h3", { text: code }),
    h("p", { text: t("stock.total", { doses: total }) }),
    level ? h("p", { class: below ? "flag danger" : "muted",
      text: t(below ? "stock.below_min" : "stock.min", { min: level.min_doses, max: level.max_level }) }) : null,
    h("ul", { class: "lots" }, lots.map(lotRow)));
}

export async function render(root) {
  const { all, current } = await kit.stores();
  const tasks = h("nav", { class: "tasks", "aria-label": t("stock.tasks") },
    TASKS.map(([route, key]) => h("a", { class: "task", href: `#/${route}`, text: t(key) })));
  if (!current) {
    kit.show(root, kit.header("stock.heading", all, null), h("p", { class: "muted", text: t("stock.no_store") }));
    return;
  }
  const [balances, levels] = await Promise.all([
    kit.read(`/api/stock/stores/${current.id}/balances`),
    kit.read(`/api/stock/stores/${current.id}/levels`),
  ]);
  const levelOf = new Map(levels.data.map((level) => [level.product_id, level]));
  const byProduct = new Map();
  for (const balance of balances.data) {
    if (!byProduct.has(balance.product_code)) byProduct.set(balance.product_code, { id: balance.product_id, lots: [] });
    // A lot held once and now gone stays off the list, unless an offline dose took it below zero.
    if (balance.doses !== 0 || balance.flagged) byProduct.get(balance.product_code).lots.push(balance);
  }
  // A product below its min that the store never held has no balance row: shown all the same.
  for (const level of levels.data) {
    if (level.below_min && ![...byProduct.values()].some((product) => product.id === level.product_id)) {
      byProduct.set(level.product_code, { id: level.product_id, lots: [] });
    }
  }
  const cards = [...byProduct]
    .filter(([, product]) => product.lots.length || levelOf.get(product.id)?.below_min)
    .map(([code, product]) => productCard(code, product.lots, levelOf.get(product.id)));
  kit.show(root,
    kit.header("stock.heading", all, current),
    kit.offlineNote(balances),
    tasks,
    cards.length ? cards : h("p", { class: "muted", text: t("stock.empty") }),
  );
}
