// A session (#/session/<id>): its roster, downloaded and kept for offline use ("downloaded
// at …"), each child with the groups due and its attendance; "give a dose" opens the
// child's dose screen in this session (#/dose/<child>?session=<id>), "absent" and
// "postponed" (with the reason) go through the outbox (offline too, synced later with
// the doses); closing it shows its report.
import * as api from "../api.js";
import { h } from "../dom.js";
import { explain, language, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import * as reading from "../reading.js";
import { loadRecord } from "../dose-view.js";
import { backLink, day, settle } from "../registry-view.js";
import { attendancePath, download, kept, reportCard, sessionLine, waiting } from "../session-view.js";
import * as store from "../store.js";

function attendanceText(child, queued) {
  if (queued) {
    const key = queued.state === "refused" ? "sessions.attendance.refused" : "sessions.attendance.waiting";
    return t(key, { status: t(`sessions.attendance.${queued.status}`), why: queued.error ? explain(queued.error) : "" });
  }
  const { status, reason } = child.attendance;
  return reason ? t("sessions.attendance.with_reason", { status: t(`sessions.attendance.${status}`), reason })
    : t(`sessions.attendance.${status}`);
}

export async function render(root, [sessionId = ""]) {
  const id = Number(sessionId);
  const heading = h("h2", { id: "session-heading", text: t("sessions.session.heading") });
  const line = h("p", { id: "session-line", class: "muted" });
  const status = h("p", { id: "session-status", class: "muted", role: "status", text: t("sessions.loading") });
  const downloadButton = h("button", { type: "button", id: "session-download", class: "secondary", text: t("sessions.roster.download") });
  const closeButton = h("button", { type: "button", id: "session-close", class: "danger", text: t("sessions.close") });
  const closeOutcome = h("p", { id: "session-close-outcome", role: "status", hidden: true });
  const list = h("ul", { id: "session-roster", class: "roster" });
  const recordsLine = h("p", { id: "session-records", class: "muted", role: "status" });
  const report = h("div", { id: "session-report-box" });
  root.append(
    h("section", { class: "card" }, heading, line, status, h("div", { class: "row" }, downloadButton), recordsLine,
      backLink("sessions", "sessions.back")),
    h("section", { class: "card" }, h("h3", { text: t("sessions.roster.heading") }), list),
    h("section", { class: "card" }, closeButton, closeOutcome),
    report);

  let roster = null;

  async function draw() {
    const queued = await waiting(id);
    const { data, savedAt } = roster;
    line.textContent = sessionLine(data.session);
    status.textContent = t("sessions.roster.downloaded", { when: new Date(savedAt).toLocaleString(language()),
      count: data.children.length });
    const closed = data.session.status === "closed";
    closeButton.hidden = closed;
    if (closed && data.session.report) report.replaceChildren(reportCard(data.session.report));
    list.replaceChildren(...data.children.map((child) => childItem(child, queued.get(child.id), closed)));
  }

  function childItem(child, queued, closed) {
    const reasonInput = h("input", { type: "text", id: `session-reason-${child.id}`, maxlength: 500 });
    const reasonBox = h("div", { class: "field", hidden: true },
      h("label", { for: reasonInput.id, text: t("sessions.postpone.reason") }), reasonInput,
      h("button", { type: "button", class: "secondary", "data-action": "postpone-confirm", text: t("sessions.postpone.confirm"),
        onclick: () => { if (reasonInput.value.trim().length >= 3) mark(child, "postponed", reasonInput.value.trim()); else reasonInput.setAttribute("aria-invalid", "true"); } }));
    const done = child.attendance.status === "vaccinated" || queued?.status === "vaccinated";
    const actions = closed || done ? null : h("div", { class: "row" },
      h("a", { class: "button", "data-action": "dose", href: `#/dose/${child.id}?session=${id}`, text: t("sessions.give") }),
      h("button", { type: "button", class: "secondary", "data-action": "absent", text: t("sessions.absent"),
        onclick: () => mark(child, "absent", "") }),
      h("button", { type: "button", class: "secondary", "data-action": "postpone", text: t("sessions.postpone"),
        onclick: () => { reasonBox.hidden = false; reasonInput.focus(); } }));
    return h("li", { class: `roster-child ${queued?.status ?? child.attendance.status}`, "data-subject": child.id },
      h("a", { class: "roster-name", href: `#/subject/${child.id}`, text: child.full_name }),
      h("p", { class: "muted", text: t("sessions.child.born", { date: day(child.birth_date), code: child.code }) }),
      h("p", { class: "groups", text: child.groups.map((g) => t(`sessions.group.${g.state}`, { group: g.vaccine_group })).join(", ") }),
      h("p", { class: "attendance", "data-attendance": queued?.status ?? child.attendance.status, text: attendanceText(child, queued) }),
      actions, closed || done ? null : reasonBox);
  }

  async function mark(child, markStatus, reason) {
    const label = { key: "sessions.write.attendance", values: { name: child.full_name, status: t(`sessions.attendance.${markStatus}`) } };
    const item = await outbox.submit({ path: attendancePath(id), body: { subject_id: child.id, status: markStatus, reason }, label });
    await draw();
    const answered = await settle(item.seq);
    if (answered?.state === "confirmed") {
      child.attendance = { status: markStatus, reason, vaccine_codes: [] };
    }
    await draw();
  }

  // Each child's record (doses, forecast, checklist) kept too, after the roster is shown:
  // the dose screen opens from the roster offline. One child at a time, not to crowd a slow link.
  async function keepRecords(children) {
    // The facility's usable lots, under the dose screen's key (dose.js, LOTS).
    api.request("GET", "/api/doses/lots").then((lots) => reading.save("dose-lots", { data: lots })).catch(() => null);
    const left = children.filter((child) => child.attendance.status !== "vaccinated");
    let kept = 0;
    for (const child of left) {
      try {
        await loadRecord(String(child.id));
      } catch {
        break;
      }
      kept += 1;
      recordsLine.textContent = t("sessions.roster.records", { kept, count: left.length });
    }
    if (!left.length) recordsLine.textContent = "";
  }

  // Online, the roster is read again (the other staff's marks and doses); offline the kept one stays.
  async function fetchRoster({ records = true } = {}) {
    try {
      roster = await download(id);
      await draw();
      if (records) keepRecords(roster.data.children);
      return true;
    } catch (error) {
      if (roster && error.status === 0) {
        await draw();
        status.textContent = t("sessions.roster.offline", { when: new Date(roster.savedAt).toLocaleString(language()) });
      } else {
        status.textContent = error.status === 0 ? t("sessions.roster.offline_none") : explain(error);
      }
      status.className = error.status === 0 ? "notice" : "error";
      return false;
    }
  }

  downloadButton.addEventListener("click", () => fetchRoster());
  closeButton.addEventListener("click", async () => {
    closeButton.disabled = true;
    const item = await outbox.submit({ path: `/api/sessions/${id}/close`, body: {},
      label: { key: "sessions.write.close", values: { session: roster ? sessionLine(roster.data.session) : String(id) } } });
    const answered = await settle(item.seq);
    closeOutcome.hidden = false;
    if (answered?.state === "confirmed") {
      closeOutcome.textContent = t("sessions.closed");
      await fetchRoster();
    } else if (answered?.state === "refused") {
      closeOutcome.textContent = explain(answered.error);
      closeOutcome.className = "error";
      closeButton.disabled = false;
    } else {
      closeOutcome.textContent = t("sessions.close.waiting");
      closeOutcome.className = "notice";
    }
  });

  roster = await kept(id);
  if (roster) await draw();
  await fetchRoster();
  // The outbox sent (or refused) something: the roster is read again to show it confirmed.
  let outboxSeen = JSON.stringify(store.get().outbox ?? null);
  return store.subscribe((state) => {
    const now = JSON.stringify(state.outbox ?? null);
    if (now === outboxSeen) return;
    outboxSeen = now;
    if (roster) fetchRoster({ records: false });
  });
}
