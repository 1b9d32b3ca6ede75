/**
 * Stable run colors: the run name is hashed (32-bit FNV-1a) into a fixed palette, so the same run
 * gets the same color on every page load, in every browser, whatever other runs exist.
 */
const PALETTE = Object.freeze([
  "#f57c00", // orange
  "#1f77b4", // blue
  "#2ca02c", // green
  "#d62728", // red
  "#9467bd", // purple
  "#8c564b", // brown
  "#e377c2", // pink
  "#00897b", // teal
  "#bcbd22", // olive
  "#17becf", // cyan
  "#5e60ce", // indigo
  "#ad494a", // brick
]);

export function hashString(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function runColor(run) {
  return PALETTE[hashString(run) % PALETTE.length];
}

/** The color with an alpha channel, for the faded raw line behind the smoothed one. */
export function withAlpha(hex, alpha) {
  const a = Math.round(alpha * 255).toString(16).padStart(2, "0");
  return hex + a;
}
