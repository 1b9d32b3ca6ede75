"""RaggedRange (``tf.ragged.range``): row i holds ``range(starts[i], limits[i], deltas[i])``, scalars
broadcast. Kernel, shape rule, registration and wrapper; TF gives it no gradient."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_not_differentiable
from engine.ops import array_ops
from engine.ops.op_util import dims, make_op
from engine.ragged.ragged_tensor import RaggedTensor


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _compile_range(op, runtime):
    splits_dtype = dtypes.as_dtype(op.get_attr("Tsplits")).as_numpy_dtype

    def kernel(starts, limits, deltas):
        parts = [np.asarray(x) for x in (starts, limits, deltas)]
        for name, x in zip(("starts", "limits", "deltas"), parts, strict=True):
            if x.ndim > 1:
                raise _invalid(f"{name} must be a scalar or vector")
        sizes = {x.shape[0] for x in parts if x.ndim == 1}
        if len(sizes) > 1:
            raise _invalid("starts, limits, and deltas must have the same shape")
        nrows = sizes.pop() if sizes else 1
        starts, limits, deltas = (np.broadcast_to(x, (nrows,)) for x in parts)
        rows = []
        for start, limit, delta in zip(starts, limits, deltas, strict=True):
            if delta == 0:
                raise _invalid("Requires delta != 0")
            if (delta > 0 and limit < start) or (delta < 0 and limit > start):
                size = 0
            elif np.issubdtype(starts.dtype, np.integer):
                size = (abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta))
            else:
                size = int(np.ceil(np.abs((limit - start) / delta)))
            rows.append(start + np.arange(size, dtype=starts.dtype) * delta)
        splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(splits_dtype)
        values = np.concatenate(rows).astype(starts.dtype) if rows else np.zeros(0, starts.dtype)
        return splits, values

    return kernel


def _infer_range(op):
    shapes = [dims(t) for t in op.inputs]
    nrows = None
    if all(d is not None for d in shapes):
        for d in shapes:
            if len(d) > 1:
                raise ValueError(f"Shape must be at most rank 1 but is rank {len(d)}")
        vectors = [d[0] for d in shapes if len(d) == 1]
        nrows = 1 if not vectors else next((n for n in vectors if n is not None), None)
    splits = _ts.TensorShape([None if nrows is None else nrows + 1])
    return [
        (dtypes.as_dtype(op.get_attr("Tsplits")), splits),
        (op.inputs[0].dtype.base_dtype, _ts.TensorShape([None])),
    ]


registry.register_op(
    "RaggedRange",
    compile=_compile_range,
    infer=_infer_range,
    fresh=True,
    attrs={"Tsplits": dtypes.int64},
    inputs=("starts: T", "limits: T", "deltas: T"),
    allowed={"T": ("bfloat16", "float32", "float64", "int32", "int64")},
)
register_not_differentiable("RaggedRange")

_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(starts, limits=None, deltas=1, dtype=None, name=None, row_splits_dtype=dtypes.int64):  # noqa: A001
    """``tf.ragged.range``: one row per element of `starts`, `limits` and `deltas` (scalars broadcast);
    with only `starts`, the rows count from 0 to it."""
    row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
    if limits is None:
        starts, limits = 0, starts
    with ops.name_scope(name, "RaggedRange", [starts, limits, deltas]) as scope:
        starts = ops.convert_to_tensor(starts, dtype=dtype, name="starts")
        limits = ops.convert_to_tensor(limits, dtype=dtype, name="limits")
        deltas = ops.convert_to_tensor(deltas, dtype=dtype, name="deltas")
        if dtype is None:
            inferred = max((t.dtype for t in (starts, limits, deltas)), key=_RANGE_DTYPES.index)
            starts, limits, deltas = (array_ops.cast(t, inferred) for t in (starts, limits, deltas))
        splits, values = make_op(
            "RaggedRange",
            [starts, limits, deltas],
            name=scope,
            attrs={"T": starts.dtype.base_dtype, "Tsplits": row_splits_dtype},
        ).outputs
        return RaggedTensor.from_row_splits(values, splits, validate=False)
