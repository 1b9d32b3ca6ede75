"""Small graph-building helpers shared by the gradient modules."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes
from engine.ops import constant_op, op_util


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

