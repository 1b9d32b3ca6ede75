"""`tf.metrics`' top-k family (re-exported by engine/metrics.py): precision and recall among the k best
predictions (`precision_at_k`, `recall_at_k`, their `*_at_top_k` forms that take the predicted ids, and
`sparse_precision_at_k`) and the mean average precision (`average_precision_at_k`,
`sparse_average_precision_at_k`).

Variables, scopes and values are TF's (`precision_at_5/true_positive_at_5`, float64 counts). TF counts
with its set ops (`DenseToDenseSetOperation`, `SetSize`); here the same set sizes come from comparing every
predicted id with every label (`_set_counts`), so the ops between inputs and counts differ. As in TF,
labels are class ids ([batch] or [batch, num_labels], dense here: a SparseTensor is not accepted), label
values outside [0, num_classes) never match a prediction and count as false negatives for recall.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.metrics import _add_to, _metric_variable
from engine.ops import array_ops, cond, math_ops, state_ops, top_k_ops


def _at_k_name(name, k=None, class_id=None):
    name = f"{name}_at_{k}" if k is not None else f"{name}_at_k"
    return f"{name}_class{class_id}" if class_id is not None else name


def _maybe_expand_labels(labels, predictions_idx):
    """[batch] labels as [batch, 1] (one label per row) for [batch, k] predictions, as TF's."""
    with ops.name_scope(None, "expand_labels", (labels, predictions_idx)) as scope:
        labels = ops.convert_to_tensor(labels)
        labels_rank, predictions_rank = labels.get_shape().ndims, predictions_idx.get_shape().ndims
        if labels_rank is None or predictions_rank is None:
            raise ValueError("The ranks of `labels` and `predictions` must be known.")
        if predictions_rank == labels_rank:
            return labels
        if predictions_rank == labels_rank + 1:
            return array_ops.expand_dims(labels, -1, name=scope)
        raise ValueError(
            f"Unexpected labels shape {labels.get_shape()} for predictions shape "
            f"{predictions_idx.get_shape()}. "
            "Predictions rank should be the same rank as labels rank or labels rank plus one .")


def _first_occurrences(ids):
    """Bool [..., n]: True where an id appears for the first time in its row (set semantics)."""
    n = ids.get_shape().dims[-1].value
    same = math_ops.equal(array_ops.expand_dims(ids, -1), array_ops.expand_dims(ids, -2))
    earlier = np.tril(np.ones((n, n), bool), -1)  # [i, j]: j comes before i
    return math_ops.logical_not(math_ops.reduce_any(math_ops.logical_and(same, earlier), -1))


def _set_counts(labels, predictions_idx, class_id=None):
    """Per row, float64 (|P ∩ L|, |P - L|, |L - P|) of the sets of predicted ids P and labels L; with
    `class_id`, of the sets reduced to that id (TF's `_select_class_id`)."""
    labels = array_ops.cast(labels, dtypes.int64)
    matches = math_ops.equal(array_ops.expand_dims(predictions_idx, -1), array_ops.expand_dims(labels, -2))
    predicted_in_labels = math_ops.reduce_any(matches, -1)  # [batch, k]
    label_in_predicted = math_ops.reduce_any(matches, -2)  # [batch, num_labels]
    predicted = _first_occurrences(predictions_idx)
    labelled = _first_occurrences(labels)
    if class_id is not None:
        predicted = math_ops.logical_and(predicted, math_ops.equal(predictions_idx, class_id))
        labelled = math_ops.logical_and(labelled, math_ops.equal(labels, class_id))

    def count(mask):
        return math_ops.reduce_sum(array_ops.cast(mask, dtypes.float64), -1)

    return (count(math_ops.logical_and(predicted, predicted_in_labels)),
            count(math_ops.logical_and(predicted, math_ops.logical_not(predicted_in_labels))),
            count(math_ops.logical_and(labelled, math_ops.logical_not(label_in_predicted))))


