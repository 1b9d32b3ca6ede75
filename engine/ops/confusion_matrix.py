"""``tf.confusion_matrix`` (``tf.math.confusion_matrix``): counts of (label, prediction) pairs, built as TF
builds it (int64 casts, asserts that both are in [0, num_classes), then ScatterNd)."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.ops import array_ops, check_ops, math_ops
from engine.ops.control_flow_ops import with_dependencies
from engine.ops.nd_index_ops import scatter_nd


def remove_squeezable_dimensions(labels, predictions):
    """Squeezes a trailing size-1 dimension off whichever of the two has one rank more (static ranks)."""
    l_rank, p_rank = labels.get_shape().ndims, predictions.get_shape().ndims
    if l_rank is not None and p_rank is not None:
        if p_rank == l_rank + 1 and predictions.get_shape().dims[-1].value == 1:
            predictions = array_ops.squeeze(predictions, [-1])
        elif l_rank == p_rank + 1 and labels.get_shape().dims[-1].value == 1:
            labels = array_ops.squeeze(labels, [-1])
    return labels, predictions


def confusion_matrix(labels, predictions, num_classes=None, dtype=dtypes.int32, name=None, weights=None):
    """[num_classes, num_classes] matrix whose (i, j) entry counts (or sums the weights of) the examples
    labelled i and predicted j; `num_classes` defaults to 1 + the largest label or prediction."""
    with ops.name_scope(name, "confusion_matrix", (predictions, labels, num_classes, weights)):
        labels = ops.convert_to_tensor(labels, name="labels")
        predictions = ops.convert_to_tensor(predictions, name="predictions")
        labels, predictions = remove_squeezable_dimensions(labels, predictions)
        predictions = array_ops.cast(predictions, dtypes.int64)
        labels = array_ops.cast(labels, dtypes.int64)
        labels = with_dependencies(
            [check_ops.assert_non_negative(labels, message="`labels` contains negative values")], labels)
        predictions = with_dependencies(
            [check_ops.assert_non_negative(predictions, message="`predictions` contains negative values")],
            predictions)
        if num_classes is None:
            num_classes = math_ops.maximum(math_ops.reduce_max(predictions), math_ops.reduce_max(labels)) + 1
        else:
            num_classes_int64 = array_ops.cast(num_classes, dtypes.int64)
            labels = with_dependencies(
                [check_ops.assert_less(labels, num_classes_int64, message="`labels` out of bound")], labels)
            predictions = with_dependencies(
                [check_ops.assert_less(predictions, num_classes_int64, message="`predictions` out of bound")],
                predictions)
        if weights is not None:
            weights = ops.convert_to_tensor(weights, name="weights")
            predictions.get_shape().assert_is_compatible_with(weights.get_shape())
            weights = array_ops.cast(weights, dtype)
        shape = array_ops.stack([num_classes, num_classes])
        indices = array_ops.stack([labels, predictions], axis=1)
        values = array_ops.ones_like(predictions, dtype) if weights is None else weights
        return scatter_nd(indices=indices, updates=values, shape=array_ops.cast(shape, dtypes.int64))
