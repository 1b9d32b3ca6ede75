"""Select, SelectV2 and Where (``tf.where``): kernels, shape rules, wrappers and gradients.  Where (the
coordinates of true elements) has no gradient in TF."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, grad_util
from engine.ops.op_util import dims, make_tensor, merge_dims, shape

_convert = ops.convert_to_tensor


def _infer_select(op):
    c, x, y = op.inputs
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(
            f"Input 'e' of 'Select' Op has type {y.dtype.base_dtype.name} that does not match type "
            f"{x.dtype.base_dtype.name} of argument 't'."
        )
    # TF's Select shape function: t and e merge; cond is a scalar, a vector over t's first dimension,
    # or t's whole shape.
    data = merge_dims(op, dims(x), dims(y))
    cond = dims(c)
    if cond is None or data is None or len(cond) == 0:
        return [(x.dtype.base_dtype, _ts.from_tuple(data))]
    if len(cond) != 1 or len(data) == 0:
        data = merge_dims(op, data, cond)
    else:
        merge_dims(op, cond, (data[0],))
    return [(x.dtype.base_dtype, _ts.from_tuple(data))]


def _select_kernel(c, x, y):
    c = np.asarray(c)
    x = np.asarray(x)
    if c.ndim == 1 and x.ndim > 1:
        c = c.reshape((-1,) + (1,) * (x.ndim - 1))
    return np.where(c, x, y)


registry.register_op("Select", infer=_infer_select, kernel=_select_kernel)


def _infer_select_v2(op):
    from engine.ops.op_util import broadcast_dims

    c, x, y = op.inputs
    out = broadcast_dims(op, broadcast_dims(op, dims(c), dims(x)), dims(y))
    return [(x.dtype.base_dtype, shape(out))]


registry.register_op("SelectV2", infer=_infer_select_v2, kernel=np.where)
registry.register_op(
    "Where",
    infer=lambda op: [
        (
            dtypes.int64,
            _ts.TensorShape([None, op.inputs[0].shape.ndims])
            if op.inputs[0].shape.ndims is not None
            else _ts.unknown_shape(2),
        )
    ],
    kernel=lambda c: np.argwhere(c).astype(np.int64),
    inputs=("input: T",),
    allowed={"T": groups.WHERE_TYPES},
)


def where(condition, x=None, y=None, name=None):
    """TF1 `tf.where`: coordinates of true elements, or a Select between `x` and `y`."""
    if x is None and y is None:
        with ops.name_scope(name, "Where", [condition]) as scope:
            condition = _convert(condition, name="condition")  # any number type: its non-zero elements
            return make_tensor("Where", [condition], name=scope, attrs={"T": condition.dtype.base_dtype})
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = _convert(condition, dtype=dtypes.bool, name="condition")
    x = _convert(x, name="x")
    y = _convert(y, dtype=x.dtype.base_dtype, name="y")
    with ops.name_scope(name, "Select", [condition, x, y]) as scope:  # as TF's op wrapper: a value a loop's
        # gradient keeps for it is named in its scope
        return make_tensor("Select", [condition, x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def where_v2(condition, x=None, y=None, name=None):
    if x is None and y is None:
        return where(condition, name=name)
    with ops.name_scope(name, "SelectV2", [condition, x, y]) as scope:
        condition = _convert(condition, dtype=dtypes.bool, name="condition")
        x = _convert(x, name="x")
        y = _convert(y, dtype=x.dtype.base_dtype, name="y")
        return make_tensor("SelectV2", [condition, x, y], name=scope, attrs={"T": x.dtype.base_dtype})

# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Select")
def _select_grad(op, grad):
    cond = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    return [None, array_ops.where(cond, grad, zeros), array_ops.where(cond, zeros, grad)]


@register_gradient("SelectV2")
def _select_v2_grad(op, grad):
    cond = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    gx = array_ops.where_v2(cond, grad, zeros)
    gy = array_ops.where_v2(cond, zeros, grad)

    return [None] + grad_util.unbroadcast(grad_util.Inputs(op.inputs[1], op.inputs[2]), gx, gy)

