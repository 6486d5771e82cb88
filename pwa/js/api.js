// The one API client: same-origin cookie session, the CSRF token on every write, the
// API's one error shape turned into an ApiError a screen can show field by field.
// Screens write through the outbox (outbox.js), which adds the Idempotency-Key.
import { language } from "./i18n.js";

let csrfToken = null;

export class ApiError extends Error {
  // status 0: no answer at all (no network, server down).
  constructor(status, error = null, headers = null) {
    super(error?.message || (status ? `HTTP ${status}` : "offline"));
    this.status = status;
    this.code = error?.code ?? (status ? "error" : "offline");
    this.details = error?.details ?? null;
    this.requestId = error?.request_id ?? null;
    this.retryAfter = Number(headers?.get("Retry-After")) || null;
    this.fieldErrors = fieldErrors(error);
  }
}

// The API names the field of a rule violation in details.field (422 `invalid`) or lists
// schema problems as [{field, message}] (400 `invalid_request`).
export function fieldErrors(error) {
  const found = {};
  if (!error) return found;
  const details = error.details;
  if (Array.isArray(details)) {
    for (const problem of details) if (problem?.field) found[problem.field] ??= problem.message;
  } else if (details?.field) {
    found[details.field] = error.message;
  }
  return found;
}

export function csrf() {
  return csrfToken;
}

export async function request(method, path, body, extraHeaders = {}) {
  // The server words its messages in the account's language, or signed out in this one.
  const headers = { Accept: "application/json", "Accept-Language": language(), ...extraHeaders };
  // A photo (a File or Blob) goes as it is, under its own type (POST /api/scan).
  const blob = typeof Blob !== "undefined" && body instanceof Blob;
  if (body !== undefined) headers["Content-Type"] = blob ? body.type || "application/octet-stream" : "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : typeof body === "string" || blob ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0);
  }
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data?.error, response.headers);
  return data;
}

export async function login(username, password) {
  const result = await request("POST", "/api/auth/login", { username, password });
  csrfToken = result.csrf_token;
  return result.user;
}

// The signed-in account, null when signed out; throws ApiError(0) when offline.
export async function currentUser() {
  try {
    const me = await request("GET", "/api/auth/me");
    csrfToken = me.csrf_token;
    return me;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

export async function logout() {
  await request("POST", "/api/auth/logout");
  csrfToken = null;
}

// {api, min_shell}: the oldest shell this API still serves (api/shell.py).
export function version() {
  return request("GET", "/api/version");
}
