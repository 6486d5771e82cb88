// Duplicate reasons in the person's language. The server names each piece of evidence
// with a code (`same_birth_date`) beside a text in Vietnamese (a 409 at registration) or
// in both languages (the duplicates list); the app words it from the code, so every
// screen says it the same way in either language. A code this shell does not know yet
// (a newer server) falls back to the server's own words.
import { language, t } from "./i18n.js";

export function reasonText(reason) {
  const key = `review.reason.${reason.code}`;
  const text = t(key);
  if (text !== key) return text;
  return reason[language()] ?? reason.text ?? reason.vi ?? reason.code;
}
