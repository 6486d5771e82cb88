// A vaccinator's facility for offline reading: download its subjects (compact) into the
// device, then find a child by name (with or without diacritics), code or phone, with
// no network at all.
import * as api from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as reading from "../reading.js";
import * as store from "../store.js";
import { sexWord, shownDate, updatedLine } from "../records.js";

const FACILITY = "facility";
const PAGE_SIZE = 2000;
const SHOWN = 50; // results drawn at once: a phone does not need more to find one child

async function download(facilityId) {
  const subjects = [];
  for (let page = 1; ; page += 1) {
    const answer = await api.request("GET",
      `/api/facilities/${facilityId}/subjects?format=compact&page=${page}&page_size=${PAGE_SIZE}`);
    subjects.push(...answer.items);
    if (!answer.has_more) break;
  }
  await reading.save(FACILITY, { facility: facilityId, subjects });
  return reading.load(FACILITY);
}

function result(subject) {
  const due = subject.next_due.map((dose) => t("offline.due", { group: dose.group, date: shownDate(dose.due) }));
  return h("li", { class: "card" },
    h("h3", { text: subject.name }),
    h("p", { text: `${subject.code} · ${shownDate(subject.birth_date)} · ${sexWord(subject.sex)}` }),
    subject.phone ? h("p", { class: "muted", text: subject.phone }) : null,
    h("p", { class: "muted", text: due.length ? due.join(" · ") : t("offline.nothing_due") }));
}

export async function render(root) {
  const user = store.get().user;
  const updated = h("p", { id: "facility-updated", class: "muted", "aria-live": "polite" });
  const problem = h("p", { class: "notice", role: "status", hidden: true });
  const query = h("input", { id: "facility-search", type: "search", autocomplete: "off" });
  const count = h("p", { id: "facility-count", class: "muted", role: "status" });
  const results = h("ul", { id: "facility-results", class: "items" });
  let record = await reading.load(FACILITY);

  function show() {
    updated.textContent = record ? `${updatedLine(record)} · ${t("offline.size", { count: record.subjects.length })}` : updatedLine(null);
    const found = record ? reading.search(record.subjects, query.value) : [];
    count.textContent = query.value.trim() ? t("offline.found", { count: found.length }) : "";
    results.replaceChildren(...found.slice(0, SHOWN).map(result));
  }

  const button = h("button", { type: "button", id: "facility-download", text: t("offline.download"),
    onclick: async () => {
      button.disabled = true;
      try {
        record = await download(user.scope_facility_id);
        problem.hidden = true;
      } catch (error) {
        problem.textContent = error.status === 0 ? t("offline.offline") : error.message;
        problem.hidden = false;
      } finally {
        button.disabled = false;
      }
      show();
    } });
  query.addEventListener("input", show);

  root.append(
    h("section", { class: "card" },
      h("h2", { text: t("offline.heading") }),
      updated, button, problem,
      h("a", { href: "#/", class: "back", text: t("nav.home") })),
    h("section", { class: "card", role: "search" },
      h("label", { for: query.id, text: t("offline.search") }), query, count),
    results,
  );
  show();
}
