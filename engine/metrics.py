"""`tf.metrics`: TF 1.x's streaming metrics, each a pair (value tensor, update op) over local variables.

A metric keeps running sums in variables of the ``LOCAL_VARIABLES`` and ``METRIC_VARIABLES`` collections
(``mean/total``, ``mean/count``; initialize them with ``tf.local_variables_initializer()``); running its
update op adds one batch and returns the metric so far, its value tensor reads it without adding. Graph
layout, names and arithmetic follow TF's ``metrics_impl.py`` so values agree with TF's to float32 rounding.
Deviations: TF's run-time range checks (predictions in [0, 1] for ``auc``, weights broadcastable) are not
built, and squeezable dimensions are removed only where static ranks are known.
"""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.ops import array_ops, math_ops, state_ops
from engine.ops.confusion_matrix import confusion_matrix, remove_squeezable_dimensions
from engine.ops.constant_op import constant
from engine.variable_scope import variable_scope
from engine.variables import Variable

__all__ = [
    "accuracy", "auc", "false_negatives", "false_negatives_at_thresholds", "false_positives",
    "false_positives_at_thresholds", "mean", "mean_absolute_error", "mean_iou", "mean_per_class_accuracy",
    "mean_relative_error", "mean_squared_error", "percentage_below", "precision", "precision_at_thresholds",
    "recall", "recall_at_thresholds", "root_mean_squared_error", "true_negatives",
    "true_negatives_at_thresholds", "true_positives", "true_positives_at_thresholds",
    "mean_tensor", "mean_cosine_distance", "sensitivity_at_specificity", "specificity_at_sensitivity",
    # the top-k family (engine/metrics_at_k.py)
    "average_precision_at_k", "precision_at_k", "precision_at_top_k", "recall_at_k", "recall_at_top_k",
    "sparse_average_precision_at_k", "sparse_precision_at_k",
]

_CURVES = ("ROC", "PR")


def _metric_variable(shape, dtype, name):
    """A zero-initialized local variable, in the collections TF puts metric state in."""
    return Variable(lambda: array_ops.zeros(shape, dtype), trainable=False, name=name,
                    collections=[ops.GraphKeys.LOCAL_VARIABLES, ops.GraphKeys.METRIC_VARIABLES])


def _remove_squeezable_dimensions(predictions, labels, weights):
    """Squeezes a trailing size-1 dimension off predictions or labels (whichever has one rank more), and
    off weights when they have one rank more than predictions; static ranks only."""
    predictions = ops.convert_to_tensor(predictions)
    if labels is not None:
        labels, predictions = remove_squeezable_dimensions(ops.convert_to_tensor(labels), predictions)
    if weights is not None:
        weights = ops.convert_to_tensor(weights)
        p_rank, w_rank = predictions.get_shape().ndims, weights.get_shape().ndims
        if p_rank is not None and w_rank == p_rank + 1 and weights.get_shape().dims[-1].value == 1:
            weights = array_ops.squeeze(weights, [-1])
    return predictions, labels, weights


def _broadcast_weights(weights, values):
    """`weights` as float32 in the shape of `values` (unchanged when the static shapes already match)."""
    weights = array_ops.cast(weights, dtypes.float32)
    if weights.get_shape().is_fully_defined() and weights.get_shape() == values.get_shape():
        return weights
    return math_ops.multiply(weights, array_ops.ones_like(values))