def _streaming_count(per_row, weights, kind, k, class_id):
    """A float64 variable `<kind>_at_<k>` summing the (weighted) per-row counts, and its `update`."""
    with ops.name_scope(None, _at_k_name(kind, k, class_id=class_id), (per_row, weights)) as scope:
        if weights is not None:
            per_row = math_ops.multiply(per_row, array_ops.cast(weights, dtypes.float64))
        var = _metric_variable([], dtypes.float64, name=scope)
        return var, state_ops.assign_add(var, math_ops.reduce_sum(per_row), name="update")


def _ratio_at_top_k(kind, other_kind, labels, predictions_idx, k, class_id, weights, metrics_collections,
                    updates_collections, name):
    """tp / (tp + other) over the top-k ids: precision (other = false positives) or recall (false
    negatives)."""
    with ops.name_scope(name, _at_k_name(kind, k, class_id=class_id),
                        (predictions_idx, labels, weights)) as scope:
        top_k_idx = array_ops.cast(predictions_idx, dtypes.int64)
        labels = _maybe_expand_labels(labels, top_k_idx)
        tp_rows, fp_rows, fn_rows = _set_counts(labels, top_k_idx, class_id)
        tp, tp_update = _streaming_count(tp_rows, weights, "true_positive", k, class_id)
        other_rows = fp_rows if other_kind == "false_positive" else fn_rows
        other, other_update = _streaming_count(other_rows, weights, other_kind, k, class_id)
        metric = math_ops.divide(tp, math_ops.add(tp, other), name=scope)
        update = math_ops.divide(tp_update, math_ops.add(tp_update, other_update), name="update")
        _add_to(metrics_collections, metric)
        _add_to(updates_collections, update)
        return metric, update


def precision_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """Of the predicted ids `predictions_idx` ([batch, k]), the fraction that are labels."""
    return _ratio_at_top_k("precision", "false_positive", labels, predictions_idx, k, class_id, weights,
                           metrics_collections, updates_collections, name)


def recall_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None, metrics_collections=None,
                    updates_collections=None, name=None):
    """Of the labels, the fraction among the predicted ids `predictions_idx` ([batch, k])."""
    return _ratio_at_top_k("recall", "false_negative", labels, predictions_idx, k, class_id, weights,
                           metrics_collections, updates_collections, name)


def _from_top_k(at_top_k, kind, labels, predictions, k, class_id, weights, metrics_collections,
                updates_collections, name):
    default_name = _at_k_name(kind, k, class_id=class_id)
    with ops.name_scope(name, default_name, (predictions, labels, weights)) as scope:
        _, top_k_idx = top_k_ops.top_k(predictions, k)
        return at_top_k(labels, top_k_idx, k=k, class_id=class_id, weights=weights,
                        metrics_collections=metrics_collections, updates_collections=updates_collections,
                        name=scope)


def precision_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                   updates_collections=None, name=None):
    """Precision of the `k` highest `predictions` ([batch, num_classes] scores) against the label ids."""
    return _from_top_k(precision_at_top_k, "precision", labels, predictions, k, class_id, weights,
                       metrics_collections, updates_collections, name)


def sparse_precision_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                          updates_collections=None, name=None):
    """`precision_at_k` under its older name."""
    return precision_at_k(labels, predictions, k, class_id=class_id, weights=weights,
                          metrics_collections=metrics_collections, updates_collections=updates_collections,
                          name=name)


def recall_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
    """Recall of the label ids among the `k` highest `predictions` ([batch, num_classes] scores)."""
    return _from_top_k(recall_at_top_k, "recall", labels, predictions, k, class_id, weights,
                       metrics_collections, updates_collections, name)


def _clean_out_of_range_indices(labels, num_classes):
    """TF's: when some label id is past the last class, a cond replaces those ids with -1 (never
    relevant)."""
    labels = array_ops.cast(labels, dtypes.int64)

    def clean():
        out_of_range = math_ops.greater_equal(labels, num_classes)
        return array_ops.where_v2(out_of_range, -1 * array_ops.ones_like(labels), labels)

    max_labels = math_ops.reduce_max(labels)
    return cond.cond(math_ops.greater_equal(max_labels, num_classes), clean, lambda: labels)


