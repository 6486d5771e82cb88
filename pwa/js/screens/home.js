// Home: who is signed in, the main tasks (one tap each), storage, sign-out.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import * as store from "../store.js";
import { signOut } from "../app.js";
import { incomingTile } from "../transfer-view.js";
import { reviewTile } from "../dose-review-view.js";

// The main tasks by role: [route, label key]. Each screen added later puts its task here,
// so every task stays one tap from home.
const STAFF = ["national_admin", "province_officer", "commune_officer", "vaccinator"];
const TASKS = [
  { route: "search", label: "registry.task.search", roles: STAFF },
  { route: "register", label: "registry.task.register", roles: STAFF },
  { route: "scan", label: "camera.task.find", roles: STAFF },
  { route: "stock", label: "stock.task.on_hand", roles: ["stock_clerk"] },
  { route: "stock-receive", label: "stock.task.receive", roles: ["stock_clerk"] },
  { route: "outbox", label: "task.outbox", roles: [...STAFF, "stock_clerk", "parent"] },
  { route: "children", label: "parent.task.children", roles: ["parent"] },
  { route: "link", label: "parent.task.link", roles: ["parent"] },
  { route: "duplicates", label: "duplicates.task", roles: ["national_admin", "province_officer", "commune_officer"] },
  { route: "facility", label: "offline.task", roles: ["vaccinator"] },
  { route: "transfers", label: "move.task.list", roles: STAFF },
  { route: "due", label: "due.task", roles: STAFF },
  { route: "stock-usage", label: "stockui.task.usage", roles: ["national_admin", "province_officer", "commune_officer"] },
  { route: "verify", label: "cert.task.verify", roles: STAFF },
  { route: "aefi", label: "aefi.task", roles: ["national_admin", "province_officer", "commune_officer"] },
  { route: "sessions", label: "sessions.task.today", roles: ["vaccinator"] },
  { route: "sessions", label: "sessions.task.plan", roles: ["national_admin", "province_officer", "commune_officer"] },
  { route: "campaigns", label: "sessions.task.campaigns", roles: ["national_admin", "province_officer", "commune_officer"] },
];

function storageLine(storage) {
  return storage ? t(`storage.${storage}`) : t("storage.asking");
}

export function render(root) {
  const user = store.get().user;
  const storage = h("p", { id: "storage", class: "muted", text: storageLine(store.get().storage) });
  const warning = h("div", { id: "logout-warning", class: "notice", role: "alert", hidden: true });
  const logout = h("button", { id: "logout", type: "button", class: "secondary", text: t("home.logout") });

  logout.addEventListener("click", async () => {
    const { pending, refused, photos } = store.get().outbox ?? { pending: 0, refused: 0 };
    if (!(pending + refused)) return signOut();
    // Shared tablets: the writes stay for their author, but the person must know.
    warning.replaceChildren(
      h("p", { text: t("logout.pending", { count: pending + refused }) }),
      photos ? h("p", { text: t("camera.logout.photos", { count: photos }) }) : null,
      h("div", { class: "row" },
        h("button", { type: "button", class: "danger", text: t("logout.anyway"), onclick: () => signOut() }),
        h("button", { type: "button", class: "secondary", text: t("logout.cancel"), onclick: () => { warning.hidden = true; } })),
    );
    warning.hidden = false;
  });

  const tasks = TASKS.filter((task) => task.roles.includes(user.role));
  root.append(
    h("section", { class: "card" },
      h("h2", { id: "greeting", text: t("home.greeting", { name: user.full_name }) }),
      h("p", { id: "role", text: t(`role.${user.role}`) }),
      storage),
    h("nav", { class: "tasks", "aria-label": t("home.tasks") },
      // Transfer requests waiting on this person's decision: a tile of their own, shown when some wait.
      STAFF.includes(user.role) ? incomingTile() : null,
      // Double doses found at sync, waiting for someone of the two facilities or above them.
      STAFF.includes(user.role) ? reviewTile() : null,
      tasks.map((task) => h("a", { class: "task", href: `#/${task.route}`, text: t(task.label) }))),
    h("section", { class: "card" }, warning, logout),
  );
  return store.subscribe((state) => { storage.textContent = storageLine(state.storage); });
}
