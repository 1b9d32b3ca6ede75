"""Loss ops of ``tf.nn``: softmax / sparse softmax / sigmoid cross-entropy and ``l2_loss``.

The fused cross-entropy kernels follow TensorFlow's ``SoftmaxCrossEntropyWithLogits`` and
``SparseSoftmaxCrossEntropyWithLogits``: two outputs, the per-example loss and the backprop
(``softmax(logits) - labels``), both computed from max-shifted logits so that large logits stay
finite.  The gradients (at the end) reuse the backprop output.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, registry
from engine.framework.registry import register_gradient
from engine.framework.tensor_shape import TensorShape
from engine.ops import array_ops, check_ops, constant_op, grad_util, math_ops, nn_ops, op_util

# --- numpy kernels -----------------------------------------------------------------------------------


def softmax_xent(logits, labels):
    """Returns (loss[batch], backprop[batch, classes]) for 2-D logits and labels."""
    # The reductions are the ufuncs' own (what ndarray.max/.sum call after a layer of Python).
    shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
    e = np.exp(shifted)
    s = np.add.reduce(e, axis=1, keepdims=True)
    loss = np.add.reduce(labels * (np.log(s) - shifted), axis=1)
    e /= s
    e -= labels
    return loss, e


def sparse_softmax_xent(logits, labels):
    """Like :func:`softmax_xent` with integer class labels."""
    n, classes = logits.shape
    bad = (labels < 0) | (labels >= classes)
    if bad.any():
        value = int(labels[np.argmax(bad)])
        raise errors.InvalidArgumentError(
            None, None,
            f"Received a label value of {value} which is outside the valid range of [0, {classes}).  "
            f"Label values: {' '.join(str(int(v)) for v in labels)}")
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = np.log(s[:, 0]) - shifted[rows, labels]
    e /= s
    e[rows, labels] -= 1
    return loss.astype(logits.dtype, copy=False), e


# --- op definitions ----------------------------------------------------------------------------------


def _xent_infer(op):
    # TF 2.x broadcasts labels against the logits (a [1, classes] row of labels applies to every
    # example), then asks for rank 2: "Dimensions must be equal, but are 3 and 4 for '{{node ...".
    logits = op_util.dims(op.inputs[0])
    labels = op_util.dims(op.inputs[1])
    if op.type == "SoftmaxCrossEntropyWithLogits":
        both = op_util.broadcast_dims(op, logits, labels)
        shape = both if both is not None else (logits if logits is not None else labels)
    else:
        shape = logits
    if shape is None:
        shape = (None, None)
    elif len(shape) != 2:
        raise op_util.shape_error(op, f"Shape must be rank 2 but is rank {len(shape)}")
    dtype = op.inputs[0].dtype.base_dtype
    return [(dtype, TensorShape(shape[:1])), (dtype, TensorShape(shape))]


def _sparse_xent_infer(op):
    logits = op.inputs[0].shape
    if logits.ndims is None:
        logits = TensorShape([None, None])
    elif logits.ndims != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {logits.ndims}")
    dtype = op.inputs[0].dtype.base_dtype
    return [(dtype, TensorShape(logits.as_list()[:1])), (dtype, logits)]


registry.register_op("SoftmaxCrossEntropyWithLogits", infer=_xent_infer, kernel=softmax_xent, fresh=True,
                     inputs=("features: T", "labels: T"), allowed={"T": groups.FLOATING_POINT})
registry.register_op("SparseSoftmaxCrossEntropyWithLogits", infer=_sparse_xent_infer,
                     kernel=sparse_softmax_xent, inputs=("features: T", "labels: Tlabels"),
                     allowed={"T": groups.FLOATING_POINT, "Tlabels": ("int32", "int64")})


def _l2_loss_kernel(t):
    t = np.asarray(t)
    return np.asarray(np.vdot(t, t) / 2, dtype=t.dtype) if t.size else np.zeros((), t.dtype)


registry.register_op("L2Loss", infer=lambda op: [(op.inputs[0].dtype.base_dtype, TensorShape([]))],
                     kernel=_l2_loss_kernel, inputs=("t: T",), allowed={"T": groups.FLOATING_POINT})


# --- Python wrappers (tf.nn.*) -----------------------------------------------------------------------


def l2_loss(t, name=None):
    """``sum(t ** 2) / 2`` (op L2Loss)."""
    with ops.name_scope(name, "L2Loss", [t]) as scope:
        t = ops.convert_to_tensor(t, name="t")
        return op_util.make_tensor("L2Loss", [t], name=scope, attrs={"T": t.dtype.base_dtype})


def _move_axis_last(t, axis, rank):
    perm = [i for i in range(rank) if i != axis] + [axis]
    return array_ops.transpose(t, perm)


def _flatten_outer_dims(t):
    """``t`` reshaped to ``[-1, last_dim]``, built as TF builds it (Rank, Shape, Sub, Slice, concat,
    Reshape) so that the graph reads like TensorFlow's."""
    rank = array_ops.rank(t)
    last_dim = array_ops.slice(grad_util.shape(t), [math_ops.subtract(rank, 1)], [1])
    with ops.name_scope(None, "concat") as concat_scope:
        minus_one = constant_op.constant([-1], name="values_0")  # TF names list inputs values_<i>
        target = array_ops.concat([minus_one, last_dim], 0, name=concat_scope)
    out = array_ops.reshape(t, target)
    dims = t.shape.as_list() if t.shape.ndims is not None else None
    if dims is not None and None not in dims[:-1]:
        out.set_shape([int(np.prod(dims[:-1], dtype=np.int64)), dims[-1]])
    return out


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=-1, name=None, dim=None):
    """Softmax cross-entropy between `logits` and a probability distribution `labels` along `axis`;
    gradients flow into both.  Returns the per-example loss (the logits' shape without `axis`)."""
    if dim is not None:
        axis = dim
    with ops.name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = ops.convert_to_tensor(logits, name="logits")
        labels = ops.convert_to_tensor(labels, name="labels")
        if labels.dtype.base_dtype != logits.dtype.base_dtype:
            labels = array_ops.cast(labels, logits.dtype.base_dtype)
        rank = logits.shape.ndims
        if rank is None and axis != -1:
            raise ValueError(f"softmax_cross_entropy_with_logits along axis={axis} needs logits of known "
                             "rank (the default axis=-1 accepts any rank)")
        input_rank = array_ops.rank(logits)
        shape = logits.get_shape()
        axis = -1 if rank is None else (axis % rank if rank else 0)
        if rank is not None and axis != rank - 1:
            logits = _move_axis_last(logits, axis, rank)
            labels = _move_axis_last(labels, axis, rank)
        input_shape = grad_util.shape(logits)
        flat_logits = _flatten_outer_dims(logits)
        flat_labels = _flatten_outer_dims(labels)
        cost = op_util.make_op("SoftmaxCrossEntropyWithLogits", [flat_logits, flat_labels], name=scope,
                               attrs={"T": logits.dtype.base_dtype}).outputs[0]
        output_shape = array_ops.slice(input_shape, [0], [math_ops.subtract(input_rank, 1)])
        cost = array_ops.reshape(cost, output_shape)
        if rank is not None and axis == rank - 1:
            cost.set_shape(shape[:-1])
        return cost


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None, axis=None):
    """TF1's (deprecated) version: like the v2 op but no gradient flows into `labels`."""
    if _sentinel is not None:
        raise ValueError("Only call `softmax_cross_entropy_with_logits` with named arguments (labels=..., "
                         "logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    axis = dim if axis is None else axis
    with ops.name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis, name=scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Softmax cross-entropy with integer class `labels` of rank ``rank(logits) - 1``."""
    if _sentinel is not None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    with ops.name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = ops.convert_to_tensor(labels)
        logits = ops.convert_to_tensor(logits)
        labels_static_shape = labels.get_shape()
        labels_shape = grad_util.shape(labels)
        logits_shape = logits.get_shape()
        fully_defined = labels_static_shape.is_fully_defined() and logits_shape[:-1].is_fully_defined()
        if logits_shape.ndims == 0:
            raise ValueError(f"`logits` cannot be a scalar. Received logits={logits}`")
        if logits_shape.ndims is not None and labels_static_shape.ndims not in (None, logits_shape.ndims - 1):
            raise ValueError(
                "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                f"labels.shape={labels_static_shape} of rank {labels_static_shape.rank} and "
                f"logits.shape={logits_shape} of rank {logits_shape.rank}")
        if fully_defined and labels_static_shape != logits_shape[:-1]:
            raise ValueError("`labels.shape` must equal `logits.shape` except for the last dimension. "
                             f"Received: labels.shape={labels_static_shape} and logits.shape={logits_shape}")
        # TF names the op by `name` inside the scope: SparseSoftmaxCrossEntropyWithLogits/
        # SparseSoftmaxCrossEntropyWithLogits by default, loss/loss for name="loss".
        op_name = name or "SparseSoftmaxCrossEntropyWithLogits"
        if logits_shape.ndims == 2:
            return _sparse_xent_op(logits, labels, op_name)
        checks = [] if fully_defined else [
            check_ops.assert_equal(grad_util.shape(labels), grad_util.shape(logits)[:-1])]
        with ops.control_dependencies(checks):
            num_classes = grad_util.shape(logits)[array_ops.rank(logits) - 1]
            flat_logits = array_ops.reshape(logits, [-1, num_classes])
            flat_labels = array_ops.reshape(labels, [-1])
            cost = _sparse_xent_op(flat_logits, flat_labels, op_name)
            cost = array_ops.reshape(cost, labels_shape)
            cost.set_shape(labels_static_shape)
            return cost


def _sparse_xent_op(logits, labels, name):
    attrs = {"T": logits.dtype.base_dtype, "Tlabels": labels.dtype.base_dtype}
    return op_util.make_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], name=name,
                           attrs=attrs).outputs[0]


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """``max(x, 0) - x * z + log(1 + exp(-|x|))``: stable for large |logits|."""
    if _sentinel is not None:
        raise ValueError("Only call `sigmoid_cross_entropy_with_logits` with named arguments (labels=..., "
                         "logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    with ops.name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = ops.convert_to_tensor(logits, name="logits")
        labels = ops.convert_to_tensor(labels, name="labels")
        try:
            labels.get_shape().merge_with(logits.get_shape())
        except ValueError:
            raise ValueError("`logits` and `labels` must have the same shape, received "
                             f"({logits.get_shape()} vs {labels.get_shape()}).") from None
        zeros = array_ops.zeros_like(logits)
        cond = math_ops.greater_equal(logits, zeros)
        relu_logits = array_ops.where(cond, logits, zeros)
        neg_abs_logits = array_ops.where(cond, math_ops.negative(logits), logits)
        # operators, as TF writes it: the ops are named `mul` and `sub`, not `Mul` and `Sub`
        return math_ops.add(relu_logits - logits * labels, math_ops.log1p(math_ops.exp(neg_abs_logits)),
                            name=scope)


# --- gradients -------------------------------------------------------------------------------------


def _is_zeros(t):
    return t is None or t.op.type == "ZerosLike"


def _broadcast_mul(vec, mat):
    """``expand_dims(vec, -1) * mat``: a per-row scale (names as TF: ``ExpandDims``, ``mul``)."""
    return array_ops.expand_dims(vec, -1) * mat


@register_gradient("SoftmaxCrossEntropyWithLogits")
def _softmax_xent_grad(op, grad_loss, grad_backprop):
    logits = op.inputs[0]
    backprop = op.outputs[1]
    grad_logits = _broadcast_mul(grad_loss, backprop)
    if not _is_zeros(grad_backprop):
        # Through the backprop output (softmax - labels): the softmax Jacobian applied to grad_backprop.
        softmax = nn_ops.softmax(logits)
        inner = math_ops.reduce_sum(math_ops.multiply(grad_backprop, softmax), -1, keepdims=True)
        grad_logits = grad_logits + math_ops.multiply(math_ops.subtract(grad_backprop, inner), softmax)
    grad_labels = _broadcast_mul(grad_loss, -nn_ops.log_softmax(logits))
    if not _is_zeros(grad_backprop):
        grad_labels = grad_labels - grad_backprop
    return [grad_logits, grad_labels]


@register_gradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_softmax_xent_grad(op, grad_loss, grad_backprop):
    return [_broadcast_mul(grad_loss, op.outputs[1]), None]



@register_gradient("L2Loss")
def _l2_loss_grad(op, grad):
    return [math_ops.multiply(op.inputs[0], grad)]

