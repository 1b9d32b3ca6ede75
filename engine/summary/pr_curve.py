"""PR curve summaries, as TensorBoard's ``tensorboard.summary`` writes them for its pr_curves plugin.

A PR curve is one float32 tensor ``[6, num_thresholds]``: true positives, false positives, true
negatives, false negatives, precision and recall at thresholds evenly spaced over [0, 1]
(threshold ``i`` is ``i / (num_thresholds - 1)``; a prediction counts as positive at every
threshold up to the bucket ``floor(prediction * (num_thresholds - 1))`` it falls in). The tag is
``<name>/pr_curves``, the metadata names plugin "pr_curves" with a ``PrCurvePluginData``.

``pr_curve`` and ``pr_curve_raw_data_op`` build graph ops (TF1 style, run them and hand the result to
``FileWriter.add_summary``); ``pr_curve_pb`` and ``pr_curve_raw_data_pb`` compute in numpy and
return a ``Summary`` proto. The op computes what TensorBoard's op computes, with the same ops.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes
from engine.framework import ops as _ops
from engine.proto import plugin_pr_curve_pb2, summary_pb2

from . import builders
from .ops import tensor_summary

PLUGIN_NAME = "pr_curves"
DEFAULT_NUM_THRESHOLDS = 201
_MINIMUM_COUNT = 1e-7  # keeps precision and recall finite where no example counts


def pr_curve_metadata(display_name, description, num_thresholds) -> summary_pb2.SummaryMetadata:
    """The SummaryMetadata of a PR curve summary (plugin "pr_curves", version 0)."""
    content = plugin_pr_curve_pb2.PrCurvePluginData(version=0, num_thresholds=num_thresholds)
    return summary_pb2.SummaryMetadata(
        display_name=display_name, summary_description=description,
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME,
                                                           content=content.SerializeToString()))


def _summary_op(name, columns, num_thresholds, display_name, description, collections):
    """The ``TensorSummaryV2`` op ``pr_curves`` (in the caller's name scope) of the stacked rows."""
    from engine.ops.array_ops import cast, stack

    metadata = pr_curve_metadata(display_name if display_name is not None else name, description or "",
                                 num_thresholds)
    combined = stack([cast(column, dtypes.float32) for column in columns])
    return tensor_summary("pr_curves", combined, collections=collections, summary_metadata=metadata)


def pr_curve(name, labels, predictions, num_thresholds=None, weights=None, display_name=None,
             description=None, collections=None):
    """A PR curve summary op of a binary classifier: `labels` a bool tensor, `predictions` floats
    in [0, 1] (clipped to it) of the same shape, `weights` (broadcastable to `labels`) scaling each
    example's count. Runs to a serialized ``Summary`` tagged ``<name>/pr_curves``."""
    from engine.ops.array_ops import cast, one_hot, reshape
    from engine.ops.math_ops import cumsum, floor, maximum, minimum, reduce_sum

    if num_thresholds is None:
        num_thresholds = DEFAULT_NUM_THRESHOLDS
    if weights is None:
        weights = 1.0
    predictions = _ops.convert_to_tensor(predictions)
    dtype = predictions.dtype
    with _ops.name_scope(name, values=[labels, predictions, weights]):
        labels = _ops.convert_to_tensor(labels)
        if labels.dtype.base_dtype != dtypes.bool:  # TF's tf.assert_type(labels, tf.bool)
            raise TypeError(f"{labels.name} must be of type tf.bool; got tf.{labels.dtype.base_dtype.name}")
        f_labels = cast(labels, dtype)
        predictions = minimum(1.0, maximum(0.0, predictions))
        true_labels = f_labels * weights
        false_labels = (1.0 - f_labels) * weights
        predictions = reshape(predictions, [-1])
        true_labels = reshape(true_labels, [-1, 1])
        false_labels = reshape(false_labels, [-1, 1])
        bucket_indices = cast(floor(predictions * (num_thresholds - 1)), dtypes.int32)
        tp_buckets = reduce_sum(one_hot(bucket_indices, depth=num_thresholds) * true_labels, axis=0)
        fp_buckets = reduce_sum(one_hot(bucket_indices, depth=num_thresholds) * false_labels, axis=0)
        tp = cumsum(tp_buckets, reverse=True, name="tp")
        fp = cumsum(fp_buckets, reverse=True, name="fp")
        tn = fp[0] - fp
        fn = tp[0] - tp
        precision = tp / maximum(_MINIMUM_COUNT, tp + fp)
        recall = tp / maximum(_MINIMUM_COUNT, tp + fn)
        return _summary_op(name, [tp, fp, tn, fn, precision, recall], num_thresholds, display_name,
                           description, collections)


def pr_curve_raw_data_op(name, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, num_thresholds=None, display_name=None,
                         description=None, collections=None):
    """A PR curve summary op of counts computed elsewhere: six rank-1 tensors of `num_thresholds`
    values each, thresholds increasing from 0 to 1."""
    columns = [true_positive_counts, false_positive_counts, true_negative_counts, false_negative_counts,
               precision, recall]
    with _ops.name_scope(name, values=columns):
        return _summary_op(name, columns, num_thresholds, display_name, description, collections)


def curve_summary(tag, rows, num_thresholds, display_name="", description="") -> summary_pb2.Summary:
    """A ``Summary`` proto holding the six `rows` (numpy arrays) as the float32 PR curve tensor."""
    metadata = pr_curve_metadata(display_name, description, num_thresholds)
    return builders.tensor_summary(tag, np.float32(np.stack(rows)), metadata.SerializeToString())


def pr_curve_raw_data_pb(name, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, num_thresholds=None, display_name=None,
                         description=None) -> summary_pb2.Summary:
    """A ``Summary`` proto of a PR curve from the six rows given as numpy arrays."""
    rows = (true_positive_counts, false_positive_counts, true_negative_counts, false_negative_counts,
            precision, recall)
    return curve_summary(f"{name}/pr_curves", rows, num_thresholds,
                         display_name if display_name is not None else name, description or "")


def pr_curve_pb(name, labels, predictions, num_thresholds=None, weights=None, display_name=None,
                description=None) -> summary_pb2.Summary:
    """A ``Summary`` proto of the PR curve of numpy `labels` (bool) and `predictions` in [0, 1]."""
    if num_thresholds is None:
        num_thresholds = DEFAULT_NUM_THRESHOLDS
    tp, fp, tn, fn, precision, recall = curve_rows(labels, predictions, num_thresholds, weights)
    return pr_curve_raw_data_pb(name, tp, fp, tn, fn, precision, recall, num_thresholds, display_name,
                                description)


def curve_rows(labels, predictions, num_thresholds, weights=None) -> tuple:
    """(TP, FP, TN, FN, precision, recall) of numpy `labels` and `predictions` in float64, as
    TensorBoard's ``pr_curve_pb`` counts them."""
    if weights is None:
        weights = 1.0
    buckets = np.int32(np.floor(np.asarray(predictions) * (num_thresholds - 1)))
    float_labels = np.asarray(labels).astype(float)
    edges = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(buckets, bins=num_thresholds, range=edges, weights=float_labels * weights)
    fp_buckets, _ = np.histogram(buckets, bins=num_thresholds, range=edges,
                                 weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(_MINIMUM_COUNT, tp + fp)
    recall = tp / np.maximum(_MINIMUM_COUNT, tp + fn)
    return tp, fp, tn, fn, precision, recall
