// A parent links a child: the guardian's phone gets a code by SMS, the code links every
// child of that guardian. Both steps are writes, so both go through the outbox.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { settled } from "../records.js";
import { download } from "./children.js";
import { cardLink } from "../camera.js";

export const translatesInPlace = true;

function field(id, key, attributes) {
  const input = h("input", { id, name: id, required: true, ...attributes });
  const error = h("p", { id: `${id}-error`, class: "error", hidden: true });
  input.setAttribute("aria-describedby", error.id);
  return { input, error, node: h("div", { class: "field" }, h("label", { for: id, i18n: key }), input, error) };
}

// What became of a queued write, said to the person: sent, refused (with the field's
// message under its input), or waiting for the network.
function outcome(item, { status, fields }) {
  for (const { error } of Object.values(fields)) error.hidden = true;
  if (!item || item.state === "confirmed") return true;
  if (item.state === "refused") {
    const named = item.error?.details?.field;
    const target = fields[named] ?? Object.values(fields)[0];
    target.error.textContent = item.error.message;
    target.error.hidden = false;
    status.hidden = true;
    return false;
  }
  status.textContent = t("parent.link.queued");
  status.hidden = false;
  return false;
}

export function render(root) {
  const phone = field("link-phone", "parent.link.phone", { type: "tel", autocomplete: "tel", inputmode: "tel" });
  const code = field("link-code", "parent.link.code", { inputmode: "numeric", pattern: "[0-9]{6}", autocomplete: "one-time-code" });
  const status = h("p", { id: "link-status", class: "notice", role: "status", hidden: true });
  const linked = h("ul", { id: "linked", class: "items" });
  const codeStep = h("form", { class: "card", hidden: true },
    h("p", { i18n: "parent.link.sent" }), code.node,
    h("button", { type: "submit", i18n: "parent.link.verify" }));
  const phoneStep = h("form", { class: "card" },
    phone.node, h("button", { type: "submit", i18n: "parent.link.send" }));

  phoneStep.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = await outbox.submit({ path: "/api/me/links/phone", body: { phone: phone.input.value },
      label: { key: "parent.write.code", values: { phone: phone.input.value } } });
    if (outcome(await settled(item.seq), { status, fields: { phone } })) codeStep.hidden = false;
  });
  codeStep.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = await outbox.submit({ path: "/api/me/links/phone/verify",
      body: { phone: phone.input.value, code: code.input.value },
      label: { key: "parent.write.verify", values: { phone: phone.input.value } } });
    const done = await settled(item.seq);
    if (!outcome(done, { status, fields: { phone, code } })) return;
    linked.replaceChildren(...done.response.map((child) => h("li", { class: "card", text: child.full_name })));
    status.textContent = t("parent.link.done", { count: done.response.length });
    status.hidden = false;
    await download().catch(() => {});
  });

  root.append(
    h("section", { class: "card" },
      h("h2", { i18n: "parent.link.heading" }),
      h("p", { class: "muted", i18n: "parent.link.intro" }),
      h("a", { href: "#/children", class: "back", i18n: "parent.back" })),
    phoneStep, codeStep, status, linked,
    cardLink(() => download().catch(() => {})),
  );
}
