// Sign-in.
import * as api from "../api.js";
import { h, say } from "../dom.js";
import { signedIn } from "../app.js";

// Every text here follows a language switch in place: what was typed stays.
export const translatesInPlace = true;

function loginError(error) {
  if (error.status === 401) return ["login.wrong"];
  if (error.status === 429) return ["login.limited", { seconds: error.retryAfter ?? error.details?.retry_after ?? 60 }];
  if (error.status === 0) return ["login.offline"];
  return ["login.failed"];
}

export function render(root) {
  const message = h("p", { id: "login-error", class: "error", role: "alert", hidden: true });
  const username = h("input", { id: "username", name: "username", autocomplete: "username", autocapitalize: "none", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const button = h("button", { type: "submit", i18n: "login.submit" });

  async function onSubmit(event) {
    event.preventDefault();
    message.hidden = true;
    if (!username.value.trim() || !password.value) {
      say(message, "login.missing");
      message.hidden = false;
      return;
    }
    button.disabled = true;
    try {
      const user = await api.login(username.value.trim(), password.value);
      await signedIn(user);
    } catch (error) {
      say(message, ...loginError(error));
      message.hidden = false;
      button.disabled = false;
    }
  }

  root.append(
    h("form", { id: "login-form", class: "card", novalidate: true, onsubmit: onSubmit },
      h("h2", { i18n: "login.heading" }),
      h("label", { for: "username", i18n: "login.username" }), username,
      h("label", { for: "password", i18n: "login.password" }), password,
      message,
      button),
  );
  username.focus();
}
