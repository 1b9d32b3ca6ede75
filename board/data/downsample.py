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
    and so does a constant series (static/js/scalars/smoothing.js is the same on the page).
    """
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()
    finite = np.isfinite(values)
    series = values[finite]
    if len(series) == 0 or weight <= 0 or bool((values == values[0]).all()):
        return out
    smoothed = _ema(series, weight)
    # 1 - weight ** n rounds to 1 once weight ** n < 2 ** -54: divide only before that (powers
    # that underflow are slow to compute: 1.6 ms of 2 ms at weight 0.6 and 20,000 points).
    debiased = min(len(series), int(60 * np.log(2) / -np.log(weight)) + 1)
    smoothed[:debiased] /= 1 - weight ** np.arange(1, debiased + 1, dtype=np.float64)
    out[finite] = smoothed
    return out


def _ema(series: np.ndarray, weight: float) -> np.ndarray:
    """``last = weight * last + (1 - weight) * x`` from ``last = 0``, for every x in `series`.

    A blocked scan: the series is cut into rows of `block` points. Within a row, starting from 0,
    ``last_i = (1 - weight) * sum_{j<=i} weight ** (i - j) * x_j``, a cumulative sum of
    ``x_j / weight ** j`` scaled back by ``weight ** i`` (`block` keeps ``weight ** -block`` below
    1e100, so nothing overflows or underflows). Each row then adds ``weight ** i`` times the value
    its previous row ended at, carried from row to row in a loop over the rows only.
    Agrees with the one-point-at-a-time loop to ~1e-13 relative (tests/board/test_downsample.py).
    """
    block = max(1, min(len(series), 4096, int(100 / -np.log10(weight))))
    rows = -(-len(series) // block)
    table = np.zeros(rows * block)
    table[: len(series)] = series
    table = table.reshape(rows, block)
    powers = weight ** np.arange(1, block + 1, dtype=np.float64)  # weight ** i, i = 1..block
    table /= powers
    np.cumsum(table, axis=1, out=table)
    table *= powers * (1 - weight)  # each row's EMA as if it started from 0
    carry = np.empty(rows)  # the EMA just before each row
    last = 0.0
    row_weight = float(powers[-1])
    for row, row_end in enumerate(table[:, -1].tolist()):
        carry[row] = last
        last = row_weight * last + row_end
    table += np.outer(carry, powers)
    return table.reshape(-1)[: len(series)]
