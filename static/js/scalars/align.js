/**
 * uPlot draws "aligned" data: one shared x array and one y column per series. Runs log at different
 * steps and times, so their x values are merged (sorted, de-duplicated) and each run's values are
 * placed at the matching positions, with null elsewhere (the lines span those gaps).
 */

/** Sorted unique union of several sorted-or-not numeric arrays. */
export function unionSorted(arrays) {
  let total = 0;
  for (const a of arrays) total += a.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const a of arrays) {
    all.set(a, k);
    k += a.length;
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i];
  }
  return all.slice(0, n);
}

function lowerBound(xs, x) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** For each element of `x`, its index in the sorted union `X`. */
export function positions(X, x) {
  const out = new Int32Array(x.length);
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (i > 0 && v < x[i - 1]) j = lowerBound(X, v); // out of order: search instead of scanning on
    while (j < X.length && X[j] < v) j++;
    out[i] = j;
  }
  return out;
}

/** A column of length X.length with `values[i]` at `pos[i]`, null elsewhere; `keep(v)` filters. */
export function column(length, pos, values, keep) {
  const col = new Array(length).fill(null);
  for (let i = 0; i < pos.length; i++) {
    const v = values[i];
    if (keep(v)) col[pos[i]] = v;
  }
  return col;
}
