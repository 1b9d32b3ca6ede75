"""Range and LinSpace (``tf.range``, ``tf.linspace``): kernels, shape rules and wrappers; not
differentiable, as in TF."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_not_differentiable
from engine.ops import array_ops
from engine.ops.math_ops.arithmetic import _truediv_float
from engine.ops.op_util import (
    make_tensor,
    shape_error,
)

_convert = ops.convert_to_tensor


def _infer_range(op):
    start, limit, delta = (tensor_util.constant_value(t) for t in op.inputs)
    dtype = op.inputs[0].dtype.base_dtype
    if start is None or limit is None or delta is None:
        return [(dtype, _ts.TensorShape([None]))]
    if delta == 0:
        raise shape_error(op, "Requires delta != 0")
    n = (
        int(np.ceil((float(limit) - float(start)) / float(delta)))
        if dtype.is_floating
        else int(np.ceil((int(limit) - int(start)) / int(delta)))
    )
    return [(dtype, _ts.TensorShape([max(n, 0)]))]


def _range_kernel(start, limit, delta):
    if delta == 0:
        raise errors.InvalidArgumentError(None, None, "Requires delta != 0: 0")
    dt = np.asarray(start).dtype
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Requires start <= limit when delta > 0: {start}/{limit}"
            if delta > 0
            else f"Requires start >= limit when delta < 0: {start}/{limit}",
        )
    return np.arange(start, limit, delta, dtype=dt)


registry.register_op("Range", infer=_infer_range, kernel=_range_kernel,
                     inputs=("start: Tidx", "limit: Tidx", "delta: Tidx"),
                     allowed={"Tidx": groups.RANGE_TYPES})

_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """[start, limit) in steps of delta; `range(n)` counts from 0.  dtype inferred int32 < int64 < float."""
    if limit is None:
        start, limit = 0, start
    with ops.name_scope(name, "Range", [start, limit, delta]) as scope:
        start = start if isinstance(start, ops.Tensor) else _convert(start, dtype=dtype, name="start")
        limit = limit if isinstance(limit, ops.Tensor) else _convert(limit, dtype=dtype, name="limit")
        delta = delta if isinstance(delta, ops.Tensor) else _convert(delta, dtype=dtype, name="delta")
        if dtype is None:
            inferred = max((t.dtype.base_dtype for t in (start, limit, delta)), key=_RANGE_DTYPES.index)
            start, limit, delta = (array_ops.cast(t, inferred) for t in (start, limit, delta))
        return make_tensor("Range", [start, limit, delta], name=scope, attrs={"Tidx": start.dtype.base_dtype})


def _infer_linspace(op):
    start, stop, num = op.inputs
    n = tensor_util.constant_value(num)
    return [(start.dtype.base_dtype, _ts.TensorShape([None if n is None else int(n)]))]


def _linspace_kernel(start, stop, num):
    num = int(num)
    if num <= 0:
        raise errors.InvalidArgumentError(None, None, f"Requires num > 0: {num}")
    return np.linspace(start, stop, num, dtype=np.asarray(start).dtype)


registry.register_op("LinSpace", infer=_infer_linspace, kernel=_linspace_kernel,
                     inputs=("start: T", "stop: T", "num: Tidx"),
                     allowed={"T": groups.UNARY_REAL, "Tidx": groups.INDEX_TYPES})


def linspace(start, stop, num, name=None):
    """`num` evenly spaced values from start to stop inclusive (op LinSpace; integers as TF's truediv casts
    them, to float64 for int32)."""
    with ops.name_scope(name, "LinSpace", [start, stop, num]) as scope:
        start = _convert(start, name="start")
        stop = _convert(stop, dtype=start.dtype.base_dtype, name="stop")
        num = _convert(num, dtype=dtypes.int32, name="num")
        target = _truediv_float(start.dtype.base_dtype)  # TF's linspace divides: integers give floats
        if target is not None:
            start, stop = array_ops.cast(start, target), array_ops.cast(stop, target)
        return make_tensor(
            "LinSpace", [start, stop, num], name=scope, attrs={"T": start.dtype.base_dtype, "Tidx": num.dtype}
        )


lin_space = linspace


register_not_differentiable("Range")
register_not_differentiable("LinSpace")
