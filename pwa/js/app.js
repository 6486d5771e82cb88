// The app shell: sign in, greet, sign out. The real app grows from here.
import * as api from "./api.js";
import { language, setLanguage, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function show(view) {
  $("login-view").hidden = view !== "login";
  $("home-view").hidden = view !== "home";
}

let user = null;

function renderHome() {
  $("greeting").textContent = t("home.greeting", { name: user.full_name });
  $("role").textContent = t(`role.${user.role}`);
  show("home");
}

function loginError(error) {
  if (error instanceof api.ApiError && error.status === 401) return t("login.wrong");
  if (error instanceof api.ApiError && error.status === 429) {
    return t("login.limited", { seconds: error.retryAfter ?? error.details?.retry_after ?? 60 });
  }
  return t("login.failed");
}

async function onLogin(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const message = $("login-error");
  const username = form.username.value.trim();
  const password = form.password.value;
  message.hidden = true;
  if (!username || !password) {
    message.textContent = t("login.missing");
    message.hidden = false;
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    user = await api.login(username, password);
    form.reset();
    renderHome();
  } catch (error) {
    message.textContent = loginError(error);
    message.hidden = false;
  } finally {
    button.disabled = false;
  }
}

async function onLogout() {
  await api.logout();
  user = null;
  show("login");
}

function watchNetwork() {
  const update = () => { $("offline").hidden = navigator.onLine; };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
}

async function start() {
  const picker = $("lang");
  picker.value = language();
  setLanguage(language());
  picker.addEventListener("change", () => {
    setLanguage(picker.value);
    if (user) renderHome();
  });
  $("login-form").addEventListener("submit", onLogin);
  $("logout").addEventListener("click", onLogout);
  watchNetwork();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  }
  user = await api.currentUser().catch(() => null);
  if (user) renderHome();
  else show("login");
}

start();
