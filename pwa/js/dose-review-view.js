// Home's tile for the double-dose reviews (screens/dose-reviews.js): shown to the staff
// who may resolve them only when some wait, so the review is two taps from home.
import * as api from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

export function reviewTile() {
  const tile = h("a", { class: "task", id: "dose-reviews-waiting", href: "#/dose-reviews", hidden: true });
  api.request("GET", "/api/dose-reviews").then((reviews) => {
    if (!reviews.length) return;
    tile.textContent = t("doseReview.task", { count: reviews.length });
    tile.hidden = false;
  }, () => {});
  return tile;
}
