"""Index ops that gradients with run-time shapes need: ``UnsortedSegmentSum`` and ``InvertPermutation``.

Gradients whose shapes, ranks or axes are only known when the graph runs (a gather along a fed axis, a
transpose by a fed permutation) are built from these, as TensorFlow builds them.  Each op is a numpy
kernel, a static shape rule and its own gradient (or not-differentiable mark), registered under
TensorFlow's op type so the graphs import into TensorFlow.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, grad_util, math_ops
from engine.ops.op_util import dims, make_tensor, shape, shape_error

# --- UnsortedSegmentSum ------------------------------------------------------------------------------


def _infer_unsorted_segment_sum(op):
    data, segment_ids, num_segments = op.inputs
    dd, sd = dims(data), dims(segment_ids)
    n = tensor_util.constant_value(num_segments)
    n = None if n is None else int(n)
    if dd is None or sd is None:
        return [(data.dtype.base_dtype, _ts.unknown_shape())]
    clash = any(a is not None and b is not None and a != b for a, b in zip(dd, sd, strict=False))
    if len(sd) > len(dd) or clash:
        raise shape_error(op, "data.shape must start with segment_ids.shape")
    return [(data.dtype.base_dtype, shape((n,) + dd[len(sd) :]))]


def _unsorted_segment_sum_kernel(data, segment_ids, num_segments):
    """out[i] = sum of data[j...] over every j with segment_ids[j] == i; negative ids are dropped."""
    data, ids = np.asarray(data), np.asarray(segment_ids)
    n = int(num_segments)
    if data.shape[: ids.ndim] != ids.shape:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"data.shape = {list(data.shape)} does not start with segment_ids.shape = {list(ids.shape)}",
        )
    tail = data.shape[ids.ndim :]
    flat_ids = ids.reshape(-1)
    too_big = np.flatnonzero(flat_ids >= n)
    if too_big.size:
        i = int(too_big[0])
        message = f"segment_ids[{i}] = {flat_ids[i]} is out of range [0, {n})"
        raise errors.InvalidArgumentError(None, None, message)
    out = np.zeros((n,) + tail, dtype=data.dtype)
    keep = flat_ids >= 0
    np.add.at(out, flat_ids[keep], data.reshape((-1,) + tail)[keep])
    return out


registry.register_op(
    "UnsortedSegmentSum", infer=_infer_unsorted_segment_sum, kernel=_unsorted_segment_sum_kernel,
    inputs=("data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"),
    allowed={"T": groups.NUMBER_TYPES, "Tindices": groups.INT16_INDEX_TYPES,
             "Tnumsegments": groups.INDEX_TYPES},
)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """``tf.math.unsorted_segment_sum``: sums the rows of `data` into `num_segments` segments."""
    with ops.name_scope(name, "UnsortedSegmentSum", [data, segment_ids, num_segments]) as scope:
        data = ops.convert_to_tensor(data, name="data")
        segment_ids = ops.convert_to_tensor(segment_ids, name="segment_ids")
        num_segments = ops.convert_to_tensor(
            num_segments, dtype=segment_ids.dtype.base_dtype, name="num_segments"
        )
        return make_tensor(
            "UnsortedSegmentSum",
            [data, segment_ids, num_segments],
            name=scope,
            attrs={
                "T": data.dtype.base_dtype,
                "Tindices": segment_ids.dtype.base_dtype,
                "Tnumsegments": num_segments.dtype.base_dtype,
            },
        )


def _gather_drop_negatives(params, ids):
    """``gather(params, ids)`` with zero rows where an id is negative (the rows the sum dropped)."""
    gathered = array_ops.gather(params, math_ops.maximum(ids, 0))
    keep = math_ops.greater_equal(ids, 0)
    # The mask gets shape ids.shape + [1] * (rank(gathered) - rank(ids)), so it broadcasts over rows.
    gd, idd = dims(gathered), dims(ids)
    if gd is not None and idd is not None:
        ones = np.ones([len(gd) - len(idd)], np.int32)
    else:
        extra = math_ops.subtract(array_ops.rank(gathered), array_ops.rank(ids))
        ones = array_ops.ones(array_ops.expand_dims(extra, 0), dtypes.int32)
    mask_shape = array_ops.concat([grad_util.shape(ids), ones], 0)
    keep = array_ops.reshape(keep, mask_shape)
    return array_ops.where_v2(keep, gathered, array_ops.zeros_like(gathered))


@registry.register_gradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, grad):
    return [_gather_drop_negatives(grad, op.inputs[1]), None, None]


# --- InvertPermutation -------------------------------------------------------------------------------


def _invert_permutation_kernel(x):
    x = np.asarray(x)
    n = x.size
    if x.ndim != 1 or sorted(x.tolist()) != list(range(n)):
        raise errors.InvalidArgumentError(None, None, f"{x.tolist()} is not a permutation of 0..{n - 1}")
    out = np.empty_like(x)
    out[x] = np.arange(n, dtype=x.dtype)
    return out


registry.register_op(
    "InvertPermutation",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    kernel=_invert_permutation_kernel,
    inputs=("x: T",),
    allowed={"T": groups.INDEX_TYPES},
)
registry.register_not_differentiable("InvertPermutation")


def invert_permutation(x, name=None):
    """``tf.math.invert_permutation``: y[x[i]] = i."""
    with ops.name_scope(name, "InvertPermutation", [x]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        return make_tensor("InvertPermutation", [x], name=scope, attrs={"T": x.dtype.base_dtype})
