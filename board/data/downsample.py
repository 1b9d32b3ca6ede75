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
    index = np.arange(lo, hi)
    if order is not None:
        index = order[lo:hi]
    total = len(index)
    if total <= points:
        return SeriesView(steps[index], walls[index], values[index], total, False)
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
    ends = np.r_[starts[1:], total] - 1
    # lowest and highest: sort by (bucket, value); NaN sorts last, so it is kept as "highest"
    window_values = values[index].astype(np.float64)
    by_value = np.lexsort((window_values, bucket))
    group_first = np.flatnonzero(np.r_[True, bucket[by_value][1:] != bucket[by_value][:-1]])
    group_last = np.r_[group_first[1:], total] - 1
    keep = np.unique(np.concatenate([starts, ends, by_value[group_first], by_value[group_last]]))
    chosen = index[keep]
    return SeriesView(steps[chosen], walls[chosen], values[chosen], total, True)
