// The public HTTP API, as any client uses it: bearer tokens, refresh on 401, errors as
// {error: {code, message, details}} turned into ApiError.

const STORE = "algoitny.session";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const session = {
  load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || null;
    } catch {
      return null;
    }
  },
  save(value) {
    if (value) localStorage.setItem(STORE, JSON.stringify(value));
    else localStorage.removeItem(STORE);
    window.dispatchEvent(new Event("algoitny:session"));
  },
  get user() {
    return this.load()?.user || null;
  },
  get isAdmin() {
    return this.user?.role === "admin";
  },
};

let refreshing = null;

async function refresh() {
  const current = session.load();
  if (!current?.refresh_token) return false;
  refreshing ??= fetch("/api/auth/refresh/", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: current.refresh_token }),
  })
    .then(async (response) => {
      if (!response.ok) {
        session.save(null);
        return false;
      }
      const tokens = await response.json();
      session.save({ ...current, ...tokens });
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function send(method, path, body, { retry = true, signal } = {}) {
  const headers = { Accept: "application/json" };
  const token = session.load()?.access_token;
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, signal, credentials: "same-origin" });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server could not be reached. Check your connection and try again.");
  }
  if (response.status === 401 && token && retry && (await refresh())) {
    return send(method, path, body, { retry: false, signal });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError(
      response.status,
      error.code || `http_${response.status}`,
      error.message || `The server answered ${response.status}.`,
      error.details,
    );
  }
  return data;
}

export const api = {
  get: (path, options) => send("GET", path, undefined, options),
  post: (path, body, options) => send("POST", path, body ?? {}, options),
  put: (path, body, options) => send("PUT", path, body, options),
  patch: (path, body, options) => send("PATCH", path, body, options),
  delete: (path, options) => send("DELETE", path, undefined, options),
};

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function problemPath(platform, identifier) {
  return `/api/problems/${encodeURIComponent(platform)}/${encodeURIComponent(identifier)}`;
}

export async function signOut() {
  const current = session.load();
  session.save(null);
  if (current?.refresh_token) {
    await fetch("/api/auth/logout/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: current.refresh_token }),
    }).catch(() => {});
  }
}
