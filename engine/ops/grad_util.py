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
