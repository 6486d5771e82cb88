// Ship to a lower store: the stores this one supplies, the usable lots on hand (earliest
// expiry first, as FEFO issues them) with the doses to send; through the outbox. More
// than is on hand is refused by the server (409) and stays in the outbox with its message.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";

export async function render(root) {
  const { all, current } = await kit.stores();
  const cleanups = [];
  kit.show(root, kit.header("stock.ship.heading", all, current));
  if (!current) return;
  const [supplied, balances] = await Promise.all([
    kit.read(`/api/stock/stores/${current.id}/supplied`),
    kit.read(`/api/stock/stores/${current.id}/balances`),
  ]);
  const usable = balances.data.filter((b) => b.doses > 0 && !b.on_hold && kit.daysUntil(b.expiry) >= 0);
  const to = h("select", { id: "ship-to", required: true },
    supplied.data.map((s) => h("option", { value: s.id, text: `${s.name} · ${s.facility_name}` })));
  const reference = h("input", { id: "ship-reference", type: "text", maxlength: 64, autocomplete: "off" });
  const rows = usable.map((balance, index) => {
    const doses = kit.dosesInput(`ship-${index}`, t("stock.ship.doses", { doses: balance.doses }), "", { max: balance.doses });
    return {
      balance, doses,
      node: h("li", { class: "card line", "data-lot": balance.lot_number },
        h("h3", { text: `${balance.product_code} · ${t("stock.lot", { number: balance.lot_number })}` }),
        h("p", { class: "muted", text: t("stock.expiry", { date: balance.expiry }) }),
        doses.field),
    };
  });
  const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", text: t("stock.ship.confirm") });
  const form = h("form", { class: "stack", id: "shipment" },
    h("label", { class: "field", for: "ship-to" }, h("span", { text: t("stock.ship.to") }), to),
    h("label", { class: "field", for: "ship-reference" }, h("span", { text: t("stock.reference") }), reference),
    h("ul", { class: "items" }, rows.map((row) => row.node)),
    submit, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const lines = rows.filter((row) => Number(row.doses.input.value) > 0)
      .map((row) => ({ lot_id: row.balance.lot_id, doses: Number(row.doses.input.value) }));
    if (!lines.length) {
      status.className = "stock-result refused";
      status.textContent = t("stock.ship.nothing");
      return;
    }
    submit.disabled = true;
    const target = supplied.data.find((s) => s.id === Number(to.value));
    const { stop } = await kit.write(status, {
      path: `/api/stock/stores/${current.id}/shipments`,
      body: { to_store_id: target.id, reference: reference.value.trim(), lines },
      label: { key: "stock.write.shipment", values: { store: target.name } },
    });
    cleanups.push(stop);
  });
  kit.show(root, kit.offlineNote(balances),
    supplied.data.length ? form : h("p", { class: "muted", text: t("stock.ship.no_store") }));
  return () => cleanups.forEach((stop) => stop());
}
