// The REST API from the pages: same-origin cookie session, CSRF header on unsafe methods,
// problem documents (RFC 9457) turned into ApiError.

let csrfToken = null;
let clockOffset = 0; // server time minus local time, in ms (from the Date header)
const unauthenticatedListeners = new Set();

export class ApiError extends Error {
  constructor(problem, status) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.problem = problem || {};
    this.status = status;
    this.type = problem?.type || 'about:blank';
  }

  /** Messages per field (flattened: 'reward.amount'). */
  fieldErrors() {
    return flattenErrors(this.problem.errors || {});
  }
}

export function flattenErrors(errors, prefix = '') {
  const out = {};
  for (const [key, value] of Object.entries(errors || {})) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) out[name] = value.map(String).join(' ');
    else if (value && typeof value === 'object') Object.assign(out, flattenErrors(value, name));
    else out[name] = String(value);
  }
  return out;
}

/** A 404 from a route that does not exist (yet): werkzeug's, not a service's 'not-found'. */
export function isMissingEndpoint(error) {
  return error instanceof ApiError && (error.status === 404 || error.status === 405) && error.type === 'about:blank';
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export function serverNow() {
  return Date.now() + clockOffset;
}

export function onUnauthenticated(fn) {
  unauthenticatedListeners.add(fn);
}

export async function api(method, path, body, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!['GET', 'HEAD'].includes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  noteClock(response);
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { title: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    const error = new ApiError(data, response.status);
    if (response.status === 401 && !path.startsWith('/auth/')) for (const fn of unauthenticatedListeners) fn(error);
    throw error;
  }
  return data;
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body ?? {}, options);
export const put = (path, body) => api('PUT', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);

function noteClock(response) {
  const date = response.headers.get('Date');
  if (!date) return;
  const server = Date.parse(date);
  if (Number.isNaN(server)) return;
  const estimate = server + 500 - Date.now(); // Date has a 1 s resolution
  // Keep a steady clock for countdowns: move only when the estimate is clearly off.
  if (Math.abs(estimate - clockOffset) > 1000) clockOffset = estimate;
}

/** ?a=1&b=2 from an object, skipping empty values. */
export function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}
