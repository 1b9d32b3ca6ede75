"""Sorting and searching sorted rows: ``tf.sort`` and ``tf.argsort`` (TopKV2 on flipped values, as TF builds
them), LowerBound and UpperBound (``tf.searchsorted``; TF gives them no gradient): kernels, shape rules,
registrations and wrappers."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops
from engine.ops.constant_op import constant
from engine.ops.op_util import dims, make_tensor, shape, shape_error
from engine.ops.top_k_ops import top_k

_DIRECTIONS = ("ASCENDING", "DESCENDING")


def _flip(values):
    """An order-reversing map of the values: max - x for unsigned ints, -x - 1 for signed ones (no overflow),
    -x for floats (TF's _flip_sort_values)."""
    dtype = values.dtype.base_dtype
    if dtype.is_unsigned:
        return constant(dtype.max, dtype=dtype) - values
    if dtype.is_integer:
        return -values - constant(1, dtype=dtype)
    return -values


def _sort_or_argsort(values, axis, direction, return_argsort):
    if direction not in _DIRECTIONS:
        raise ValueError(f"Argument `direction` should be one of {', '.join(_DIRECTIONS)}. "
                         f"Received: direction={direction}")
    axis = int(axis)
    values = ops.convert_to_tensor(values, name="values")
    if direction == "ASCENDING":
        values = _flip(values)
    rank = values.shape.ndims
    last = axis == -1 or (rank is not None and axis == rank - 1)
    if not last:
        if rank is None:
            raise ValueError(f"axis {axis} needs the static rank of the values (unknown)")
        if not -rank <= axis < rank:
            raise ValueError(f"slice index {axis} of dimension 0 out of bounds.")
        axis %= rank
        perm = list(range(rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        values = array_ops.transpose(values, perm)
    n = dims(values)
    # TF slices k from the shape and its shape function reads it as a constant when known: so do we.
    k = n[-1] if n and n[-1] is not None else array_ops.shape_v1(values)[-1]
    top_values, indices = top_k(values, k)
    result = indices if return_argsort else top_values
    if not last:
        result = array_ops.transpose(result, perm)
    if direction == "ASCENDING" and not return_argsort:
        result = _flip(result)
    return result


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``tf.sort``: `values` sorted along `axis`."""
    with ops.name_scope(name, "sort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=False)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """``tf.argsort``: the indices that sort `values` along `axis` (int32). Always stable: equal values keep
    their order, as TF's TopKV2 gives them (`stable` is accepted, as TF)."""
    del stable  # TopKV2 orders ties by index, so every argsort here is stable
    with ops.name_scope(name, "argsort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=True)


def _compile_bound(op, runtime):
    side = "left" if op.type == "LowerBound" else "right"
    out_type = dtypes.as_dtype(op.get_attr("out_type")).as_numpy_dtype

    def kernel(sorted_inputs, values):
        sorted_inputs, values = np.asarray(sorted_inputs), np.asarray(values)
        if sorted_inputs.shape[0] != values.shape[0]:
            raise errors.InvalidArgumentError(None, None, "Leading dim_size of both tensors must match.")
        out = np.empty(values.shape, out_type)
        for r in range(values.shape[0]):
            out[r] = np.searchsorted(sorted_inputs[r], values[r], side=side)
        return out

    return kernel


def _infer_bound(op):
    sorted_inputs, values = op.inputs
    for t in (sorted_inputs, values):
        d = dims(t)
        if d is not None and len(d) < 1:
            raise shape_error(op, f"Shape must be at least rank 1 but is rank {len(d)}")
    vd = dims(values)
    out_type = dtypes.as_dtype(op.get_attr("out_type"))
    return [(out_type, _ts.unknown_shape() if vd is None else shape(vd))]


for _op_type in ("LowerBound", "UpperBound"):
    registry.register_op(_op_type, infer=_infer_bound, compile=_compile_bound,
                         attrs={"out_type": dtypes.int32})


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """``tf.searchsorted``: for each value, the index in its row of `sorted_sequence` where it would be
    inserted to keep the row sorted (before equal entries for ``side='left'``, after them for 'right')."""
    sorted_sequence = ops.convert_to_tensor(sorted_sequence)
    values = ops.convert_to_tensor(values, dtype=sorted_sequence.dtype.base_dtype)
    sequence_size = array_ops.shape_v1(sorted_sequence)[-1]
    values_size = array_ops.shape_v1(values)[-1]
    sorted_2d = array_ops.reshape(sorted_sequence, array_ops.stack([-1, sequence_size]))
    values_2d = array_ops.reshape(values, array_ops.stack([-1, values_size]))
    if side == "right":
        op_type = "UpperBound"
    elif side == "left":
        op_type = "LowerBound"
    else:
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: `side` = '{side}'.")
    output = make_tensor(op_type, [sorted_2d, values_2d], name=name or op_type,
                         attrs={"T": sorted_2d.dtype.base_dtype, "out_type": dtypes.as_dtype(out_type)})
    return array_ops.reshape(output, array_ops.shape_v1(values))


