"""Small graph-building helpers shared by the gradient modules."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.ops import array_ops, constant_op, math_ops, op_util


def shape(x, name=None):
    """``tf.shape(x)`` with TF's graph-mode optimisation: a Const when x's shape is fully known,
    else a ``Shape`` op."""
    d = x.shape._as_tuple()
    if d is not None and None not in d:
        return constant_op.constant(np.array(d, np.int32), name=name or "Shape")
    return op_util.make_tensor("Shape", [x], name=name or "Shape",
                               attrs={"T": x.dtype.base_dtype, "out_type": dtypes.int32})


def shape_internal(x, name=None):
    """``array_ops.shape_internal(x, optimize=False)``: always a ``Shape`` op, so the shape is read when the
    graph runs (in the loop iteration or cond branch the op belongs to)."""
    return op_util.make_tensor("Shape", [x], name=name or "Shape",
                               attrs={"T": x.dtype.base_dtype, "out_type": dtypes.int32})


def size(x, name=None):
    """``tf.size(x)`` (int32), a Const when x's shape is fully known."""
    d = x.shape._as_tuple()
    if d is not None and None not in d:
        return constant_op.constant(np.int32(np.prod(d, dtype=np.int64)), name=name or "Size")
    return op_util.make_tensor("Size", [x], name=name or "Size",
                               attrs={"T": x.dtype.base_dtype, "out_type": dtypes.int32})


def as_int32(t):
    """`t` as an int32 tensor (shapes, axes and indices arrive as int32 or int64)."""
    t = ops.convert_to_tensor(t)
    return t if t.dtype.base_dtype == dtypes.int32 else array_ops.cast(t, dtypes.int32)


def iota(start, limit):
    """The int32 vector [start, limit): a Const when both ends are Python ints, else a ``Range`` op."""
    if isinstance(start, int) and isinstance(limit, int):
        return constant_op.constant(np.arange(start, limit, dtype=np.int32), name="Const")
    return math_ops.range(start, limit)


def reduced_shape(input_shape, axes):
    """`input_shape` with every (possibly negative) axis in `axes` set to 1, computed at run time.

    TensorFlow's ``math_ops.reduced_shape``: the shape a reduction's output has with ``keep_dims``, for
    reshaping its gradient when the input's rank or the axes are only known when the graph runs.
    TensorFlow builds it with ``DynamicStitch``; here it is a mask of reduced positions
    (``Equal``/``Any``) and a ``SelectV2``, so it needs no op type of its own."""
    input_shape = as_int32(input_shape)
    rank = size(input_shape)
    # floormod by max(rank, 1): a scalar input has rank 0 and no axes, and FloorMod refuses a zero divisor.
    axes = math_ops.floormod(as_int32(axes), math_ops.maximum(rank, 1))
    positions = array_ops.expand_dims(iota(0, rank), 1)  # [rank, 1]
    hits = math_ops.equal(positions, array_ops.reshape(axes, [1, -1]))  # [rank, number of axes]
    is_reduced = math_ops.reduce_any(hits, 1)
    return array_ops.where_v2(is_reduced, array_ops.ones_like(input_shape), input_shape)


# --- broadcasting ------------------------------------------------------------------------------------


def static_dims(t):
    """The static shape of `t` as a tuple (None entries for unknown dims), or None for unknown rank."""
    return t.shape._as_tuple()


def shapes_static_and_equal(*tensors):
    """True when every tensor has the same fully known shape (then no broadcasting happened)."""
    first = static_dims(tensors[0])
    return first is not None and None not in first and all(static_dims(t) == first for t in tensors[1:])


def _infer_reduction_axes(x_shape, y_shape):
    """Axes along which x and y were broadcast, decided from static shapes; (None, None) when an unknown
    dim makes it a run-time question."""
    if x_shape is None or y_shape is None:
        return None, None
    n = max(len(x_shape), len(y_shape))
    x_full = (1,) * (n - len(x_shape)) + tuple(x_shape)
    y_full = (1,) * (n - len(y_shape)) + tuple(y_shape)
    x_axes, y_axes = [], []
    for axis, (xd, yd) in enumerate(zip(x_full, y_full, strict=True)):
        if xd == 1 and yd != 1:
            x_axes.append(axis)
        elif yd == 1 and xd != 1:
            y_axes.append(axis)
        elif xd is None or yd is None:
            return None, None
    return x_axes, y_axes


def unbroadcast(op, gx, gy):
    """Sums the gradients `gx`, `gy` of a broadcasting binary op back to the shapes of its two inputs.

    The one place broadcasting is undone.  Like TensorFlow it adds ``Shape``/``Shape_1`` (Consts when
    the shapes are known), decides the reduction axes statically when it can and only otherwise adds
    ``BroadcastGradientArgs``; a gradient is reduced (``Sum`` with keepdims, then ``Reshape``) only when
    its input was actually broadcast.
    """
    if gx is None and gy is None:
        return [gx, gy]
    x, y = op.inputs[0], op.inputs[1]
    sx = shape(x)
    sy = shape(y)
    rx, ry = _infer_reduction_axes(static_dims(x), static_dims(y))
    if rx is None:
        rx, ry = array_ops.broadcast_gradient_args(sx, sy)
        reduce_x = reduce_y = True
    else:
        reduce_x = bool(rx) or len(static_dims(x)) < len(static_dims(y))
        reduce_y = bool(ry) or len(static_dims(y)) < len(static_dims(x))
    if gx is not None and reduce_x:
        gx = array_ops.reshape(math_ops.reduce_sum(gx, rx, keepdims=True), sx)
    if gy is not None and reduce_y:
        gy = array_ops.reshape(math_ops.reduce_sum(gy, ry, keepdims=True), sy)
    return [gx, gy]


class Inputs:
    """A view of some of an op's inputs, for `unbroadcast` over ops with more than two operands."""

    def __init__(self, *inputs):
        self.inputs = inputs



def static_shape_or_tensor(x):
    """x's shape as a Python list when static, else a Shape tensor."""
    d = static_dims(x)
    if d is not None and None not in d:
        return list(d)
    return shape(x)
