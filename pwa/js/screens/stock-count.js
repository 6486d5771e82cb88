// A physical count: per lot on the books, the doses counted (the variance, counted − on
// the books, shown as typed) and the VVM stage where the vial carries one; lots left
// blank are not counted. Through the outbox, so a count made offline (from the balances
// last read on this device) is sent once when the network is back.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";

export async function render(root) {
  const { all, current } = await kit.stores();
  const cleanups = [];
  kit.show(root, kit.header("stock.count.heading", all, current));
  if (!current) return;
  const balances = await kit.read(`/api/stock/stores/${current.id}/balances`);
  const held = balances.data.filter((b) => b.doses !== 0 || b.flagged);
  const rows = held.map((balance, index) => {
    const counted = kit.dosesInput(`count-${index}`, t("stock.count.counted"), "");
    const variance = h("p", { class: "variance", "aria-live": "polite" });
    const vvm = balance.has_vvm ? kit.vvmSelect(`count-vvm-${index}`, balance.vvm_stage) : null;
    counted.input.addEventListener("input", () => {
      const difference = Number(counted.input.value) - balance.doses;
      variance.textContent = counted.input.value === "" ? "" : t("stock.count.variance", { variance: difference > 0 ? `+${difference}` : difference });
      variance.classList.toggle("error", counted.input.value !== "" && difference !== 0);
    });
    return {
      balance, counted, vvm,
      node: h("li", { class: "card line", "data-lot": balance.lot_number },
        h("h3", { text: `${balance.product_code} · ${t("stock.lot", { number: balance.lot_number })}` }),
        h("p", { class: "muted", text: t("stock.count.books", { doses: balance.doses }) }),
        counted.field, variance, vvm?.field),
    };
  });
  const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", text: t("stock.count.confirm") });
  const form = h("form", { class: "stack", id: "count" }, h("ul", { class: "items" }, rows.map((row) => row.node)), submit, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const lines = rows.filter((row) => row.counted.input.value !== "").map((row) => {
      const line = { lot_id: row.balance.lot_id, counted_doses: Number(row.counted.input.value) };
      if (row.vvm?.select.value) line.vvm_stage = Number(row.vvm.select.value);
      return line;
    });
    if (!lines.length) {
      status.className = "stock-result refused";
      status.textContent = t("stock.count.nothing");
      return;
    }
    submit.disabled = true;
    const { stop } = await kit.write(status, {
      path: `/api/stock/stores/${current.id}/counts`, body: { lines },
      label: { key: "stock.write.count", values: { lines: lines.length, store: current.name } },
    });
    cleanups.push(stop);
  });
  kit.show(root, kit.offlineNote(balances), held.length ? form : h("p", { class: "muted", text: t("stock.empty") }));
  return () => cleanups.forEach((stop) => stop());
}
