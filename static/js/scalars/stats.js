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

/**
 * The `qs` quantiles (0..1, ascending) of `values` (finite numbers, a Float64Array it reorders),
 * interpolated linearly between ranks; NaN for each when there are none. Found by selection
 * (quickselect), not by sorting every value: a chart's y range with outliers ignored takes 40
 * runs x 500 points, whose sort was the page's biggest JS cost after parsing its data
 * (bench/scalars_page.py, 1,000 runs).
 */
export function quantilesInPlace(values, qs) {
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  let from = 0;
  return qs.map((q) => {
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    select(values, lo, from, n - 1);
    from = lo; // the next (larger) quantile's ranks lie at or after this one
    let next = values[lo]; // the value of rank lo + 1: the least of those after lo
    for (let i = lo + 1; i < n; i++) if (i === lo + 1 || values[i] < next) next = values[i];
    return values[lo] + (next - values[lo]) * (pos - lo);
  });
}

/** Reorders a[left..right] so that a[k] holds the value of rank k, smaller ones before it and
 * larger ones after (Hoare's partition around a median of three). */
function select(a, k, left, right) {
  while (left < right) {
    const x = a[left];
    const y = a[(left + right) >> 1];
    const z = a[right];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return; // between j and i every value equals the pivot
  }
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
