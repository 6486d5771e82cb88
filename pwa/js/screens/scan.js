// Find a subject by photographing their card (#/scan, home's "Find by card photo"):
// the photo button is the whole screen; the record opens when the card is read.
import { h } from "../dom.js";
import { finder } from "../camera.js";
import { backLink } from "../registry-view.js";

export const translatesInPlace = true;

export function render(root) {
  root.append(h("section", { class: "card" }, h("h2", { i18n: "camera.find.heading" }), finder(), backLink("", "nav.home")));
}
