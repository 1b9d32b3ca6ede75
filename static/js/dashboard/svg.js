/** SVG helpers for the histogram and distribution charts: elements, scales, axis ticks, time axis. */
import { formatNumber } from "./page.js";

const NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const child of children) if (child) el.append(child);
  return el;
}

/** Linear map from [d0, d1] to [r0, r1] (a flat domain maps to the middle). */
export function scale(d0, d1, r0, r1) {
  const span = d1 - d0;
  return span === 0 ? () => (r0 + r1) / 2 : (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The time coordinate of one [wall_time, step, ...] row on the chosen axis. */
export function timeOf(row, axis, firstWall) {
  if (axis === "wall") return row[0];
  if (axis === "relative") return row[0] - firstWall;
  return row[1];
}

export function formatTime(value, axis) {
  if (axis === "wall") return new Date(value * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (axis === "relative") {
    if (value < 120) return `${formatNumber(value)} s`;
    if (value < 7200) return `${formatNumber(value / 60)} min`;
    return `${formatNumber(value / 3600)} h`;
  }
  return formatNumber(value);
}

export const AXIS_NAMES = { step: "step", relative: "relative time", wall: "wall time" };
