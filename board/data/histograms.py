"""Histogram values as TensorBoard's histograms and distributions plugins answer them.

Every form becomes TensorBoard's ``[k, 3]`` rows of (left edge, right edge, count):

* TF1 ``HistogramProto`` (TF1 `tf.summary.histogram`, torch and tensorboardX `add_histogram` and
  `add_histogram_raw`, our engine): converted as TensorBoard's data_compat does — empty buckets
  at both ends dropped, the outer edges replaced by the recorded min and max, float32;
* TF2 / TensorBoard histogram tensors (``[k, 3]``, including the v3 form with uniform buckets and
  the ``[0, 3]`` of an empty input): as stored, in the tensor's own dtype.

`compress` gives the distributions plugin's percentiles at the normal curve's basis points.
"""

from __future__ import annotations

import numpy as np

from board.data.events import tensor_to_array

# Basis points (1/100 of a percent) of the distributions: the mean and +-0.5, 1, 1.5 and
# infinite standard deviations of a normal distribution.
BASIS_POINTS = (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)


class NotAHistogram(ValueError):
    """A value of the histograms plugin that holds no ``[k, 3]`` tensor."""


def buckets(value) -> np.ndarray:
    """The ``[k, 3]`` bucket rows of one ``Summary.Value``."""
    if value.WhichOneof("value") == "histo":
        return _from_proto(value.histo)
    array = tensor_to_array(value.tensor)
    if array is None:
        raise NotAHistogram("the histogram tensor is not numeric")
    if array.size == 0:
        return np.zeros((0, 3), dtype=array.dtype)
    if array.ndim != 2 or array.shape[1] != 3:
        raise NotAHistogram(f"a histogram tensor has shape [k, 3], not {list(array.shape)}")
    return array


def _from_proto(histo) -> np.ndarray:
    counts = list(histo.bucket)
    nonzero = [i for i, count in enumerate(counts) if count > 0]
    if not nonzero:
        return np.zeros((0, 3), dtype=np.float32)
    first, last = nonzero[0], nonzero[-1]
    # bucket i spans (limit[i-1], limit[i]]; the outermost limits may be +-DBL_MAX, so the
    # first and last non-empty buckets end at the recorded min and max instead
    inner = list(histo.bucket_limit[first:last])
    return np.array([[histo.min, *inner], [*inner, histo.max], counts[first : last + 1]],
                    dtype=np.float32).T


def compress(rows) -> list[tuple[int, float]]:
    """(basis point, value) pairs: where the cumulative count reaches each of `BASIS_POINTS`,
    interpolated linearly inside the bucket it falls in (TensorBoard's compressor, which follows
    Histogram::Percentile of TensorFlow's core/lib/histogram)."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.size == 0:
        return [(bp, 0.0) for bp in BASIS_POINTS]
    lowest, highest = rows[0, 0], rows[-1, 1]
    rights = rows[:, 1]
    counts = rows[:, 2]
    cumulative = (counts * BASIS_POINTS[-1] / (counts.sum() or 1.0)).cumsum()
    out: list[tuple[int, float]] = []
    for bp in BASIS_POINTS:
        i = int(np.searchsorted(cumulative, bp, side="right"))
        # a bucket whose cumulative weight does not grow is empty: it cannot hold the point
        while i < len(cumulative) and cumulative[i] == (cumulative[i - 1] if i else 0.0):
            i += 1
        if i == len(cumulative):
            break  # this and every later point lie at the top
        below = cumulative[i - 1] if i else 0.0
        left = lowest if (i == 0 or not below) else max(rights[i - 1], lowest)
        right = min(rights[i], highest)
        out.append((bp, float(left + (bp - below) * float(right - left) / (cumulative[i] - below))))
    out += [(bp, float(highest)) for bp in BASIS_POINTS[len(out):]]
    return out
