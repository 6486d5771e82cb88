// One child's record for a parent: identity, guardians, the vaccination history and what
// is due (coloured and worded states, dose-view.js), from the copy on the device (brought
// up to date by the children list), so it reads offline.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as reading from "../reading.js";
import { sexWord, shownDate, updatedLine } from "../records.js";
import { forecastList, historyList } from "../dose-view.js";
import { CHILDREN } from "./children.js";

export async function render(root, [id]) {
  const record = await reading.load(CHILDREN);
  const found = record?.children.find(({ subject }) => String(subject.id) === id);
  const back = h("a", { href: "#/children", class: "back", text: t("parent.back") });
  if (!found) {
    root.append(h("section", { class: "card" }, h("h2", { text: t("parent.missing") }), back));
    return;
  }
  const { subject } = found;
  root.append(
    h("section", { class: "card" },
      h("h2", { text: subject.full_name }),
      h("p", { class: "muted", text: updatedLine(record) }),
      h("dl", { class: "facts" },
        h("dt", { text: t("parent.code") }), h("dd", { text: subject.code_display }),
        h("dt", { text: t("parent.birth") }), h("dd", { text: shownDate(subject.birth_date) }),
        h("dt", { text: t("parent.sex") }), h("dd", { text: sexWord(subject.sex) }),
        h("dt", { text: t("parent.guardians") }),
        h("dd", { text: subject.guardians.map((g) => [g.full_name, g.phone].filter(Boolean).join(" · ")).join("; ") })),
      h("a", { class: "button-link", href: `#/certificate/${subject.id}`, i18n: "cert.open" }),
      back),
    h("section", { class: "card" },
      h("h3", { i18n: "history.heading" }),
      // A copy from before the history was kept on the device has no doses yet.
      found.doses ? historyList(found) : h("p", { class: "muted", i18n: "history.refresh" })),
    h("section", { class: "card" },
      h("h3", { text: t("parent.doses") }),
      forecastList(found.forecast)),
  );
}
