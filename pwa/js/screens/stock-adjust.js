// An adjustment at the clerk's store: a lot on its books, the reason (broken, expired,
// VVM 3/4, frozen, cold-chain failure, lost — doses out; found — doses back in), the doses
// and a note. Through the outbox, so it is recorded offline and sent once; when the server
// confirms, the lot's balance is read again and shown.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";

export async function render(root) {
  const { all, current } = await kit.stores();
  const cleanups = [];
  kit.show(root, kit.header("stockleft.adjust.heading", all, current));
  if (!current) return;
  const path = `/api/stock/stores/${current.id}/balances`;
  let balances = await kit.read(path);
  // Every lot the store has held: a lot at zero can still be "found".
  const lot = h("select", { id: "adjust-lot", required: true });
  const onHand = h("p", { id: "adjust-on-hand", "aria-live": "polite" });
  const fill = () => {
    const chosen = Number(lot.value);
    lot.replaceChildren(...balances.data.map((b) => h("option", { value: b.lot_id, selected: b.lot_id === chosen,
      text: `${kit.lotName(b)} — ${t("stock.on_hand", { doses: b.doses, vials: b.vials })}` })));
    const balance = balances.data.find((b) => b.lot_id === Number(lot.value));
    onHand.textContent = balance ? t("stockleft.adjust.on_hand", { doses: balance.doses }) : "";
  };
  lot.addEventListener("change", fill);
  const reason = h("select", { id: "adjust-reason", required: true },
    kit.REASONS.map((code) => h("option", { value: code, text: kit.reasonText(code) })));
  const doses = kit.dosesInput("adjust-doses", t("stockleft.adjust.doses"), "", { min: 1, required: true });
  const note = h("input", { id: "adjust-note", type: "text", maxlength: 500, autocomplete: "off" });
  const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", text: t("stockleft.adjust.confirm") });
  const form = h("form", { class: "stack", id: "adjustment" },
    h("label", { class: "field", for: "adjust-lot" }, h("span", { text: t("stockleft.adjust.lot") }), lot),
    onHand,
    h("label", { class: "field", for: "adjust-reason" }, h("span", { text: t("stockleft.adjust.reason") }), reason),
    doses.field,
    h("label", { class: "field", for: "adjust-note" }, h("span", { text: t("stockleft.adjust.note") }), note),
    submit, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const amount = Number(doses.input.value);
    if (!Number.isInteger(amount) || amount < 1) {
      status.className = "stock-result refused";
      status.textContent = t("stockleft.adjust.no_doses");
      return;
    }
    submit.disabled = true;
    const balance = balances.data.find((b) => b.lot_id === Number(lot.value));
    const { item, stop } = await kit.write(status, {
      path: `/api/stock/stores/${current.id}/adjustments`,
      body: { lot_id: balance.lot_id, reason: reason.value, doses: amount, note: note.value.trim() },
      label: { key: "stockleft.write.adjustment",
        values: { reason: kit.reasonText(reason.value), doses: amount, lot: balance.lot_number, store: current.name } },
    });
    cleanups.push(stop, kit.whenSettled(item, async (state) => {
      submit.disabled = false;
      if (state !== "confirmed") return;
      balances = await kit.read(path);
      fill();
      doses.input.value = "";
      note.value = "";
    }));
  });
  fill();
  kit.show(root, kit.offlineNote(balances),
    balances.data.length ? form : h("p", { class: "muted", text: t("stock.empty") }));
  return () => cleanups.forEach((stop) => stop());
}
