/**
 * The one fetch wrapper of every page: GET (or any `init`) a board JSON route, parse the answer, and
 * turn an error answer into an ApiError carrying the HTTP status and the server's message
 * (board's JSON error shape `{"error": "..."}`, docs/http-api.md).
 */

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * JSON.parse that also accepts the bare NaN / Infinity / -Infinity tokens Python's json module writes
 * for non-finite floats (TensorBoard's routes do this too).
 */
export function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    const quoted = text.replace(/(-?Infinity|NaN)(?=\s*[,\]}])/g, '"$1"');
    const special = /^(-?Infinity|NaN)$/;
    return JSON.parse(quoted, (key, value) => (typeof value === "string" && special.test(value) ? Number(value) : value));
  }
}

/** The parsed JSON answer of `url`; rejects with ApiError for a non-2xx answer or a body that is not JSON. */
export async function getJSON(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = parseJSON(text).error || message;
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError(response.status, message);
  }
  try {
    return parseJSON(text);
  } catch (err) {
    throw new ApiError(response.status, `${url}: the answer is not JSON (${err.message})`);
  }
}

// Query strings: names of any bytes are sent exactly (static/js/query.js).
export { queryString as query } from "./query.js";
