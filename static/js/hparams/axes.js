/**
 * One value axis per column, shared by the parallel coordinates and the scatter plot matrix:
 * numbers on a linear scale, or a log scale when every value is positive and they span a decade
 * or more (learning rates); strings and booleans evenly spaced in their sorted order.
 */
import { scale, ticks } from "../dashboard/svg.js";
import { formatCell, valueOf } from "./model.js";

/** {position(value) -> pixel or null, invert(pixel) -> value, ticks: [{value, at, text}]}. */
export function axisFor(column, groups, r0, r1) {
  if (column.numeric) {
    const numbers = groups.map((g) => valueOf(column, g)).filter((v) => typeof v === "number" && Number.isFinite(v));
    let lo = numbers.length ? Math.min(...numbers) : 0;
    let hi = numbers.length ? Math.max(...numbers) : 1;
    const log = lo > 0 && hi / lo >= 10;
    if (log) {
      const f = scale(Math.log10(lo), Math.log10(hi), r0, r1);
      const g = scale(r0, r1, Math.log10(lo), Math.log10(hi));
      // powers of ten, and 2x and 5x too when fewer than three powers fall in the range
      const marks = [];
      const multiples = Math.log10(hi / lo) < 2 ? [1, 2, 5] : [1];
      for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
        for (const m of multiples) {
          const v = Number((m * 10 ** e).toPrecision(12));
          if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) marks.push(v);
        }
      }
      return {
        log, position: (v) => (typeof v === "number" && v > 0 ? f(Math.log10(v)) : null),
        invert: (px) => 10 ** g(px), ticks: marks.map((v) => ({ value: v, at: f(Math.log10(v)), text: formatCell(v) })),
      };
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const f = scale(lo, hi, r0, r1);
    const g = scale(r0, r1, lo, hi);
    return {
      log, position: (v) => (typeof v === "number" && Number.isFinite(v) ? f(v) : null), invert: g,
      ticks: ticks(lo, hi, 4).map((v) => ({ value: v, at: f(v), text: formatCell(v) })),
    };
  }
  const values = column.values || [];
  const keys = values.map(String);
  const step = values.length > 1 ? (r1 - r0) / (values.length - 1) : 0;
  const at = (i) => (values.length > 1 ? r0 + i * step : (r0 + r1) / 2);
  return {
    categories: keys,
    position: (v) => {
      const i = keys.indexOf(String(v));
      return v === undefined || i < 0 ? null : at(i);
    },
    invert: null,
    ticks: values.map((v, i) => ({ value: v, at: at(i), text: formatCell(v) })),
  };
}

/** A filter for the pixel range [p0, p1] of an axis: {min, max} for numbers, {values} otherwise. */
export function brushFilter(axis, p0, p1) {
  const [a, b] = [Math.min(p0, p1), Math.max(p0, p1)];
  if (axis.invert) {
    const [x, y] = [axis.invert(a), axis.invert(b)];
    return { min: Math.min(x, y), max: Math.max(x, y), brush: [a, b] };
  }
  const values = new Set(axis.ticks.filter((t) => t.at >= a - 1 && t.at <= b + 1).map((t) => String(t.value)));
  return { values, brush: [a, b] };
}

/** Colour of a group by its value of `column` (blue for low, orange for high; grey when missing). */
export function colorScale(column, groups) {
  if (!column) return () => "var(--accent)";
  const axis = axisFor(column, groups, 0, 1);
  return (group) => {
    const t = axis.position(valueOf(column, group));
    if (t === null) return "#9aa4ae";
    const mix = (a, b) => Math.round(a + (b - a) * t);
    return `rgb(${mix(33, 245)}, ${mix(113, 124)}, ${mix(181, 0)})`;
  };
}
