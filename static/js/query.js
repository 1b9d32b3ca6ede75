/**
 * Query strings for board's /data/ routes that carry run and tag names of any bytes exactly.
 *
 * A name holding bytes that are not UTF-8 arrives in the server's JSON with each such byte as a lone
 * surrogate U+DC80..U+DCFF (board/names.py). URLSearchParams and encodeURIComponent cannot send those
 * (one turns them into U+FFFD, the other throws), so each is sent as its byte, %80..%FF, which the
 * server reads back into the same name.
 */

// a low surrogate in U+DC80..U+DCFF that is not the second half of a pair
const LONE_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

const encodeText = (text) => encodeURIComponent(text.toWellFormed ? text.toWellFormed() : text);

/** `value` percent-encoded, lone surrogates U+DCXX as the bytes %XX. */
export function encodeValue(value) {
  const text = String(value);
  let out = "";
  let last = 0;
  for (const match of text.matchAll(LONE_BYTE)) {
    const byte = match[0].charCodeAt(0) - 0xdc00;
    out += `${encodeText(text.slice(last, match.index))}%${byte.toString(16).toUpperCase()}`;
    last = match.index + 1;
  }
  return out + encodeText(text.slice(last));
}

/** "key=value&..." from {key: value or [values]}; undefined and null values are left out. */
export function queryString(params) {
  const parts = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encodeValue(key)}=${encodeValue(v)}`);
  }
  return parts.join("&");
}