def _add_to(collections, tensor):
    if collections:
        ops.add_to_collections(collections, tensor)


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of all `values` seen: variables `total` and `count`, tensors `value` and
    `update_op`."""
    with variable_scope(name, "mean", (values, weights)):
        values = array_ops.cast(values, dtypes.float32)
        total = _metric_variable([], dtypes.float32, name="total")
        count = _metric_variable([], dtypes.float32, name="count")
        if weights is None:
            num_values = array_ops.cast(array_ops.size(values), dtypes.float32)
        else:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values = math_ops.multiply(values, weights)
            num_values = math_ops.reduce_sum(weights)
        update_total = state_ops.assign_add(total, math_ops.reduce_sum(values))
        with ops.control_dependencies([values]):
            update_count = state_ops.assign_add(count, num_values)
        value = math_ops.div_no_nan(total, math_ops.maximum(count, 0), name="value")
        update_op = math_ops.div_no_nan(update_total, math_ops.maximum(update_count, 0), name="update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
             name=None):
    """How often `predictions` equal `labels`: a `mean` of the matches, in scope `accuracy`."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    if labels.dtype != predictions.dtype:
        predictions = array_ops.cast(predictions, labels.dtype)
    is_correct = array_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def _mean_of_errors(error_fn, default_name, labels, predictions, weights, metrics_collections,
                    updates_collections, name):
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    errors = error_fn(labels, predictions)
    return mean(errors, weights, metrics_collections, updates_collections, name or default_name)


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                       name=None):
    return _mean_of_errors(math_ops.squared_difference, "mean_squared_error", labels, predictions, weights,
                           metrics_collections, updates_collections, name)


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                        name=None):
    return _mean_of_errors(lambda y, p: math_ops.abs(p - y), "mean_absolute_error", labels, predictions,
                           weights, metrics_collections, updates_collections, name)


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """The square root of `mean_squared_error`; as in TF its tensors are the top-level `Sqrt`, `Sqrt_1`."""
    mse, update_mse = _mean_of_errors(math_ops.squared_difference, "root_mean_squared_error", labels,
                                      predictions, weights, None, None, name)
    value, update_op = math_ops.sqrt(mse), math_ops.sqrt(update_mse)
    _add_to(metrics_collections, value)
    _add_to(updates_collections, update_op)
    return value, update_op


def _count_condition(condition, weights, metrics_collections, updates_collections):
    """Counts where the bool `condition` holds (weighted): a variable `count`, its `Identity` as value and
    its `AssignAdd` as update."""
    count = _metric_variable([], dtypes.float32, name="count")
    values = array_ops.cast(condition, dtypes.float32)
    if weights is not None:
        values = math_ops.multiply(values, array_ops.cast(weights, dtypes.float32))
    value = array_ops.identity(count)
    update_op = state_ops.assign_add(count, math_ops.reduce_sum(values))
    _add_to(metrics_collections, value)
    _add_to(updates_collections, update_op)
    return value, update_op


def _as_bools(labels, predictions, weights):
    predictions, labels, weights = _remove_squeezable_dimensions(
        array_ops.cast(predictions, dtypes.bool), array_ops.cast(labels, dtypes.bool), weights)
    return labels, predictions, weights


def _count_outcome(label_is, prediction_is, default_name, labels, predictions, weights, metrics_collections,
                   updates_collections, name):
    with variable_scope(name, default_name, (predictions, labels, weights)):
        labels, predictions, weights = _as_bools(labels, predictions, weights)
        condition = math_ops.logical_and(math_ops.equal(labels, label_is),
                                         math_ops.equal(predictions, prediction_is))
        return _count_condition(condition, weights, metrics_collections, updates_collections)


