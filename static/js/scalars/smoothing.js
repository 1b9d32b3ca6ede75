/**
 * TensorBoard's smoothing: an exponential moving average with debiasing.
 *
 *   last = last * w + (1 - w) * y;   smoothed = last / (1 - w^n)
 *
 * where n counts the finite points seen so far. NaN and ±Inf are passed through unchanged (and do not
 * advance the average); a constant series is returned as is (debiasing would not change it, but
 * rounding could). w = 0 returns the values unchanged.
 */
export function isConstant(values) {
  if (values.length === 0) return true;
  const first = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false;
  return Number.isFinite(first);
}

export function smooth(values, weight) {
  const out = Float64Array.from(values);
  if (!(weight > 0) || isConstant(values)) return out;
  const w = Math.min(weight, 1);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (!Number.isFinite(y)) continue;
    last = last * w + (1 - w) * y;
    count += 1;
    const debias = w === 1 ? 1 : 1 - Math.pow(w, count);
    out[i] = last / debias;
  }
  return out;
}
