"""Thinning a series for a chart without losing its extremes.

The points inside the x window are split into equal-width x buckets (a chart's pixel columns);
each bucket keeps its first, last, lowest and highest point (the "M4" rule), so the drawn line
has the same envelope as the full series: no spike or dip disappears. Windows holding no more
points than asked for are returned whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SeriesView:
    steps: np.ndarray
    wall_times: np.ndarray
    values: np.ndarray
    total: int  # points in the window before thinning
    downsampled: bool
    index: np.ndarray | slice  # positions of the returned points in the full series


def downsample(series, points: int, xmin: float | None = None, xmax: float | None = None,
               x: str = "step") -> SeriesView:
    steps, walls, values = series.steps, series.wall_times, series.values
    axis = steps if x == "step" else walls
    order = None
    if len(axis) > 1 and not bool((np.diff(axis) >= 0).all()):
        order = np.argsort(axis, kind="stable")  # a chart draws by x
        axis = axis[order]
    lo, hi = 0, len(axis)
    if xmin is not None:
        lo = int(np.searchsorted(axis, xmin, side="left"))
        lo = max(lo - 1, 0)  # one point before the window, so the line reaches its edge
    if xmax is not None:
        hi = int(np.searchsorted(axis, xmax, side="right"))
        hi = min(hi + 1, len(axis))
    total = hi - lo
    if order is None and total <= points:  # every point of a window in x order: views, no copies
        window = slice(lo, hi)
        return SeriesView(steps[window], walls[window], values[window], total, False, window)
    index = np.arange(lo, hi) if order is None else order[lo:hi]
    if total <= points:
        return SeriesView(steps[index], walls[index], values[index], total, False, index)
    window_axis = axis[lo:hi].astype(np.float64)
    buckets = max(points // 4, 1)
    span = window_axis[-1] - window_axis[0]
    if span > 0:
        bucket = np.minimum(((window_axis - window_axis[0]) / span * buckets).astype(np.int64),
                            buckets - 1)
    else:
        bucket = np.arange(total) * buckets // total
    # positions (within the window) of each bucket's first and last point
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    counts = np.diff(np.r_[starts, total])
    ends = starts + counts - 1
    # lowest and highest of each bucket (NaN ignored), at their first occurrence
    window_values = values[index].astype(np.float64)
    with np.errstate(invalid="ignore"):
        lowest = np.fmin.reduceat(window_values, starts)
        highest = np.fmax.reduceat(window_values, starts)
    extremes = np.flatnonzero((window_values == np.repeat(lowest, counts))
                              | (window_values == np.repeat(highest, counts)))
    keep = np.unique(np.concatenate([starts, ends, extremes]))
    if len(keep) > points:  # ties: many points share a bucket's extreme; keep each one's first
        first_low = extremes[window_values[extremes] == np.repeat(lowest, counts)[extremes]]
        first_high = extremes[window_values[extremes] == np.repeat(highest, counts)[extremes]]
        pick = [starts, ends]
        for found in (first_low, first_high):
            first = np.r_[True, bucket[found][1:] != bucket[found][:-1]] if len(found) else found.astype(bool)
            pick.append(found[first])
        keep = np.unique(np.concatenate(pick))
    chosen = index[keep]
    return SeriesView(steps[chosen], walls[chosen], values[chosen], total, True, chosen)


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average of a whole series.

    ``last = weight * last + (1 - weight) * value`` over the finite values, each divided by
    ``1 - weight ** n`` (n = finite values so far); non-finite values pass through unchanged,
    and so does a constant series. Computed in blocks with numpy: inside a block the recurrence
    is a weighted cumulative sum, scaled so the powers of `weight` stay in range.
    """
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()
    finite = np.isfinite(values)
    series = values[finite]
    if len(series) == 0 or weight <= 0 or bool((values == values[0]).all()):
        return out
    # block length keeping weight ** -block below 1e100
    block = max(1, min(4096, int(100 / max(-np.log10(weight), 1e-12))))
    smoothed = np.empty(len(series))
    last = 0.0
    for begin in range(0, len(series), block):
        chunk = series[begin : begin + block]
        k = np.arange(1, len(chunk) + 1)
        powers = weight ** k  # weight^k for k = 1..len
        # last_k = weight^k * last + (1 - weight) * sum_{j<=k} weight^(k-j) * x_j
        partial = np.cumsum(chunk / powers) * powers * (1 - weight)
        ema = weight ** k * last + partial
        smoothed[begin : begin + len(chunk)] = ema
        last = float(ema[-1])
    count = np.arange(1, len(series) + 1)
    smoothed /= 1 - weight ** count
    out[finite] = smoothed
    return out
