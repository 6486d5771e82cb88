// Talking to the API: same-origin cookie session, CSRF token on every write.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, error, headers) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.details = error?.details;
    this.retryAfter = Number(headers.get("Retry-After")) || null;
  }
}

export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data?.error, response.headers);
  return data;
}

export async function login(username, password) {
  const result = await request("POST", "/api/auth/login", { username, password });
  csrfToken = result.csrf_token;
  return result.user;
}

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
