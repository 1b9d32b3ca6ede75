/**
 * Axis tick labels. Every label of one axis is written in one form, chosen from all its ticks, so an
 * axis never mixes "0.00105", "0.001" and "9.5e-4":
 * - numbers (values and steps): one SI prefix for the whole axis (k, M, G, T or m, µ, n, p) when its
 *   largest tick is below 0.01 or from 10,000 up, and as many decimals as the tick spacing needs;
 * - log scales: a label at each power of ten only (the other ticks stay short, unlabelled);
 * - relative time: h:mm:ss (with tenths or hundredths when ticks are closer than a second);
 * - wall time: dates, times or both, depending on the span shown.
 */

const PREFIXES = { "-12": "p", "-9": "n", "-6": "µ", "-3": "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T" };

/** {scale, prefix} for numbers up to `largest` in magnitude. */
function siScale(largest) {
  if (!(largest > 0) || (largest >= 0.01 && largest < 1e4)) return { scale: 1, prefix: "" };
  const exponent = Math.max(-12, Math.min(12, Math.floor(Math.log10(largest) / 3) * 3));
  return { scale: 10 ** exponent, prefix: PREFIXES[exponent] };
}

/** Decimals that tell ticks `spacing` apart (at most 6). */
function decimalsFor(spacing) {
  if (!(spacing > 0) || !Number.isFinite(spacing)) return 0;
  return Math.max(0, Math.min(6, Math.ceil(-Math.log10(spacing) - 1e-9)));
}

function spacingOf(values) {
  let spacing = Infinity;
  for (let i = 1; i < values.length; i++) {
    const d = Math.abs(values[i] - values[i - 1]);
    if (d > 0) spacing = Math.min(spacing, d);
  }
  return spacing;
}

/** Labels for linear-axis ticks `values` (nulls stay empty), all in one form. */
export function numberTicks(values) {
  const shown = values.filter((v) => v !== null && Number.isFinite(v));
  const largest = Math.max(0, ...shown.map(Math.abs));
  const { scale, prefix } = siScale(largest);
  const spacing = spacingOf(shown) / scale;
  let decimals = decimalsFor(spacing);
  // ticks 0.25 apart need two decimals, though their spacing's order asks for one ("0.3" for 0.25)
  const exact = (d) => shown.every((v) => Math.abs(Number((v / scale).toFixed(d)) - v / scale) < spacing * 1e-6);
  while (decimals < 6 && !exact(decimals)) decimals += 1;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return "";
    const text = (v / scale).toFixed(decimals);
    return Number(text) === 0 ? "0" : text + prefix; // zero reads the same in any unit
  });
}

export function isPowerOfTen(v) {
  if (!(v > 0)) return false;
  const e = Math.round(Math.log10(v));
  return Math.abs(v / 10 ** e - 1) < 1e-9;
}

/**
 * Labels for log-axis ticks: powers of ten only, as plain numbers when every labelled one lies in
 * 0.01..1000, else all with SI prefixes (100m, 10m, 1m, 100µ), so one axis never mixes the two.
 */
export function logTicks(values) {
  const exponents = values.map((v) => (isPowerOfTen(v) ? Math.round(Math.log10(v)) : null));
  const labelled = exponents.filter((e) => e !== null);
  const plain = labelled.every((e) => e >= -2 && e <= 3);
  return exponents.map((e) => {
    if (e === null) return "";
    if (plain) return String(Number((10 ** e).toFixed(2)));
    const group = Math.max(-12, Math.min(12, Math.floor(e / 3) * 3));
    return `${Number((10 ** (e - group)).toPrecision(1))}${PREFIXES[group]}`;
  });
}

/** Seconds as h:mm:ss, with `decimals` digits of the second. */
export function clock(seconds, decimals = 0) {
  if (!Number.isFinite(seconds)) return "–";
  const sign = seconds < 0 ? "-" : "";
  const total = Math.abs(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total - h * 3600) / 60);
  const s = total - h * 3600 - m * 60;
  const sText = s.toFixed(decimals).padStart(decimals ? 3 + decimals : 2, "0");
  return `${sign}${h}:${String(m).padStart(2, "0")}:${sText}`;
}

/** Labels for relative-time ticks (seconds since each run's first point). */
export function durationTicks(values) {
  const shown = values.filter((v) => v !== null && Number.isFinite(v));
  const decimals = Math.min(2, decimalsFor(spacingOf(shown)));
  return values.map((v) => (v === null || !Number.isFinite(v) ? "" : clock(v, decimals)));
}

const DAY = 86400;
const FORMATS = [
  // [largest span in seconds, Intl options]
  [60, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }],
  [2 * DAY, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }],
  [14 * DAY, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }],
  [400 * DAY, { month: "short", day: "numeric" }],
  [Infinity, { year: "numeric", month: "short" }],
];
const formatters = new Map();

/** Labels for wall-time ticks (seconds since the epoch): the form depends on the span shown. */
export function wallTicks(values, span) {
  const [, options] = FORMATS.find(([limit]) => span <= limit);
  let format = formatters.get(options);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, options);
    formatters.set(options, format);
  }
  const fraction = span <= 10 ? Math.min(2, decimalsFor(spacingOf(values.filter((v) => v !== null)))) : 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return "";
    const text = format.format(new Date(v * 1000));
    return fraction ? `${text}.${(v % 1).toFixed(fraction).slice(2)}` : text;
  });
}
