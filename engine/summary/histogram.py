"""Histograms the way TensorFlow 1.x summarizes them (``HistogramProto``).

Bucket limits are TF's defaults: 0, then +/- 1e-12 growing by 10% per bucket while below 1e20, and
+/- DBL_MAX at the ends (1,551 limits in all). A value ``v`` is counted in the first bucket whose limit is
greater than ``v`` (so bucket ``i`` holds ``limit[i-1] <= v < limit[i]``). When the histogram is
encoded, every run of empty buckets becomes one empty bucket ending at the run's last limit, which keeps
the proto short; an empty histogram keeps one empty bucket ending at
DBL_MAX. ``min`` starts at DBL_MAX and ``max`` at -DBL_MAX, and ``sum`` is accumulated in input order in
double precision, so every field matches what TF writes for the same values.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

DBL_MAX = sys.float_info.max


def _default_bucket_limits() -> np.ndarray:
    positive = []
    v = 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1  # repeated multiplication, as TF does, so each limit is bit-identical to TF's
    positive.append(DBL_MAX)
    negative = [-x for x in reversed(positive)]
    limits = np.array([*negative, 0.0, *positive], dtype=np.float64)
    limits.setflags(write=False)
    return limits


DEFAULT_BUCKET_LIMITS = _default_bucket_limits()


@dataclass(frozen=True)
class Histogram:
    """The fields of a ``HistogramProto``, computed from values."""

    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limit: list[float]
    bucket: list[float]

    def to_proto(self, proto_cls):
        """Builds ``proto_cls`` (a ``HistogramProto`` class) from these fields."""
        return proto_cls(
            min=self.min,
            max=self.max,
            num=self.num,
            sum=self.sum,
            sum_squares=self.sum_squares,
            bucket_limit=self.bucket_limit,
            bucket=self.bucket,
        )


def histogram(values, bucket_limits: np.ndarray = DEFAULT_BUCKET_LIMITS) -> Histogram:
    """Summarizes ``values`` (any shape, real numbers) over ``bucket_limits``.

    Raises ``ValueError`` naming the problem when a value is NaN or infinite (TF refuses them too; its
    op raises ``InvalidArgumentError``, which the summary op does on top of this).
    """
    flat = np.asarray(values).astype(np.float64, copy=False).ravel()
    if flat.size == 0:
        return Histogram(
            min=DBL_MAX, max=-DBL_MAX, num=0.0, sum=0.0, sum_squares=0.0,
            bucket_limit=[DBL_MAX], bucket=[0.0],
        )
    if not np.isfinite(flat).all():
        which = "Nan" if np.isnan(flat).any() else "Infinity"
        raise ValueError(f"{which} in summary histogram")
    index = np.searchsorted(bucket_limits, flat, side="right")
    # a value equal to DBL_MAX would land one past the end; TF's limit list ends at DBL_MAX, keep it there
    np.minimum(index, len(bucket_limits) - 1, out=index)
    counts = np.bincount(index, minlength=len(bucket_limits)).astype(np.float64)
    limits_out, counts_out = _collapse_empty_runs(bucket_limits, counts)
    return Histogram(
        min=float(flat.min()),
        max=float(flat.max()),
        num=float(flat.size),
        # cumsum adds left to right like TF's loop (np.sum would add pairwise and differ in the last bits)
        sum=float(np.cumsum(flat)[-1]),
        sum_squares=float(np.cumsum(flat * flat)[-1]),
        bucket_limit=limits_out,
        bucket=counts_out,
    )


def _collapse_empty_runs(limits: np.ndarray, counts: np.ndarray) -> tuple[list[float], list[float]]:
    """Keeps non-empty buckets; each run of empty buckets becomes one empty bucket at the run's end."""
    nonzero = counts > 0
    # an empty bucket is kept only where the next bucket is non-empty, or it is the last bucket
    keep = nonzero.copy()
    keep[:-1] |= ~nonzero[:-1] & nonzero[1:]
    keep[-1] = True
    return limits[keep].tolist(), counts[keep].tolist()
