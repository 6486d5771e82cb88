// A dose from a paper card or given elsewhere (#/dose-history/<subject>): vaccine, date,
// lot number and where, as written; no stock, marked historical. The dose screen's mode.
import { render as renderDose } from "./dose.js";

export const translatesInPlace = true;

export const render = (root, params) => renderDose(root, params, "historical");
