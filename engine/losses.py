"""``tf.losses``: TensorFlow 1.x's loss functions with weights, ``Reduction`` and the LOSSES collection.

Every loss builds its per-element losses under a name scope of TF's name (``mean_squared_error``,
``softmax_cross_entropy_loss``, ...) and reduces them with `compute_weighted_loss`, whose default
``Reduction.SUM_BY_NONZERO_WEIGHTS`` divides the weighted sum by the number of non-zero weights
(``DivNoNan`` named ``value``, so an all-zero weight gives 0, not NaN).  The result is added to
``tf.GraphKeys.LOSSES`` unless ``loss_collection`` is None.

The weights/values shape check is TF's ``assert_broadcastable``: static (TF's ValueError texts and the
``static_scalar_check_success`` NoOp the losses depend on); run-time Asserts are not implemented.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.framework.ops import GraphKeys
from engine.ops import array_ops, constant_op, control_flow_ops, grad_util, math_ops, nn_loss_ops

# TensorFlow's names only (tests/interop/test_public_names.py checks them against tf.compat.v1.losses).
__all__ = [
    "Reduction",
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "get_losses",
    "get_regularization_loss",
    "get_regularization_losses",
    "get_total_loss",
    "huber_loss",
    "log_loss",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]


class Reduction:
    """Types of loss reduction (TF1's ``tf.losses.Reduction``)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


def _cast(x, dtype):
    """``tf.cast`` that, like TensorFlow's, leaves a tensor of the right dtype alone without using up
    a ``Cast`` name (so the graph's names match TF's: ``mean_squared_error/Cast/x``)."""
    if isinstance(x, ops.Tensor) and x.dtype.base_dtype == dtype:
        return x
    return array_ops.cast(x, dtype)


# --- collection helpers ------------------------------------------------------------------------------


def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """Adds `loss` to the `loss_collection` of the default graph (nothing if the collection is None)."""
    if loss_collection:
        ops.add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    return ops.get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return ops.get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return constant_op.constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the LOSSES collection (plus the regularization losses by default)."""
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("No losses found in the LOSSES and REGULARIZATION_LOSSES collections.")
    return math_ops.add_n(losses, name=name)


# --- weighting ---------------------------------------------------------------------------------------


def _static_rank_and_shape(t, scope):
    """TF's ``shape``/``rank`` of `t` under `scope`: Consts when static, a ``Shape`` op otherwise."""
    shape = grad_util.shape(t, name="shape")
    rank = t.shape.ndims
    if rank is not None:
        constant_op.constant(np.int32(rank), name="rank")
    else:
        array_ops.rank(t, name="rank")
    return shape, rank


def _assert_broadcastable(weights, values):
    """TF's ``weights_broadcast_ops.assert_broadcastable``: weights are a scalar, or have the values'
    rank with each dim 1 or equal.  Checked statically (TF's ValueError texts); returns the
    ``static_scalar_check_success`` / ``static_dims_check_success`` NoOp TF adds.

    Deviation: when a rank is unknown TF adds a run-time Assert; here the check is skipped and a NoOp
    named like the assertion is returned.
    """
    prefix = "weights can not be broadcast to values."
    with ops.name_scope(None, "assert_broadcastable", (weights, values)) as scope:
        with ops.name_scope(None, "weights", (weights,)) as weights_scope:
            weights = ops.convert_to_tensor(weights, name=weights_scope)
            _, weights_rank = _static_rank_and_shape(weights, weights_scope)
        with ops.name_scope(None, "values", (values,)) as values_scope:
            values = ops.convert_to_tensor(values, name=values_scope)
            _, values_rank = _static_rank_and_shape(values, values_scope)
        if weights_rank is None or values_rank is None:
            return control_flow_ops.no_op(name=scope)
        if weights_rank == 0:
            return control_flow_ops.no_op(name="static_scalar_check_success")
        if weights_rank != values_rank:
            raise ValueError(f"{prefix} values.rank={values_rank}. weights.rank={weights_rank}. "
                             f"values.shape={values.shape}. weights.shape={weights.shape}. "
                             f"Received weights={weights}, values={values}")
        ws, vs = weights.shape.as_list(), values.shape.as_list()
        if None not in ws and None not in vs:
            for i, (w, v) in enumerate(zip(ws, vs, strict=True)):
                if w not in (1, v):
                    raise ValueError(f"{prefix} Mismatch at dim {i}. values.shape={vs}, weights.shape={ws}. "
                                     f"Received weights={weights}, values={values}")
            return control_flow_ops.no_op(name="static_dims_check_success")
        return control_flow_ops.no_op(name=scope)


def _broadcast_weights(weights, values):
    """``weights`` times ones shaped like ``values`` (TF's ``broadcast_weights``)."""
    with ops.name_scope(None, "broadcast_weights", (weights, values)) as scope:
        values = ops.convert_to_tensor(values, name="values")
        weights = ops.convert_to_tensor(weights, dtype=values.dtype.base_dtype, name="weights")
        ws, vs = weights.get_shape(), values.get_shape()
        if ws.is_fully_defined() and vs.is_fully_defined() and ws.is_compatible_with(vs):
            return weights
        with ops.control_dependencies((_assert_broadcastable(weights, values),)):
            return math_ops.multiply(weights, array_ops.ones_like(values), name=scope)


def _num_present(losses, weights):
    """How many losses have a non-zero weight (weights broadcast to the losses' shape)."""
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    with ops.name_scope(None, "num_present", (losses, weights)) as scope:
        weights = _cast(weights, dtypes.float32)
        present = array_ops.where(math_ops.equal(weights, 0.0), array_ops.zeros_like(weights),
                                  array_ops.ones_like(weights))
        present = _broadcast_weights(present, losses)
        return math_ops.reduce_sum(present, name=scope)


def _num_elements(losses):
    with ops.name_scope(None, "num_elements") as scope:
        return _cast(grad_util.size(losses, name=scope), losses.dtype)


def _safe_mean(total, count):
    return math_ops.div_no_nan(math_ops.reduce_sum(total), count, name="value")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weights `losses` and reduces them as `reduction` says; adds the result to `loss_collection`."""
    Reduction.validate(reduction)
    with ops.name_scope(scope, "weighted_loss", (losses, weights)):
        losses = ops.convert_to_tensor(losses)
        with ops.control_dependencies((_assert_broadcastable(weights, losses),)):
            input_dtype = losses.dtype.base_dtype
            losses = _cast(losses, dtypes.float32)
            weights_t = _cast(weights, dtypes.float32)
            weighted = math_ops.multiply(losses, weights_t)
            if reduction == Reduction.NONE:
                loss = weighted
            else:
                loss = math_ops.reduce_sum(weighted)
                if reduction == Reduction.MEAN:
                    count = math_ops.reduce_sum(math_ops.multiply(array_ops.ones_like(losses), weights_t))
                    loss = _safe_mean(loss, count)
                elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                    loss = _safe_mean(loss, _num_present(losses, weights_t))
                elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                    loss = _safe_mean(loss, _num_elements(losses))
            loss = _cast(loss, input_dtype)
            add_loss(loss, loss_collection)
            return loss


# --- losses ------------------------------------------------------------------------------------------


def _require(**kwargs):
    for name, value in kwargs.items():
        if value is None:
            raise ValueError(f"{name} must not be None.")


def _float_pair(labels, predictions):
    predictions = _cast(predictions, dtypes.float32)
    labels = _cast(labels, dtypes.float32)
    predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    return labels, predictions


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted mean of ``(predictions - labels)^2``."""
    _require(labels=labels, predictions=predictions)
    with ops.name_scope(scope, "mean_squared_error", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted mean of ``|predictions - labels|``."""
    _require(labels=labels, predictions=predictions)
    with ops.name_scope(scope, "absolute_difference", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = math_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Quadratic for ``|error| <= delta``, linear beyond: ``0.5 q^2 + delta (|e| - q)`` with
    ``q = min(|e|, delta)``."""
    _require(labels=labels, predictions=predictions)
    with ops.name_scope(scope, "huber_loss", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        error = math_ops.subtract(predictions, labels)
        abs_error = math_ops.abs(error)
        quadratic = math_ops.minimum(abs_error, delta)
        linear = math_ops.subtract(abs_error, quadratic)
        losses = math_ops.add(math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
                              math_ops.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``-labels log(p + eps) - (1 - labels) log(1 - p + eps)``."""
    _require(labels=labels, predictions=predictions)
    with ops.name_scope(scope, "log_loss", (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = math_ops.subtract(
            math_ops.negative(math_ops.multiply(labels, math_ops.log(math_ops.add(predictions, epsilon)))),
            math_ops.multiply(math_ops.subtract(1.0, labels),
                              math_ops.log(math_ops.add(math_ops.subtract(1.0, predictions), epsilon))))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross-entropy of one-hot labels; ``label_smoothing`` moves labels toward ``1/num_classes``."""
    _require(onehot_labels=onehot_labels, logits=logits)
    with ops.name_scope(scope, "softmax_cross_entropy_loss", (logits, onehot_labels, weights)) as scope:
        logits = ops.convert_to_tensor(logits)
        onehot_labels = _cast(onehot_labels, logits.dtype.base_dtype)
        logits.get_shape().assert_is_compatible_with(onehot_labels.get_shape())
        if label_smoothing > 0:
            num_classes = _cast(grad_util.shape(onehot_labels)[-1], logits.dtype.base_dtype)
            smooth_positives = 1.0 - label_smoothing
            smooth_negatives = math_ops.truediv(_cast(label_smoothing, logits.dtype.base_dtype),
                                                num_classes)
            onehot_labels = math_ops.add(math_ops.multiply(onehot_labels, smooth_positives), smooth_negatives)
        onehot_labels = array_ops.stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = nn_loss_ops.softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits,
                                                                  name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross-entropy of integer class labels."""
    _require(labels=labels, logits=logits)
    with ops.name_scope(scope, "sparse_softmax_cross_entropy_loss", (logits, labels, weights)) as scope:
        logits = ops.convert_to_tensor(logits)
        labels = ops.convert_to_tensor(labels)
        lr, gr = labels.shape.ndims, logits.shape.ndims
        if lr is not None and gr is not None and lr == gr and labels.shape.as_list()[-1] == 1:
            labels = array_ops.squeeze(labels, [-1])
        losses = nn_loss_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                      name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Sigmoid cross-entropy; ``label_smoothing`` moves labels toward 1/2."""
    _require(multi_class_labels=multi_class_labels, logits=logits)
    with ops.name_scope(scope, "sigmoid_cross_entropy_loss", (logits, multi_class_labels, weights)) as scope:
        logits = ops.convert_to_tensor(logits)
        labels = _cast(multi_class_labels, logits.dtype.base_dtype)
        logits.get_shape().assert_is_compatible_with(labels.get_shape())
        if label_smoothing > 0:
            labels = math_ops.add(math_ops.multiply(labels, 1 - label_smoothing), 0.5 * label_smoothing)
        losses = nn_loss_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)
