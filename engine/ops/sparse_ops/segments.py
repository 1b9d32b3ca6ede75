"""Segment reductions over selected rows: SparseSegmentSum / Mean / SqrtN (`tf.sparse.segment_sum`, ...)
and their gradient ops SparseSegment{Sum,Mean,SqrtN}Grad; `tf.nn.embedding_lookup_sparse` combines
embeddings with them."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops
from engine.ops.op_util import dims, make_tensor

_FLOATS = ("bfloat16", "float16", "float32", "float64")


def _segment_scale(kind, segment_ids, n):
    """Per-segment factor: 1 (sum), 1/count (mean) or 1/sqrt(count) (sqrtn); empty segments give 1."""
    counts = np.bincount(segment_ids, minlength=n)[:n].astype(np.float64)
    counts = np.maximum(counts, 1)
    return {"sum": np.ones(n), "mean": 1.0 / counts, "sqrtn": 1.0 / np.sqrt(counts)}[kind]


def _check_segments(indices, segment_ids, rows):
    if indices.shape != segment_ids.shape:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"segment_ids and indices should have same size. segment_ids shape: "
            f"[{','.join(map(str, segment_ids.shape))}] indices shape: [{','.join(map(str, indices.shape))}]",
        )
    if len(segment_ids) and ((np.diff(segment_ids) < 0).any() or segment_ids[0] < 0):
        raise errors.InvalidArgumentError(None, None, "segment ids are not increasing")
    bad = (indices < 0) | (indices >= rows)
    if bad.any():
        i = int(np.argmax(bad))
        raise errors.InvalidArgumentError(
            None, None, f"Bad: indices[{i}] == {int(indices[i])} out of range [0, {rows})"
        )


def _segment_kernel(kind):
    def kernel(data, indices, segment_ids, num_segments=None):
        data = np.asarray(data)
        indices, segment_ids = np.asarray(indices, np.int64), np.asarray(segment_ids, np.int64)
        if num_segments is None:
            n = int(segment_ids[-1]) + 1 if len(segment_ids) else 0
        else:  # the *WithNumSegments ops: an output row per segment, empty ones zero
            n = int(num_segments)
            if len(segment_ids) and int(segment_ids.max()) >= n:
                raise errors.InvalidArgumentError(None, None, "segment ids must be < num_segments")
        _check_segments(indices, segment_ids, data.shape[0])
        out = np.zeros((n,) + data.shape[1:], data.dtype)
        np.add.at(out, segment_ids, data[indices])
        if kind != "sum":
            scale = _segment_scale(kind, segment_ids, n).astype(data.dtype)
            out *= scale.reshape((n,) + (1,) * (data.ndim - 1))
        return out

    return kernel


def _infer_segment(op):
    data = op.inputs[0]
    d = dims(data)
    if d is None:
        return [(data.dtype.base_dtype, _ts.unknown_shape())]
    rows = tensor_util.constant_value(op.inputs[3]) if len(op.inputs) == 4 else None
    return [(data.dtype.base_dtype, _ts.TensorShape([None if rows is None else int(rows)] + list(d[1:])))]


def _segment_grad_kernel(kind):
    def kernel(grad, indices, segment_ids, output_dim0):
        grad = np.asarray(grad)
        indices, segment_ids = np.asarray(indices, np.int64), np.asarray(segment_ids, np.int64)
        rows = int(output_dim0)
        _check_segments(indices, segment_ids, rows)
        n = grad.shape[0]
        scale = _segment_scale(kind, segment_ids, n).astype(grad.dtype)
        scaled = grad * scale.reshape((n,) + (1,) * (grad.ndim - 1))
        out = np.zeros((rows,) + grad.shape[1:], grad.dtype)
        np.add.at(out, indices, scaled[segment_ids])
        return out

    return kernel


def _infer_segment_grad(op):
    grad, _, _, output_dim0 = op.inputs
    d = dims(grad)
    rows = tensor_util.constant_value(output_dim0)
    first = None if rows is None else int(rows)
    if d is None:
        return [(grad.dtype.base_dtype, _ts.unknown_shape())]
    return [(grad.dtype.base_dtype, _ts.TensorShape([first] + list(d[1:])))]


_SEGMENT_ATTRS = {"Tidx": dtypes.int32, "Tsegmentids": dtypes.int32, "sparse_gradient": False}
for _kind, _op_type, _allowed in (
    ("sum", "SparseSegmentSum", groups.REAL_NUMBER_TYPES),
    ("mean", "SparseSegmentMean", _FLOATS),
    ("sqrtn", "SparseSegmentSqrtN", _FLOATS),
):
    registry.register_op(
        _op_type,
        infer=_infer_segment,
        kernel=_segment_kernel(_kind),
        fresh=True,
        attrs=dict(_SEGMENT_ATTRS),
        inputs=("data: T", "indices: Tidx", "segment_ids: Tsegmentids"),
        allowed={"T": _allowed, "Tidx": ("int32", "int64"), "Tsegmentids": ("int32", "int64")},
    )
    registry.register_op(
        _op_type + "WithNumSegments",
        infer=_infer_segment,
        kernel=_segment_kernel(_kind),
        fresh=True,
        attrs={**_SEGMENT_ATTRS, "Tnumsegments": dtypes.int32},
        inputs=("data: T", "indices: Tidx", "segment_ids: Tsegmentids", "num_segments: Tnumsegments"),
        allowed={"T": _allowed, "Tidx": ("int32", "int64"), "Tsegmentids": ("int32", "int64"),
                 "Tnumsegments": ("int32", "int64")},
    )
    registry.register_op(
        _op_type + "Grad",
        infer=_infer_segment_grad,
        kernel=_segment_grad_kernel(_kind),
        fresh=True,
        attrs={"Tidx": dtypes.int32, "Tsegmentids": dtypes.int32},
        inputs=("grad: T", "indices: Tidx", "segment_ids: Tsegmentids", "output_dim0"),
        allowed={"T": _FLOATS, "Tidx": ("int32", "int64"), "Tsegmentids": ("int32", "int64")},
    )


def _segment_op(op_type, data, indices, segment_ids, name, num_segments, sparse_gradient):
    """The op, or its *WithNumSegments form (`num_segments` output rows) when `num_segments` is given."""
    if num_segments is not None:
        op_type += "WithNumSegments"
    with ops.name_scope(name, op_type, [data, indices, segment_ids]) as scope:
        data = ops.convert_to_tensor(data, name="data")
        indices = ops.convert_to_tensor(indices, name="indices")
        segment_ids = ops.convert_to_tensor(segment_ids, name="segment_ids")
        inputs = [data, indices, segment_ids]
        attrs = {"T": data.dtype.base_dtype, "Tidx": indices.dtype.base_dtype,
                 "Tsegmentids": segment_ids.dtype.base_dtype, "sparse_gradient": bool(sparse_gradient)}
        if num_segments is not None:
            inputs.append(ops.convert_to_tensor(num_segments, name="num_segments"))
            attrs["Tnumsegments"] = inputs[-1].dtype.base_dtype
        return make_tensor(op_type, inputs, name=scope, attrs=attrs)


def sparse_segment_sum(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """``tf.sparse.segment_sum``: ``out[s] = sum of data[indices[i]]`` over the i with segment_ids[i] == s.
    `sparse_gradient` is recorded; the gradient is always dense here (the engine has no IndexedSlices)."""
    return _segment_op("SparseSegmentSum", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_mean(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """``tf.sparse.segment_mean``: the segment sums divided by the segments' sizes."""
    return _segment_op("SparseSegmentMean", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_sqrt_n(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """``tf.sparse.segment_sqrt_n``: the segment sums divided by the square roots of their sizes."""
    return _segment_op("SparseSegmentSqrtN", data, indices, segment_ids, name, num_segments, sparse_gradient)


def _make_segment_grad(op_type):
    def grad_fn(op, grad):
        dim0 = array_ops.shape_v1(op.inputs[0])[0]
        out = make_tensor(
            op_type + "Grad",
            [grad, op.inputs[1], op.inputs[2], dim0],
            name=op_type + "Grad",
            attrs={
                "T": grad.dtype.base_dtype,
                "Tidx": op.inputs[1].dtype.base_dtype,
                "Tsegmentids": op.inputs[2].dtype.base_dtype,
            },
        )
        return (out,) + (None,) * (len(op.inputs) - 1)  # none for indices, ids (and num_segments)

    return grad_fn


for _op_type in ("SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN"):
    register_gradient(_op_type)(_make_segment_grad(_op_type))
    register_gradient(_op_type + "WithNumSegments")(_make_segment_grad(_op_type))
