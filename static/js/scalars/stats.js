/** Numbers shown under and beside the charts. */

/** {last, min, max}: each {value, step, index} over the finite values; last is the final point. */
export function summarize(series) {
  const { step, value } = series;
  const n = value.length;
  if (n === 0) return null;
  let min = null;
  let max = null;
  for (let i = 0; i < n; i++) {
    const v = value[i];
    if (Number.isNaN(v)) continue;
    if (min === null || v < value[min]) min = i;
    if (max === null || v > value[max]) max = i;
  }
  const point = (i) => (i === null ? null : { value: value[i], step: step[i], index: i });
  return { last: point(n - 1), min: point(min), max: point(max) };
}

/** The q-th quantile (0..1) of the finite numbers in `values` (linear interpolation between ranks). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function finiteSorted(arrays) {
  let total = 0;
  for (const a of arrays) total += a.length;
  const out = new Float64Array(total);
  let k = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v !== null && Number.isFinite(v)) out[k++] = v;
    }
  }
  return out.subarray(0, k).sort();
}

/** Index of the element of the sorted array `xs` closest to `x` (-1 when empty). */
export function nearestIndex(xs, x) {
  const n = xs.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x)) return lo - 1;
  return lo;
}
