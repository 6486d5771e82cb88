// Shipments on their way to the clerk's store: pick one, say per lot what arrived (the
// shipped doses unless fewer, and then why: short, damaged, VVM, temperature alarm), and
// the VVM stage read; the receipt goes through the outbox. The receive-by-photo screen
// uses the same form when a carton's SSCC names a shipment in transit.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";

// Why fewer doses arrived (the API's kinds) → their label.
const DISCREPANCIES = {
  short: "stock.discrepancy.short",
  damaged: "stock.discrepancy.damaged",
  vvm: "stock.discrepancy.vvm",
  temperature_alarm: "stock.discrepancy.temperature_alarm",
};

// The shipment's lines with what the screen shows of each lot.
export async function shipmentLines(entries) {
  return Promise.all(entries.map(async (entry) => {
    const { data: lot } = await kit.read(`/api/stock/lots/${entry.lot_id}`);
    return { lot_id: entry.lot_id, shipped: Math.abs(entry.doses), lot_number: lot.number,
      product_code: lot.product_code, expiry: lot.expiry, has_vvm: lot.has_vvm, doses_per_vial: lot.doses_per_vial };
  }));
}

function arrivedLine(line, index) {
  const accepted = kit.dosesInput(`arrived-${index}`, t("stock.arrived.doses", { shipped: line.shipped }), line.shipped,
    { max: line.shipped, required: true });
  const why = h("select", { id: `why-${index}` },
    h("option", { value: "", text: t("stock.discrepancy.none") }),
    Object.entries(DISCREPANCIES).map(([kind, key]) => h("option", { value: kind, text: t(key) })));
  const whyField = h("label", { class: "field", for: `why-${index}` }, h("span", { text: t("stock.discrepancy") }), why);
  const vvm = line.has_vvm ? kit.vvmSelect(`arrived-vvm-${index}`, null) : null;
  const sync = () => { whyField.hidden = Number(accepted.input.value) >= line.shipped; };
  accepted.input.addEventListener("input", sync);
  sync();
  return {
    node: h("li", { class: "card line", "data-lot": line.lot_number },
      h("h3", { text: `${line.product_code} · ${t("stock.lot", { number: line.lot_number })}` }),
      h("p", { class: "muted", text: t("stock.expiry", { date: line.expiry }) }),
      accepted.field, whyField, vvm?.field),
    value: () => {
      const doses = Number(accepted.input.value);
      const body = { lot_id: line.lot_id, doses };
      if (doses < line.shipped) body.discrepancy = why.value || null;
      if (vvm?.select.value) body.vvm_stage = Number(vvm.select.value);
      return body;
    },
  };
}

// The form receiving shipment `shipmentId` at `current` from its `lines`.
export function shipmentForm(current, shipmentId, reference, lines, cleanups) {
  const rows = lines.map(arrivedLine);
  const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "stack", id: "shipment-receipt" },
    h("p", { text: t("stock.transit.shipment", { reference: reference || `#${shipmentId}` }) }),
    h("ul", { class: "items" }, rows.map((row) => row.node)),
    h("button", { type: "submit", text: t("stock.transit.confirm") }),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("button[type=submit]").disabled = true;
    const body = { shipment_id: shipmentId, lines: rows.map((row) => row.value()) };
    const { stop } = await kit.write(status, {
      path: `/api/stock/stores/${current.id}/shipment-receipts`, body,
      label: { key: "stock.write.shipment_receipt", values: { reference: reference || `#${shipmentId}` } },
    });
    cleanups.push(stop);
  });
  return form;
}

export async function render(root) {
  const { all, current } = await kit.stores();
  const cleanups = [];
  kit.show(root, kit.header("stock.transit.heading", all, current));
  if (!current) return;
  const answer = await kit.read(`/api/stock/stores/${current.id}/in-transit`);
  const area = h("div", { class: "stack" });
  const choose = async (shipment) => {
    area.replaceChildren(shipmentForm(current, shipment.id, shipment.reference, await shipmentLines(shipment.lines), cleanups));
  };
  kit.show(root,
    kit.offlineNote(answer),
    answer.data.length
      ? h("ul", { class: "items", id: "in-transit" }, answer.data.map((shipment) =>
        h("li", { class: "card" },
          h("p", { text: t("stock.transit.from", { reference: shipment.reference || `#${shipment.id}`,
            date: shipment.occurred_at.slice(0, 10), lines: shipment.lines.length }) }),
          h("button", { type: "button", class: "secondary", text: t("stock.transit.receive"), onclick: () => choose(shipment) }))))
      : h("p", { class: "muted", text: t("stock.transit.none") }),
    area);
  return () => cleanups.forEach((stop) => stop());
}
