"""``tf.concat`` and ``tf.stack`` of RaggedTensors (dispatched by engine/ragged/dispatch.py) and
``tf.ragged.stack``, as TF's ragged_concat_ops build them: along axis 0 the flat values and each level's
splits are joined (the later splits shifted by the earlier values); along axis 1 the rows are joined
that way and then interleaved with a RaggedGather; deeper axes recurse through the values, the outer
splits checked equal."""

from __future__ import annotations

from engine.framework import ops
from engine.ops import array_ops, check_ops, math_ops
from engine.ragged.ragged_gather import gather
from engine.ragged.ragged_tensor import (
    RaggedTensor,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
    match_row_splits_dtypes,
    positive_axis,
)


def concat(values, axis, name=None):
    """``tf.concat`` of a list holding RaggedTensors: one RaggedTensor, joined along `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    with ops.name_scope(name, "RaggedConcat", values):
        return _stack_concat(values, axis, stack_values=False)


def stack(values, axis=0, name=None):
    """``tf.ragged.stack`` (and ``tf.stack`` of RaggedTensors): the inputs joined along a new `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    with ops.name_scope(name, "RaggedConcat", values):
        return _stack_concat(values, axis, stack_values=True)


def _stack_concat(rt_inputs, axis, stack_values):
    if not rt_inputs:
        raise ValueError("rt_inputs may not be empty.")
    rt_inputs = [convert_to_tensor_or_ragged_tensor(rt, name="rt_input") for rt in rt_inputs]
    splits_dtype, _ = match_row_splits_dtypes(*rt_inputs)
    if len(rt_inputs) == 1 and not stack_values:
        return rt_inputs[0]
    ndims = rt_inputs[0].shape.ndims
    for rt in rt_inputs[1:]:
        if ndims is None:
            ndims = rt.shape.ndims
        else:
            rt.shape.assert_has_rank(ndims)
    out_ndims = ndims if (ndims is None or not stack_values) else ndims + 1
    axis = positive_axis(axis, out_ndims)
    if stack_values and ndims == 1 and axis == 0:
        return RaggedTensor.from_row_lengths(
            values=array_ops.concat(rt_inputs, axis=0),
            row_lengths=array_ops.concat([array_ops.shape_v1(r) for r in rt_inputs], axis=0),
        )
    if (
        all(not is_ragged(rt) for rt in rt_inputs)
        and ndims is not None
        and axis in (out_ndims - 1, ndims - 1)
    ):
        return array_ops.stack(rt_inputs, axis) if stack_values else array_ops.concat(rt_inputs, axis)
    rt_inputs = [
        rt if is_ragged(rt) else RaggedTensor.from_tensor(rt, ragged_rank=1, row_splits_dtype=splits_dtype)
        for rt in rt_inputs
    ]
    ragged_rank = max(max(rt.ragged_rank for rt in rt_inputs), 1)
    rt_inputs = [_increase_ragged_rank_to(rt, ragged_rank, splits_dtype) for rt in rt_inputs]
    if axis == 0:
        return _axis_0(rt_inputs, stack_values)
    if axis == 1:
        return _axis_1(rt_inputs, stack_values)
    splits = [rt.row_splits for rt in rt_inputs]
    checks = [
        check_ops.assert_equal(splits[0], s, message="Inputs must have identical ragged splits")
        for s in splits[1:]
    ]
    with ops.control_dependencies(checks):
        inner = _stack_concat([rt.values for rt in rt_inputs], axis - 1, stack_values)
        return RaggedTensor.from_row_splits(inner, splits[0], validate=False)


def _axis_0(rt_inputs, stack_values):
    flat_values = array_ops.concat([rt.flat_values for rt in rt_inputs], axis=0)
    nested = [rt.nested_row_splits for rt in rt_inputs]
    splits = [_concat_splits([n[dim] for n in nested]) for dim in range(rt_inputs[0].ragged_rank)]
    if stack_values:
        lengths = array_ops.stack([rt.nrows() for rt in rt_inputs])
        splits.insert(0, array_ops.concat([[0], math_ops.cumsum(lengths)], axis=-1))
    return RaggedTensor.from_nested_row_splits(flat_values, splits, validate=False)


def _axis_1(rt_inputs, stack_values):
    """Row i of the result joins row i of every input: the inputs joined along axis 0, their rows
    gathered in interleaved order."""
    count = len(rt_inputs)
    nrows = rt_inputs[0].nrows()
    checks = [
        check_ops.assert_equal(
            nrows,
            rt.nrows(),
            message=f"Input tensors at index 0 (=x) and {index + 1} (=y) have incompatible shapes.",
        )
        for index, rt in enumerate(rt_inputs[1:])
    ]
    with ops.control_dependencies(checks):
        joined = _axis_0(rt_inputs, stack_values=False)
        row_indices = math_ops.range(nrows * count)
        row_matrix = array_ops.reshape(row_indices, [count, -1])
        permutation = array_ops.reshape(array_ops.transpose(row_matrix), [-1])
        permuted = gather(joined, permutation)
        if stack_values:
            stack_splits = math_ops.range(0, nrows * count + 1, count)
            _copy_row_shape(rt_inputs, stack_splits)
            return RaggedTensor.from_row_splits(permuted, stack_splits, validate=False)
        concat_splits = permuted.row_splits[::count]
        _copy_row_shape(rt_inputs, concat_splits)
        return RaggedTensor.from_row_splits(permuted.values, concat_splits, validate=False)


def _copy_row_shape(rt_inputs, splits):
    for rt in rt_inputs:
        if rt.shape[0].value is not None:
            splits.set_shape([rt.shape[0].value + 1])


def _increase_ragged_rank_to(rt, ragged_rank, splits_dtype):
    if ragged_rank > 0:
        if not is_ragged(rt):
            rt = RaggedTensor.from_tensor(rt, row_splits_dtype=splits_dtype)
        if rt.ragged_rank < ragged_rank:
            rt = rt.with_values(_increase_ragged_rank_to(rt.values, ragged_rank - 1, splits_dtype))
    return rt


def _concat_splits(splits_list):
    """The splits of rows joined end to end: each later list shifted by the values before it."""
    pieces, offset = [splits_list[0]], splits_list[0][-1]
    for splits in splits_list[1:]:
        pieces.append(splits[1:] + offset)
        offset += splits[-1]
    return array_ops.concat(pieces, axis=0)
