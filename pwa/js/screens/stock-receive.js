// Receive a delivery by photographing it: each photo goes to POST /api/scan, the GS1
// codes of all of them to the store's receipt proposal, and the lines come back
// prefilled (presentation, lot, expiry, doses) for the clerk to confirm or correct. An
// SSCC naming a shipment on its way here opens that shipment's receipt instead, where
// what differs is recorded as a discrepancy. The confirmed receipt goes through the
// outbox. Offline: the outbox keeps JSON, not photos, and the server reads the photos,
// so the clerk types the lines from the label and the receipt waits for the network.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";
import { shipmentForm, shipmentLines } from "./stock-transit.js";

let lineNumber = 0;

async function presentation(gtin) {
  if (!/^\d{14}$/.test(gtin ?? "")) return null;
  try {
    return (await kit.read(`/api/stock/presentations/${gtin}`)).data;
  } catch {
    return null; // not registered, or never seen on this device offline
  }
}

// One editable receipt line, prefilled from a proposal's line (or empty).
function receiptLine(proposed, known, onRemove) {
  const n = ++lineNumber;
  const input = (name, type, value, extra = {}) => h("input", { id: `${name}-${n}`, name, type, value: value ?? "", ...extra });
  const gtin = input("gtin", "text", proposed.gtin, { inputmode: "numeric", pattern: "[0-9]{14}", required: true, autocomplete: "off" });
  const lot = input("lot_number", "text", proposed.lot_number, { required: true, autocomplete: "off" });
  const expiry = input("expiry", "date", proposed.expiry, { required: true });
  const doses = input("doses", "number", proposed.doses || "", { min: 1, step: 1, inputmode: "numeric", required: true });
  const vials = h("p", { class: "muted", "aria-live": "polite" });
  const vvm = kit.vvmSelect(`vvm-${n}`, null);
  let perVial = known?.doses_per_vial ?? null;
  const showVials = () => {
    vials.textContent = perVial && doses.value ? t("stock.vials", { vials: Math.floor(Number(doses.value) / perVial), per: perVial }) : "";
  };
  const showVvm = (found) => { vvm.field.hidden = found ? !found.has_vvm : false; };
  doses.addEventListener("input", showVials);
  gtin.addEventListener("change", async () => {
    const found = await presentation(gtin.value.trim());
    perVial = found?.doses_per_vial ?? null;
    showVvm(found);
    showVials();
  });
  showVials();
  showVvm(known);
  const field = (control, key) => h("label", { class: "field", for: control.id }, h("span", { text: t(key) }), control);
  const node = h("li", { class: "card line", "data-lot": proposed.lot_number ?? "" },
    proposed.product_code ? h("h3", { text: proposed.product_code }) : h("h3", { text: t("stock.receive.new_line") }),
    proposed.problem ? h("p", { class: "error", text: t("stock.receive.problem", { problem: proposed.problem }) }) : null,
    field(gtin, "stock.gtin"), field(lot, "stock.lot_number"), field(expiry, "stock.expiry_date"),
    field(doses, "stock.doses"), vials, vvm.field,
    h("button", { type: "button", class: "secondary", text: t("stock.receive.remove"), onclick: () => { node.remove(); onRemove(node); } }));
  return {
    node,
    value: () => {
      const line = { gtin: gtin.value.trim(), lot_number: lot.value.trim(), expiry: expiry.value, doses: Number(doses.value) };
      if (!vvm.field.hidden && vvm.select.value) line.vvm_stage = Number(vvm.select.value);
      return line;
    },
  };
}

export async function render(root) {
  const { all, current } = await kit.stores();
  const cleanups = [];
  kit.show(root, kit.header("stock.receive.heading", all, current));
  if (!current) return;
  const photos = h("input", { id: "delivery-photos", type: "file", accept: "image/*", capture: "environment", multiple: true });
  const reading = h("p", { id: "photo-status", role: "status", "aria-live": "polite", class: "muted" });
  const area = h("div", { class: "stack", id: "receipt-area" });
  let lines = [];
  const reference = h("input", { id: "reference", name: "reference", type: "text", maxlength: 64, autocomplete: "off" });
  const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  const list = h("ul", { class: "items", id: "receipt-lines" });
  const submit = h("button", { type: "submit", text: t("stock.receive.confirm") });
  const prune = (removed) => { lines = lines.filter((line) => line.node !== removed); submit.disabled = !lines.length; };
  const add = (proposed = {}, known = null) => {
    const line = receiptLine(proposed, known, prune);
    lines.push(line);
    list.append(line.node);
    prune();
  };
  const form = h("form", { class: "stack", id: "receipt" },
    h("label", { class: "field", for: "reference" }, h("span", { text: t("stock.reference") }), reference),
    list,
    h("button", { type: "button", class: "secondary", id: "add-line", text: t("stock.receive.add"), onclick: () => add() }),
    submit, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const body = { reference: reference.value.trim(), lines: lines.map((line) => line.value()) };
    const { stop } = await kit.write(status, {
      path: `/api/stock/stores/${current.id}/receipts`, body,
      label: { key: "stock.write.receipt", values: { lines: body.lines.length, store: current.name } },
    });
    cleanups.push(stop);
  });

  const typeInstead = (key) => {
    reading.className = "notice";
    reading.textContent = t(key);
    area.replaceChildren(form);
    if (!lines.length) add();
  };

  photos.addEventListener("change", async () => {
    const files = [...photos.files];
    if (!files.length) return;
    if (!navigator.onLine) return typeInstead("stock.receive.offline");
    reading.className = "muted";
    reading.textContent = t("stock.receive.reading", { count: files.length });
    const codes = [];
    try {
      for (const file of files) {
        const scanned = await api.request("POST", "/api/scan", file);
        for (const code of scanned.codes) {
          if (code.payload?.kind === "gs1" && (code.payload.gtin || code.payload.contained_gtin || code.payload.sscc)) codes.push(code.payload);
        }
      }
      if (!codes.length) {
        reading.textContent = t("stock.receive.nothing");
        return;
      }
      const proposal = await api.request("POST", `/api/stock/stores/${current.id}/receipt-proposals`, { codes });
      if (proposal.shipment_id) {
        reading.textContent = t("stock.receive.shipment_found", { reference: proposal.reference });
        const entries = proposal.lines.map((line) => ({ lot_id: line.lot_id, doses: line.doses }));
        area.replaceChildren(shipmentForm(current, proposal.shipment_id, proposal.reference, await shipmentLines(entries), cleanups));
        return;
      }
      reading.textContent = t("stock.receive.found", { lines: proposal.lines.length });
      reference.value = proposal.reference;
      list.replaceChildren();
      lines = [];
      for (const line of proposal.lines) add(line, await presentation(line.gtin));
      area.replaceChildren(
        proposal.unknown_gtins.length
          ? h("p", { class: "notice", id: "unknown-gtins", text: t("stock.receive.unknown", { gtins: proposal.unknown_gtins.join(", ") }) })
          : "",
        form);
    } catch (error) {
      if (error.status === 0) return typeInstead("stock.receive.offline");
      reading.className = "error";
      reading.textContent = error.message;
    }
  });

  kit.show(root,
    h("section", { class: "card" },
      h("label", { class: "field photo", for: "delivery-photos" }, h("span", { text: t("stock.receive.photos") }), photos),
      h("p", { class: "muted", text: t("stock.receive.hint") }),
      reading,
      h("button", { type: "button", class: "secondary", id: "type-lines", text: t("stock.receive.type"),
        onclick: () => typeInstead("stock.receive.typing") })),
    area);
  return () => cleanups.forEach((stop) => stop());
}
