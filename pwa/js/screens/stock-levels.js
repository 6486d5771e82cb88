// Min/max per product at the clerk's store: in doses, or in months of the average monthly
// consumption; whether stock is below min now, and the doses the min stands for (the
// server's). Each product saved on its own (PUT …/levels/{product}) through the outbox;
// once confirmed the levels are read again, so a new min below stock shows its alert state.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as kit from "./stock-kit.js";

function state(level) {
  if (!level) return t("stockleft.levels.unset");
  const key = level.below_min ? "stockleft.levels.below" : "stockleft.levels.above";
  return t(key, { min: level.min_doses });
}

export async function render(root) {
  const { all, current } = await kit.stores();
  const cleanups = [];
  kit.show(root, kit.header("stockleft.levels.heading", all, current));
  if (!current) return;
  const path = `/api/stock/stores/${current.id}/levels`;
  const [products, levels] = await Promise.all([kit.read("/api/stock/products"), kit.read(path)]);
  const levelOf = new Map(levels.data.map((level) => [level.product_id, level]));

  const card = (product) => {
    const level = levelOf.get(product.id);
    const prefix = `level-${product.id}`;
    const unit = h("select", { id: `${prefix}-unit` },
      ["doses", "months"].map((code) => h("option", { value: code, selected: level?.unit === code, text: t(`stockleft.levels.unit.${code}`) })));
    const min = kit.dosesInput(`${prefix}-min`, t("stockleft.levels.min"), level?.min_level, { required: true });
    const max = kit.dosesInput(`${prefix}-max`, t("stockleft.levels.max"), level?.max_level, { min: 1, required: true });
    const now = h("p", { class: `level-state${level?.below_min ? " flag danger" : " muted"}`, "aria-live": "polite", text: state(level) });
    const status = h("p", { class: "stock-result", role: "status", "aria-live": "polite" });
    const save = h("button", { type: "submit", text: t("stockleft.levels.save") });
    const form = h("form", { class: "card stack level", "data-product": product.code },
      h("h3", { text: `${product.code} · ${product.name}` }), now,
      h("label", { class: "field", for: `${prefix}-unit` }, h("span", { text: t("stockleft.levels.unit") }), unit),
      min.field, max.field, save, status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { unit: unit.value, min_level: Number(min.input.value), max_level: Number(max.input.value) };
      if (!(body.min_level >= 0 && body.min_level < body.max_level)) {
        status.className = "stock-result refused";
        status.textContent = t("stockleft.levels.bad");
        return;
      }
      save.disabled = true;
      const { item, stop } = await kit.write(status, {
        method: "PUT", path: `${path}/${product.id}`, body,
        label: { key: "stockleft.write.level", values: { product: product.code, store: current.name } },
      });
      cleanups.push(stop, kit.whenSettled(item, async (settled) => {
        save.disabled = false;
        if (settled !== "confirmed") return;
        const fresh = (await kit.read(path)).data.find((row) => row.product_id === product.id);
        now.className = `level-state${fresh?.below_min ? " flag danger" : " muted"}`;
        now.textContent = state(fresh);
      }));
    });
    return form;
  };
  kit.show(root, kit.offlineNote(levels), h("div", { class: "stack", id: "levels" }, products.data.map(card)));
  return () => cleanups.forEach((stop) => stop());
}
