// Open multi-dose vials at the store (issue 12, "Open vials"): each vial's lot, when it was
// opened, the doses left and when its rule discards it; open a new vial of a lot, discard
// one by hand, close the session (its session and N-hour vials are written off). Every
// write goes through the outbox; the server computes the wastage, nobody types it.
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import * as store from "../store.js";
import * as kit from "./stock-kit.js";

if (!document.querySelector('link[href="/stockui.css"]')) {
  document.head.append(h("link", { rel: "stylesheet", href: "/stockui.css" }));
}

const SESSION_KEY = "niis.stockui.session";
// The session's name: today's date unless the person names it otherwise (one session a day
// at a commune station is the usual case; the server only needs the same name at close).
const sessionName = () => localStorage.getItem(SESSION_KEY) || kit.today();

const when = (iso) => new Date(iso).toLocaleString(language(), { dateStyle: "short", timeStyle: "short" });

// When a write is settled: confirmed, the list is read again (the server's figures, not a
// guess); refused, its message stays under the button and the button is usable again.
function onConfirmed(item, reload) {
  let done = false;
  const check = async () => {
    const now = (await outbox.list()).find((queued) => queued.seq === item.seq);
    if (done || (now && now.state !== "confirmed" && now.state !== "refused")) return;
    done = true;
    stop();
    reload(now?.state !== "refused");
  };
  const stop = store.subscribe(check);
  check();
  return stop;
}

function vialRow(vial, discard) {
  const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "secondary", text: t("stockui.vials.discard") });
  button.addEventListener("click", () => discard(vial, status, button));
  return h("li", { class: "vial", "data-lot": vial.lot_number, "data-vial": vial.id },
    h("p", { class: "lot-number", text: `${vial.product_code} · ${t("stock.lot", { number: vial.lot_number })}` }),
    h("p", { text: t("stockui.vials.opened", { when: when(vial.opened_at) }) }),
    h("p", { class: "left", text: t("stockui.vials.left", { left: vial.doses - vial.given, doses: vial.doses }) }),
    h("p", { class: "muted", text: vial.discard_at
      ? t(`stockui.vials.rule.${vial.rule}`, { when: when(vial.discard_at) })
      : t("stockui.vials.rule.none") }),
    vial.session ? h("p", { class: "muted", text: t("stockui.vials.session_of", { session: vial.session }) }) : null,
    button, status);
}

export async function render(root) {
  const { all, current } = await kit.stores();
  kit.show(root, kit.header("stockui.vials.heading", all, current));
  if (!current) return;
  const stops = [];
  const base = `/api/stock/stores/${current.id}`;
  const list = h("ul", { class: "lots", id: "open-vials", "aria-label": t("stockui.vials.list") });

  const send = async (status, request, buttons) => {
    buttons.forEach((button) => { button.disabled = true; });
    const { item, stop } = await kit.write(status, request);
    stops.push(stop, onConfirmed(item, async (confirmed) => {
      buttons.forEach((button) => { button.disabled = false; });
      if (confirmed) await load();
    }));
  };
  const discard = (vial, status, button) => send(status, {
    path: `${base}/open-vials/${vial.id}/discard`, body: {},
    label: { key: "stockui.write.discard", values: { lot: vial.lot_number, store: current.name } },
  }, [button]);

  async function load() {
    const vials = await kit.read(`${base}/open-vials`);
    list.replaceChildren(...(vials.data.length ? vials.data.map((vial) => vialRow(vial, discard))
      : [h("li", { class: "muted", text: t("stockui.vials.none") })]));
  }

  // Lots a vial can be opened from: multi-dose, on hand, usable (the server refuses the rest).
  const balances = await kit.read(`${base}/balances`);
  const usable = balances.data.filter((b) => b.doses_per_vial > 1 && b.doses > 0 && !b.on_hold && kit.daysUntil(b.expiry) >= 0)
    .sort((a, b) => a.expiry.localeCompare(b.expiry));
  const lot = h("select", { id: "vial-lot", required: true },
    usable.map((b) => h("option", { value: b.lot_id,
      text: t("stockui.vials.lot_option", { product: b.product_code, lot: b.lot_number, expiry: b.expiry, per: b.doses_per_vial }) })));
  const session = h("input", { id: "vial-session", type: "text", value: sessionName(), maxlength: 64, required: true });
  session.addEventListener("change", () => localStorage.setItem(SESSION_KEY, session.value.trim()));
  const open = h("button", { type: "submit", text: t("stockui.vials.open") });
  const opened = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "card stack", id: "open-vial" },
    h("h3", { text: t("stockui.vials.open") }),
    h("label", { class: "field", for: "vial-session" }, h("span", { text: t("stockui.vials.session") }), session),
    usable.length ? h("label", { class: "field", for: "vial-lot" }, h("span", { text: t("stockui.vials.lot") }), lot)
      : h("p", { class: "muted", text: t("stockui.vials.no_lot") }),
    usable.length ? open : null, opened);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = usable.find((b) => b.lot_id === Number(lot.value));
    send(opened, {
      path: `${base}/open-vials`,
      body: { lot_id: chosen.lot_id, session: session.value.trim(), opened_at: new Date().toISOString(), offline: !navigator.onLine },
      label: { key: "stockui.write.open", values: { lot: chosen.lot_number, store: current.name } },
    }, [open]);
  });

  const close = h("button", { type: "button", class: "danger", id: "close-session", text: t("stockui.vials.close") });
  const closed = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
  close.addEventListener("click", () => send(closed, {
    path: `${base}/sessions/close`, body: { session: session.value.trim() },
    label: { key: "stockui.write.close", values: { session: session.value.trim(), store: current.name } },
  }, [close]));

  kit.show(root, kit.offlineNote(balances),
    h("section", { class: "card" }, h("h3", { text: t("stockui.vials.list") }), list),
    form,
    h("section", { class: "card stack" },
      h("p", { class: "muted", text: t("stockui.vials.close_hint") }), close, closed));
  await load();
  return () => stops.forEach((stop) => stop());
}
