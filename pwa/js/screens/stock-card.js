// The store's stock card, newest first: each event with its lines, and "Reverse" on each
// one of this store not yet reversed. A mistaken entry is reversed once, never edited; the
// clerk says why. The app does not repeat the server's rules on what can be reversed (a
// reversal, a received shipment): the server refuses and its message stays under the
// event's button. Through the outbox; once confirmed, the card is read again.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { refresh } from "../router.js";
import * as kit from "./stock-kit.js";

const CARD_LENGTH = 50;

function kindText(event) {
  const kind = t(`stockleft.kind.${event.kind}`);
  return event.reason ? `${kind} · ${kit.reasonText(event.reason)}` : kind;
}

function lineText(line, lots) {
  const balance = lots.get(line.lot_id);
  const name = balance ? kit.lotName(balance) : t("stock.lot", { number: `#${line.lot_id}` });
  return t("stockleft.card.line", { lot: name, doses: line.doses > 0 ? `+${line.doses}` : line.doses });
}

export async function render(root) {
  const { all, current } = await kit.stores();
  const cleanups = [];
  kit.show(root, kit.header("stockleft.card.heading", all, current));
  if (!current) return;
  const [events, balances] = await Promise.all([
    kit.read(`/api/stock/stores/${current.id}/events?limit=${CARD_LENGTH}`),
    kit.read(`/api/stock/stores/${current.id}/balances`),
  ]);
  const lots = new Map(balances.data.map((b) => [b.lot_id, b]));
  const reversed = new Set(events.data.filter((e) => e.reverses_id !== null).map((e) => e.reverses_id));

  const reverseForm = (event) => {
    const id = `reverse-note-${event.id}`;
    const note = h("input", { id, type: "text", required: true, minlength: 1, maxlength: 500, autocomplete: "off" });
    const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
    const confirm = h("button", { type: "submit", class: "danger", text: t("stockleft.card.confirm") });
    const form = h("form", { class: "stack reverse", hidden: true },
      h("label", { class: "field", for: id }, h("span", { text: t("stockleft.card.why") }), note), confirm, status);
    const open = h("button", { type: "button", class: "secondary", text: t("stockleft.card.reverse"),
      "aria-label": t("stockleft.card.reverse_event", { id: event.id }),
      onclick: () => { form.hidden = false; open.hidden = true; note.focus(); } });
    form.addEventListener("submit", async (submitted) => {
      submitted.preventDefault();
      confirm.disabled = true;
      const { item, stop } = await kit.write(status, {
        path: `/api/stock/stores/${current.id}/reversals`, body: { event_id: event.id, note: note.value.trim() },
        label: { key: "stockleft.write.reversal", values: { id: event.id, store: current.name } },
      });
      cleanups.push(stop, kit.whenSettled(item, (state) => { if (state === "confirmed") refresh(); }));
    });
    return [open, form];
  };

  const row = (event) => {
    const own = event.store_id === current.id;
    return h("li", { class: "card event", "data-event": event.id, "data-kind": event.kind },
      h("h3", { text: `${kindText(event)} · #${event.id}` }),
      h("p", { class: "muted", text: new Date(event.occurred_at).toLocaleString() }),
      event.reverses_id !== null ? h("p", { text: t("stockleft.card.reverses", { id: event.reverses_id }) }) : null,
      event.note ? h("p", { class: "muted", text: event.note }) : null,
      h("ul", { class: "lines" }, (own ? event.lines : []).map((line) => h("li", { text: lineText(line, lots) }))),
      reversed.has(event.id) ? h("p", { class: "flag", text: t("stockleft.card.reversed") }) : null,
      own && !reversed.has(event.id) ? reverseForm(event) : null);
  };
  kit.show(root, kit.offlineNote(events), events.data.length
    ? h("ul", { class: "items", id: "stock-card" }, events.data.map(row))
    : h("p", { class: "muted", text: t("stockleft.card.none") }));
  return () => cleanups.forEach((stop) => stop());
}
