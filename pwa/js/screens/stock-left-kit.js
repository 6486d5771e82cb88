// What the adjustment, stock card and min/max screens share beyond stock-kit.js: the
// adjustment reasons in the app's words, the name of a lot, and a callback once the
// server has confirmed or refused a queued write (to read the balances again: the screen shows
// the server's numbers, never ones computed in the app).
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import * as store from "../store.js";

// The reasons a clerk picks (api/stock/services.py AdjustmentReason); open-vial discards are
// written by the open-vial screen and the nightly job, not typed.
export const REASONS = ["broken", "expired", "vvm_discard", "frozen", "cold_chain_failure", "lost", "found"];

export function reasonText(reason) {
  const key = reason === "found" ? "stockleft.reason.found" : `stockui.reason.${reason}`;
  const text = t(key);
  return text === key ? reason : text;
}

export function lotName(balance) {
  return `${balance.product_code} · ${t("stock.lot", { number: balance.lot_number })}`;
}

// Calls `then(state)` once, when the server has confirmed or refused the outbox item;
// returns the unsubscribe function for the screen's cleanup.
export function whenSettled(item, then) {
  let done = false;
  const check = async () => {
    if (done) return;
    const now = (await outbox.list()).find((queued) => queued.seq === item.seq);
    if ((now?.state === "confirmed" || now?.state === "refused") && !done) {
      done = true;
      await then(now.state);
    }
  };
  check();
  return store.subscribe(() => { check(); });
}