def true_positives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                   name=None):
    return _count_outcome(True, True, "true_positives", labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def false_positives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                    name=None):
    return _count_outcome(False, True, "false_positives", labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def true_negatives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                   name=None):
    return _count_outcome(False, False, "true_negatives", labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def false_negatives(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                    name=None):
    return _count_outcome(True, False, "false_negatives", labels, predictions, weights, metrics_collections,
                          updates_collections, name)


def _ratio_of_counts(other_count, default_name, labels, predictions, weights, metrics_collections,
                     updates_collections, name):
    """tp / (tp + other) where tp + other > 0, else 0: precision (other = false positives) and recall
    (other = false negatives)."""
    with variable_scope(name, default_name, (predictions, labels, weights)):
        labels, predictions, weights = _as_bools(labels, predictions, weights)
        tp, update_tp = true_positives(labels, predictions, weights)
        other, update_other = other_count(labels, predictions, weights)

        def ratio(a, b, op_name):
            return array_ops.where(math_ops.greater(a + b, 0), math_ops.divide(a, a + b), 0, op_name)

        value = ratio(tp, other, "value")
        update_op = ratio(update_tp, update_other, "update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def precision(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
              name=None):
    return _ratio_of_counts(false_positives, "precision", labels, predictions, weights, metrics_collections,
                            updates_collections, name)


def recall(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
           name=None):
    return _ratio_of_counts(false_negatives, "recall", labels, predictions, weights, metrics_collections,
                            updates_collections, name)


def _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights,
                                    includes=("tp", "fn", "tn", "fp")):
    """Per threshold, the (weighted) counts of `includes` among tp, fn, tn, fp with `prediction > threshold`
    as positive: variables `true_positives`, `false_negatives`, `true_negatives`, `false_positives`
    ([num_thresholds]) and their AssignAdd updates."""
    predictions, labels, weights = _remove_squeezable_dimensions(
        array_ops.cast(predictions, dtypes.float32), array_ops.cast(labels, dtypes.bool), weights)
    num_thresholds = len(thresholds)
    predictions_2d = array_ops.reshape(predictions, [-1, 1])
    labels_2d = array_ops.reshape(array_ops.cast(labels, dtypes.bool), [1, -1])
    num_predictions = predictions_2d.get_shape().dims[0].value
    if num_predictions is None:
        num_predictions = array_ops.shape_v1(predictions_2d)[0]
    thresh_tiled = array_ops.tile(array_ops.expand_dims(constant(thresholds), [1]),
                                  array_ops.stack([1, num_predictions]))
    preds_tiled = array_ops.tile(array_ops.transpose(predictions_2d), [num_thresholds, 1])
    pred_is_pos = math_ops.greater(preds_tiled, thresh_tiled)
    label_is_pos = array_ops.tile(labels_2d, [num_thresholds, 1])
    weights_tiled = None
    if weights is not None:
        weights = _broadcast_weights(weights, predictions)
        weights_tiled = array_ops.tile(array_ops.reshape(weights, [1, -1]), [num_thresholds, 1])
    pred_is_neg, label_is_neg = math_ops.logical_not(pred_is_pos), math_ops.logical_not(label_is_pos)
    values, updates = {}, {}
    for key, name, label_side, pred_side in (("tp", "true_positives", label_is_pos, pred_is_pos),
                                             ("fn", "false_negatives", label_is_pos, pred_is_neg),
                                             ("tn", "true_negatives", label_is_neg, pred_is_neg),
                                             ("fp", "false_positives", label_is_neg, pred_is_pos)):
        if key not in includes:
            continue
        values[key] = _metric_variable([num_thresholds], dtypes.float32, name=name)
        hits = array_ops.cast(math_ops.logical_and(label_side, pred_side), dtypes.float32)
        if weights_tiled is not None:
            hits = math_ops.multiply(hits, weights_tiled)
        updates[key] = state_ops.assign_add(values[key], math_ops.reduce_sum(hits, 1))
    return values, updates


