/** Number and time formatting for tooltips and tables (axis ticks: ticks.js). */
import { clock } from "./ticks.js";

export function formatValue(v) {
  if (v === null || v === undefined) return "–";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

const stepFormat = new Intl.NumberFormat("en-US"); // one formatter: toLocaleString builds one per call

export function formatStep(s) {
  return Number.isInteger(s) ? stepFormat.format(s) : String(s);
}

export function formatWall(seconds) {
  const d = new Date(seconds * 1000);
  return d.toLocaleString([], {
    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

/** The x value of a point in the current x-axis mode, as text. */
export function formatX(mode, x) {
  if (mode === "relative") return clock(x);
  if (mode === "wall") return formatWall(x);
  return formatStep(x);
}

/** Run names that are paths: {dir: "exp1/lr_0.1/", base: "train"} so the end stays visible. */
export function splitRunName(run) {
  const cut = run.lastIndexOf("/");
  if (cut < 0) return { dir: "", base: run };
  return { dir: run.slice(0, cut + 1), base: run.slice(cut + 1) };
}
