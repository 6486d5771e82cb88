// Building the page from code without innerHTML: data is always text, never markup
// (and the Content-Security-Policy allows no inline script or style anyway).
import { t } from "./i18n.js";

// Sets a node's text from a string key, remembering the key so that a language switch
// retranslates it in place (i18n.translate) without re-rendering the screen.
export function say(node, key, values) {
  node.dataset.i18n = key;
  if (values) node.dataset.i18nValues = JSON.stringify(values);
  else delete node.dataset.i18nValues;
  node.textContent = t(key, values);
  return node;
}

// h("button", {i18n: "login.submit"}) or {i18n: ["home.greeting", {name}]} for text that
// follows the language; {text} for data.
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else if (name === "i18n") say(node, ...(Array.isArray(value) ? value : [value]));
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

export const $ = (id) => document.getElementById(id);