def _average_precision_rows(labels, predictions_idx, k):
    """Per row: the sum of precision@i over the ranks i whose id is a label, over min(#labels, k)."""
    with ops.name_scope(None, "average_precision", (predictions_idx, labels)) as scope:
        predictions_idx = array_ops.cast(predictions_idx, dtypes.int64, name="predictions_idx")
        labels = array_ops.cast(_maybe_expand_labels(labels, predictions_idx), dtypes.int64)
        matches = math_ops.equal(array_ops.expand_dims(predictions_idx, -1),
                                 array_ops.expand_dims(labels, -2))
        relevant_per_k = array_ops.cast(math_ops.reduce_any(matches, -1), dtypes.float64,
                                        name="relevant_per_k")
        tp_per_k = math_ops.cumsum(relevant_per_k, axis=-1, name="tp_per_k")
        retrieved_per_k = math_ops.cumsum(array_ops.ones_like(relevant_per_k), axis=-1,
                                          name="retrieved_per_k")
        precision_per_k = math_ops.divide(tp_per_k, retrieved_per_k, name="precision_per_k")
        relevant_precision_per_k = math_ops.multiply(precision_per_k, relevant_per_k,
                                                     name="relevant_precision_per_k")
        precision_sum = math_ops.reduce_sum(relevant_precision_per_k, axis=(-1,), name="precision_sum")
        with ops.name_scope(None, "num_relevant", (labels,)) as relevant_scope:
            num_labels = math_ops.reduce_sum(array_ops.cast(math_ops.greater_equal(labels, 0), dtypes.int64),
                                             axis=-1)
            num_relevant = math_ops.minimum(num_labels, k, name=relevant_scope)
        return math_ops.divide(precision_sum, array_ops.cast(num_relevant, dtypes.float64), name=scope)


def average_precision_at_k(labels, predictions, k, weights=None, metrics_collections=None,
                           updates_collections=None, name=None):
    """The mean over rows of the average precision of the `k` highest `predictions`: variables `max`
    (rows or weight seen) and `total` (their average precisions), value `mean`."""
    if k < 1:
        raise ValueError(f"Invalid k={k}. `k` should be >= 1.")
    with ops.name_scope(name, _at_k_name("average_precision", k), (predictions, labels, weights)) as scope:
        predictions = ops.convert_to_tensor(predictions)
        _, predictions_idx = top_k_ops.top_k(predictions, k)
        num_classes = array_ops.cast(array_ops.shape_v1(predictions)[-1], dtypes.int64)
        labels = _clean_out_of_range_indices(labels, num_classes)
        average_precision = _average_precision_rows(labels, predictions_idx, k)
        if weights is not None:
            weights = math_ops.multiply(array_ops.cast(weights, dtypes.float64),
                                        array_ops.ones_like(average_precision))
            average_precision = math_ops.multiply(average_precision, weights)
        with ops.name_scope(None, "max", (average_precision,)) as max_scope:
            max_var = _metric_variable([], dtypes.float64, name=max_scope)
            if weights is None:
                batch_size = array_ops.size(average_precision, name="batch_max")
                batch_max = array_ops.cast(batch_size, dtypes.float64)
            else:
                batch_max = math_ops.reduce_sum(weights, name="batch_max")
            max_update = state_ops.assign_add(max_var, batch_max, name="update")
        with ops.name_scope(None, "total", (average_precision,)) as total_scope:
            total_var = _metric_variable([], dtypes.float64, name=total_scope)
            batch_total = math_ops.reduce_sum(average_precision, name="batch_total")
            total_update = state_ops.assign_add(total_var, batch_total, name="update")
        mean_average_precision = math_ops.div_no_nan(total_var, max_var, name="mean")
        update = math_ops.div_no_nan(total_update, max_update, name=scope)
        _add_to(metrics_collections, mean_average_precision)
        _add_to(updates_collections, update)
        return mean_average_precision, update


def sparse_average_precision_at_k(labels, predictions, k, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """`average_precision_at_k` under its older name."""
    return average_precision_at_k(labels, predictions, k, weights=weights,
                                  metrics_collections=metrics_collections,
                                  updates_collections=updates_collections, name=name)
