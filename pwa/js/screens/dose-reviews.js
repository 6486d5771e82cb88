// Double-dose reviews (docs/records.md, "Offline sync"): a child dosed with the same
// vaccine at two facilities, neither knowing of the other until sync. Both doses stay
// (they happened); the officer or vaccinator reads them side by side and closes the
// review with what was decided. The resolution is a write through the outbox.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { settled, shownDate, shownMoment } from "../records.js";

function dose(side, which) {
  const facts = [
    ["doseReview.vaccine", side.product_code ? `${side.product_code} (${side.vaccine_code})` : side.vaccine_code],
    ["doseReview.date", shownDate(side.administered_on)],
    ["doseReview.facility", side.facility_name ?? "—"],
    ["doseReview.lot", side.lot_number || "—"],
    ["doseReview.recorded", shownMoment(Date.parse(side.recorded_at))],
  ];
  return h("div", { class: "person dose-side" },
    h("h4", { text: t(which) }),
    h("dl", { class: "facts" }, facts.flatMap(([label, value]) => [h("dt", { text: t(label) }), h("dd", { text: value })])),
    side.flags.length ? h("p", { class: "notice", text: side.flags.map((flag) => t(`doseReview.flag.${flag}`)).join(" · ") }) : null);
}

function reviewCard(review) {
  const id = `note-${review.id}`;
  const note = h("textarea", { id, rows: 3, maxlength: 1000, "aria-describedby": `${id}-error`, "data-field": "note" });
  const error = h("p", { id: `${id}-error`, class: "error field-error", role: "alert", hidden: true });
  const status = h("p", { class: "notice", role: "status", hidden: true });
  const resolve = h("button", { type: "submit", text: t("doseReview.resolve") });
  const form = h("form", { class: "resolve", novalidate: true, onsubmit: (event) => { event.preventDefault(); send(); } },
    h("label", { for: id, text: t("doseReview.note") }), note, error, resolve);

  function tell(text) { status.textContent = text; status.hidden = !text; }

  async function send() {
    error.hidden = true;
    if (note.value.trim().length < 3) {
      error.textContent = t("doseReview.note.missing");
      error.hidden = false;
      return note.focus();
    }
    resolve.disabled = true;
    const item = await outbox.submit({ path: `/api/dose-reviews/${review.id}/resolve`, body: { note: note.value.trim() },
      label: { key: "doseReview.write", values: { name: review.subject_name } } });
    const answered = await settled(item.seq);
    resolve.disabled = false;
    if (answered?.state === "refused") {
      const fields = api.fieldErrors(answered.error);
      if (fields.note) { error.textContent = fields.note; error.hidden = false; return note.focus(); }
      return tell(answered.error.message);
    }
    form.hidden = answered?.state === "confirmed";
    tell(t(answered?.state === "confirmed" ? "doseReview.resolved" : "doseReview.queued"));
  }

  return h("li", { class: "card review", "data-review": review.id },
    h("h3", { text: `${review.subject_name} · ${review.subject_code}` }),
    h("p", { class: "muted", text: t("doseReview.about", { birth: shownDate(review.birth_date), groups: review.vaccine_groups.join(", ") }) }),
    h("div", { class: "side-by-side" }, dose(review.first, "doseReview.first"), dose(review.second, "doseReview.second")),
    form, status);
}

export async function render(root) {
  const listing = h("ul", { id: "reviews", class: "items" });
  const note = h("p", { class: "muted", role: "status" });
  root.append(
    h("section", { class: "card" },
      h("h2", { text: t("doseReview.heading") }),
      h("p", { class: "muted", text: t("doseReview.intro") }),
      note,
      h("a", { href: "#/", class: "back", text: t("nav.home") })),
    listing,
  );
  try {
    const reviews = await api.request("GET", "/api/dose-reviews");
    listing.replaceChildren(...reviews.map(reviewCard));
    note.textContent = reviews.length ? t("doseReview.count", { count: reviews.length }) : t("doseReview.none");
  } catch (error) {
    note.textContent = error.status === 0 ? t("doseReview.offline") : error.message;
  }
}