def _interpolate_pr_auc(tp, fp, fn, num_thresholds):
    """PR AUC by Davis & Goadrich's interpolation (precision varies along each segment as recall does)."""
    dtp = tp[:num_thresholds - 1] - tp[1:]
    p = tp + fp
    prec_slope = math_ops.div_no_nan(dtp, math_ops.maximum(p[:num_thresholds - 1] - p[1:], 0),
                                     name="prec_slope")
    intercept = tp[1:] - math_ops.multiply(prec_slope, p[1:])
    safe_p_ratio = array_ops.where(
        math_ops.logical_and(p[:num_thresholds - 1] > 0, p[1:] > 0),
        math_ops.div_no_nan(p[:num_thresholds - 1], math_ops.maximum(p[1:], 0), name="recall_relative_ratio"),
        array_ops.ones_like(p[1:]))
    return math_ops.reduce_sum(
        math_ops.div_no_nan(prec_slope * (dtp + intercept * math_ops.log(safe_p_ratio)),
                            math_ops.maximum(tp[1:] + fn[1:], 0), name="pr_auc_increment"),
        name="interpolate_pr_auc")


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal", thresholds=None):
    """Area under the ROC or PR curve, from the confusion matrix at `num_thresholds` thresholds spread
    over [0, 1] (`predictions` are probabilities)."""
    with variable_scope(name, "auc", (labels, predictions, weights)):
        if curve not in _CURVES:
            raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
        kepsilon = 1e-7
        if thresholds is not None:
            thresholds = sorted(thresholds)
            num_thresholds = len(thresholds) + 2
        else:
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        thresholds = [0.0 - kepsilon, *thresholds, 1.0 + kepsilon]
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights)
        epsilon = 1.0e-6

        def compute_auc(tp, fn, tn, fp, op_name):
            if curve == "PR" and summation_method == "careful_interpolation":
                return _interpolate_pr_auc(tp, fp, fn, num_thresholds)
            rec = math_ops.divide(tp + epsilon, tp + fn + epsilon)
            if curve == "ROC":
                x, y = math_ops.divide(fp, fp + tn + epsilon), rec
            else:
                x, y = rec, math_ops.divide(tp + epsilon, tp + fp + epsilon)
            widths = x[:num_thresholds - 1] - x[1:]
            if summation_method in ("trapezoidal", "careful_interpolation"):
                heights = (y[:num_thresholds - 1] + y[1:]) / 2.0
            elif summation_method == "minoring":
                heights = math_ops.minimum(y[:num_thresholds - 1], y[1:])
            elif summation_method == "majoring":
                heights = math_ops.maximum(y[:num_thresholds - 1], y[1:])
            else:
                raise ValueError(f"Invalid summation_method: {summation_method}")
            return math_ops.reduce_sum(math_ops.multiply(widths, heights), name=op_name)

        value = compute_auc(values["tp"], values["fn"], values["tn"], values["fp"], "value")
        update_op = compute_auc(updates["tp"], updates["fn"], updates["tn"], updates["fp"], "update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """Mean over classes of intersection / union, from a running confusion matrix (variable
    `total_confusion_matrix`, float64); classes never seen are left out. As in TF, the update op returns
    the confusion matrix, not the mean."""
    with variable_scope(name, "mean_iou", (predictions, labels, weights)):
        predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        if predictions.get_shape().ndims != 1:
            predictions = array_ops.reshape(predictions, [-1])
        if labels.get_shape().ndims != 1:
            labels = array_ops.reshape(labels, [-1])
        if weights is not None and weights.get_shape().ndims != 1:
            weights = array_ops.reshape(weights, [-1])
        total_cm = _metric_variable([num_classes, num_classes], dtypes.float64, name="total_confusion_matrix")
        batch_cm = confusion_matrix(labels, predictions, num_classes, weights=weights, dtype=dtypes.float64)
        update_op = state_ops.assign_add(total_cm, batch_cm)
        cm = array_ops.cast(total_cm, dtypes.float32)
        sum_over_row = math_ops.reduce_sum(cm, 0)
        sum_over_col = math_ops.reduce_sum(cm, 1)
        cm_diag = math_ops.reduce_sum(math_ops.multiply(cm, array_ops.eye(num_classes)), 1)
        denominator = sum_over_row + sum_over_col - cm_diag
        valid = array_ops.cast(math_ops.not_equal(denominator, 0), dtypes.float32)
        num_valid_entries = math_ops.reduce_sum(valid)
        denominator = array_ops.where(math_ops.greater(denominator, 0), denominator,
                                      array_ops.ones_like(denominator))
        iou = math_ops.divide(cm_diag, denominator)
        value = array_ops.where(math_ops.greater(num_valid_entries, 0),
                                math_ops.reduce_sum(iou, name="mean_iou") / num_valid_entries, 0)
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def _count_at_thresholds(key, default_name, labels, predictions, thresholds, weights, metrics_collections,
                         updates_collections, name):
    with variable_scope(name, default_name, (predictions, labels, weights)):
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights, (key,))
        value = array_ops.identity(values[key])
        _add_to(metrics_collections, value)
        _add_to(updates_collections, updates[key])
        return value, updates[key]


def true_positives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    return _count_at_thresholds("tp", "true_positives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def false_positives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    return _count_at_thresholds("fp", "false_positives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def true_negatives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                 updates_collections=None, name=None):
    return _count_at_thresholds("tn", "true_negatives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def false_negatives_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    return _count_at_thresholds("fn", "false_negatives", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def _ratio_at_thresholds(other, kind, labels, predictions, thresholds, weights, metrics_collections,
                         updates_collections, name):
    """tp / (1e-7 + tp + other) per threshold: precision (other = fp) and recall (other = fn)."""
    with variable_scope(name, f"{kind}_at_thresholds", (predictions, labels, weights)):
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights,
                                                          ("tp", other))
        epsilon = 1e-7

        def ratio(tp, count, suffix):
            return math_ops.divide(tp, epsilon + tp + count, name=f"{kind}_{suffix}")

        value = ratio(values["tp"], values[other], "value")
        update_op = ratio(updates["tp"], updates[other], "update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def precision_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    return _ratio_at_thresholds("fp", "precision", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def recall_at_thresholds(labels, predictions, thresholds, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    return _ratio_at_thresholds("fn", "recall", labels, predictions, thresholds, weights,
                                metrics_collections, updates_collections, name)


def percentage_below(values, threshold, weights=None, metrics_collections=None, updates_collections=None,
                     name=None):
    """The (weighted) fraction of `values` below `threshold`, as a `mean`."""
    is_below = array_ops.cast(math_ops.less(values, threshold), dtypes.float32)
    return mean(is_below, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")


def mean_relative_error(labels, predictions, normalizer, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    """The mean of |labels - predictions| / normalizer (0 where the normalizer is 0)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    predictions, normalizer, _ = _remove_squeezable_dimensions(predictions, normalizer, None)
    predictions.get_shape().assert_is_compatible_with(normalizer.get_shape())
    relative_errors = array_ops.where(math_ops.equal(normalizer, 0.0), array_ops.zeros_like(labels),
                                      math_ops.divide(math_ops.abs(labels - predictions), normalizer))
    return mean(relative_errors, weights, metrics_collections, updates_collections,
                name or "mean_relative_error")


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """The mean over classes of each class's accuracy (variables `total` and `count`, [num_classes]); as in
    TF, the update op gives the per-class accuracies. Deviation: the per-class sums are built with
    UnsortedSegmentSum + AssignAdd where TF uses ScatterAdd; same values."""
    with variable_scope(name, "mean_accuracy", (predictions, labels, weights)):
        labels = array_ops.cast(labels, dtypes.int64)
        predictions = ops.convert_to_tensor(predictions)
        if labels.get_shape().ndims != 1:
            labels = array_ops.reshape(labels, [-1])
        if predictions.get_shape().ndims != 1:
            predictions = array_ops.reshape(predictions, [-1])
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
        total = _metric_variable([num_classes], dtypes.float32, name="total")
        count = _metric_variable([num_classes], dtypes.float32, name="count")
        ones = array_ops.ones(array_ops.reshape(array_ops.size(labels), [1]), dtypes.float32)
        if labels.dtype != predictions.dtype:
            predictions = array_ops.cast(predictions, labels.dtype)
        is_correct = array_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
        if weights is not None:
            weights = ops.convert_to_tensor(weights)
            if weights.get_shape().ndims != 1:
                weights = array_ops.reshape(weights, [-1])
            weights = array_ops.cast(weights, dtypes.float32)
            is_correct *= weights
            ones *= weights
        update_total = state_ops.assign_add(total, array_ops.unsorted_segment_sum(ones, labels, num_classes))
        update_count = state_ops.assign_add(count, array_ops.unsorted_segment_sum(is_correct, labels,
                                                                                 num_classes))
        per_class = math_ops.div_no_nan(count, math_ops.maximum(total, 0))
        value = math_ops.reduce_mean(per_class, name="mean_accuracy")
        update_op = math_ops.div_no_nan(update_count, math_ops.maximum(update_total, 0), name="update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The element-wise (weighted) mean of `values` over all batches: variables `total_tensor` and
    `count_tensor` shaped like `values`."""
    with variable_scope(name, "mean", (values, weights)):
        values = array_ops.cast(values, dtypes.float32)
        total = _metric_variable(values.get_shape(), dtypes.float32, name="total_tensor")
        count = _metric_variable(values.get_shape(), dtypes.float32, name="count_tensor")
        num_values = array_ops.ones_like(values)
        if weights is not None:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values = math_ops.multiply(values, weights)
            num_values = math_ops.multiply(num_values, weights)
        update_total = state_ops.assign_add(total, values)
        with ops.control_dependencies([values]):
            update_count = state_ops.assign_add(count, num_values)
        value = math_ops.div_no_nan(total, math_ops.maximum(count, 0), name="value")
        update_op = math_ops.div_no_nan(update_total, math_ops.maximum(update_count, 0), name="update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """1 - the mean over batches of the dot product along `dim` of (unit-normalized) labels and
    predictions, as a `mean` in scope `mean_cosine_distance`."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    radial_diffs = math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis=[dim], keepdims=True)
    mean_distance, update_op = mean(radial_diffs, weights, None, None, name or "mean_cosine_distance")
    mean_distance = math_ops.subtract(1.0, mean_distance)
    update_op = math_ops.subtract(1.0, update_op)
    _add_to(metrics_collections, mean_distance)
    _add_to(updates_collections, update_op)
    return mean_distance, update_op


def _rate_at_thresholds(labels, predictions, weights, num_thresholds, last_threshold, default_name, name,
                        compute, metrics_collections, updates_collections):
    """The confusion matrix at `num_thresholds` thresholds over [0, 1], `compute(tp, tn, fp, fn, name)` of
    its variables (`value`) and of their updates (`update_op`)."""
    with variable_scope(name, default_name, (predictions, labels, weights)):
        kepsilon = 1e-7  # TF's allowance for float rounding at the ends
        thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        thresholds = [0.0 - kepsilon, *thresholds, last_threshold]
        values, updates = _confusion_matrix_at_thresholds(labels, predictions, thresholds, weights)
        value = compute(values["tp"], values["tn"], values["fp"], values["fn"], "value")
        update_op = compute(updates["tp"], updates["tn"], updates["fp"], updates["fn"], "update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op


def sensitivity_at_specificity(labels, predictions, specificity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """The sensitivity (recall) at the threshold whose specificity is nearest `specificity`."""
    if specificity < 0 or specificity > 1:
        raise ValueError(f"`specificity` must be in the range [0, 1]. Currently, `specificity` got "
                         f"{specificity}.")
    kepsilon = 1e-7

    def compute(tp, tn, fp, fn, op_name):
        specificities = math_ops.divide(tn, tn + fp + kepsilon)
        index = array_ops.cast(math_ops.argmin(math_ops.abs(specificities - specificity), 0), dtypes.int32)
        return math_ops.divide(tp[index], tp[index] + fn[index] + kepsilon, op_name)

    return _rate_at_thresholds(labels, predictions, weights, num_thresholds, 1.0 + kepsilon,
                               "sensitivity_at_specificity", name, compute, metrics_collections,
                               updates_collections)


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """The specificity at the threshold whose sensitivity is nearest `sensitivity` (the last such one)."""
    if sensitivity < 0 or sensitivity > 1:
        raise ValueError(f"`sensitivity` must be in the range [0, 1]. Currently, `sensitivity` is "
                         f"{sensitivity}.")
    kepsilon = 1e-7

    def compute(tp, tn, fp, fn, op_name):
        sensitivities = math_ops.divide(tp, tp + fn + kepsilon)
        distance = math_ops.abs(sensitivities - sensitivity)
        at_min = array_ops.cast(math_ops.equal(distance, math_ops.reduce_min(distance)), dtypes.int64)
        index = array_ops.cast(math_ops.argmax(math_ops.cumsum(at_min), 0), dtypes.int32)
        return math_ops.divide(tn[index], tn[index] + fp[index] + kepsilon, op_name)

    # TF's last threshold here is 1 - epsilon (not 1 + epsilon as elsewhere)
    return _rate_at_thresholds(labels, predictions, weights, num_thresholds, 1.0 - kepsilon,
                               "specificity_at_sensitivity", name, compute, metrics_collections,
                               updates_collections)


# The top-k family lives in its own module, which uses this one's helpers: imported last.
from engine.metrics_at_k import (  # noqa: E402
    average_precision_at_k,
    precision_at_k,
    precision_at_top_k,
    recall_at_k,
    recall_at_top_k,
    sparse_average_precision_at_k,
    sparse_precision_at_k,
)
