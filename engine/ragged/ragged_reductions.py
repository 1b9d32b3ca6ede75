"""Reductions of RaggedTensors (TF's ragged_math_ops, reached through ``tf.reduce_sum(rt, axis)`` and the
other ``tf.reduce_*`` names by engine/ragged/dispatch.py): a ragged axis is reduced with the unsorted
segment op over each value's row (or each value's column, for axis 0), inner axes through the values,
``axis=None`` over the flat values; TF's graphs and name scopes (``RaggedReduceSum``, ...)."""

from __future__ import annotations

from engine.framework import dtypes, ops, tensor_util
from engine.ops import array_ops, math_ops, segment_ops
from engine.ragged.ragged_range import range as ragged_range
from engine.ragged.ragged_tensor import (
    RaggedTensor,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
    positive_axis,
)
from engine.ragged.segment_id_ops import row_splits_to_segment_ids


def _segment_aggregate(segment_op, data, segment_ids, num_segments):
    """TF's _ragged_segment_aggregate: `segment_op` over the rows `segment_ids` gives; a ragged `data`
    keeps its inner rows (each output row as long as the longest row it gathers)."""
    if not is_ragged(data):
        return segment_op(data, segment_ids, num_segments)
    with ops.name_scope(None, "RaggedSegment", [data, segment_ids, num_segments]):
        data_row_lengths = data.row_splits[1:] - data.row_splits[:-1]
        output_row_lengths = math_ops.maximum(
            segment_ops.unsorted_segment_max(data_row_lengths, segment_ids, num_segments), 0
        )
        output_splits = array_ops.concat(
            [array_ops.zeros([1], output_row_lengths.dtype), math_ops.cumsum(output_row_lengths)], axis=0
        )
        starts = array_ops.gather(output_splits, segment_ids)
        limits = starts + data_row_lengths
        value_index = ragged_range(starts, limits).values
        output_values = _segment_aggregate(segment_op, data.values, value_index, output_splits[-1])
        return RaggedTensor.from_row_splits(output_values, output_splits, validate=False)


def _set_nrows(result, nrows):
    """One row per input row: TF's shape refiner folds `shape(row_splits)[0] - 1` into the segment count
    when the splits' length is static; the engine's folding stops at the StridedSlice, so the known count
    is set here."""
    if nrows is None:
        return
    if is_ragged(result):
        result.row_splits.set_shape([nrows + 1])
    else:
        result.set_shape([nrows, *result.shape.as_list()[1:]] if result.shape.ndims else [nrows])


def reduce_aggregate(reduce_op, segment_op, rt_input, axis, keepdims, name):
    """TF's ragged_reduce_aggregate: `reduce_op` (a dense tf.reduce_*) for the flat values or a dense
    input, `segment_op` (an unsorted segment op) along a ragged axis."""
    if not is_ragged(rt_input):
        return reduce_op(rt_input, axis, keepdims=keepdims, name=name)
    if isinstance(axis, ops.Tensor):
        axis = tensor_util.constant_value(axis)
        if axis is None:
            raise ValueError("axis must be known at graph construction time.")
        axis = axis.tolist()
    if axis is None:
        result = reduce_op(rt_input.flat_values, None, keepdims=keepdims, name=name)
        if keepdims:
            for _ in rt_input.shape[1:]:
                result = array_ops.expand_dims(result, axis=0)
        return result
    with ops.name_scope(name, "RaggedReduce", [rt_input, axis]):
        if isinstance(axis, (tuple, list)):
            if not axis:
                return rt_input
            if len(axis) > 1:
                axes = sorted(
                    positive_axis(a, rt_input.shape.ndims, f"axis[{i}]", "rank(input_tensor)")
                    for i, a in enumerate(axis)
                )
                inner = reduce_aggregate(reduce_op, segment_op, rt_input, axes[-1], keepdims, None)
                return reduce_aggregate(reduce_op, segment_op, inner, axes[:-1], keepdims, None)
            axis = axis[0]
        rt_input = convert_to_tensor_or_ragged_tensor(rt_input, name="rt_input")
        axis = positive_axis(axis, rt_input.shape.ndims, ndims_name="rank(input_tensor)")
        if axis == 0:
            row_lengths = rt_input.row_splits[1:] - rt_input.row_splits[:-1]
            num_segments = math_ops.maximum(math_ops.reduce_max(row_lengths), 0)
            segment_ids = ragged_range(row_lengths).values
            result = _segment_aggregate(segment_op, rt_input.values, segment_ids, num_segments)
            return array_ops.expand_dims(result, axis=0) if keepdims else result
        if axis == 1:
            num_segments = array_ops.shape_v1(rt_input.row_splits)[0] - 1
            segment_ids = row_splits_to_segment_ids(rt_input.row_splits)
            result = _segment_aggregate(segment_op, rt_input.values, segment_ids, num_segments)
            _set_nrows(result, rt_input.shape[0].value)
            return array_ops.expand_dims(result, axis=1) if keepdims else result
        return rt_input.with_values(
            reduce_aggregate(reduce_op, segment_op, rt_input.values, axis - 1, keepdims, None)
        )


def _aggregate(reduce_op, segment_op, default_name):
    def reduce(input_tensor, axis=None, keepdims=None, name=None):
        return reduce_aggregate(reduce_op, segment_op, input_tensor, axis, keepdims, name or default_name)

    return reduce


reduce_sum = _aggregate(math_ops.reduce_sum, array_ops.unsorted_segment_sum, "RaggedReduceSum")
reduce_prod = _aggregate(math_ops.reduce_prod, segment_ops.unsorted_segment_prod, "RaggedReduceProd")
reduce_min = _aggregate(math_ops.reduce_min, segment_ops.unsorted_segment_min, "RaggedReduceMin")
reduce_max = _aggregate(math_ops.reduce_max, segment_ops.unsorted_segment_max, "RaggedReduceMax")


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None):
    """The sum over the count of values summed (TF's ragged reduce_mean)."""
    with ops.name_scope(name, "RaggedReduceMean", [input_tensor, axis]):
        total = reduce_sum(input_tensor, axis, keepdims)
        ones = RaggedTensor.from_nested_row_splits(
            array_ops.ones_like(input_tensor.flat_values), input_tensor.nested_row_splits, validate=False
        )
        count = reduce_sum(ones, axis, keepdims)
        if is_ragged(total):
            return RaggedTensor.from_nested_row_splits(
                total.flat_values / count.flat_values, total.nested_row_splits, validate=False
            )
        return total / count


def _cast(value, dtype):
    return (
        value.with_flat_values(array_ops.cast(value.flat_values, dtype))
        if is_ragged(value)
        else array_ops.cast(value, dtype)
    )


def reduce_all(input_tensor, axis=None, keepdims=None, name=None):
    """The product of the values as int32, as bool (TF's ragged reduce_all)."""
    with ops.name_scope(name, "RaggedReduceAll", [input_tensor, axis]):
        return _cast(reduce_prod(_cast(input_tensor, dtypes.int32), axis, keepdims), dtypes.bool)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None):
    """The sum of the values as int32, as bool (TF's ragged reduce_any)."""
    with ops.name_scope(name, "RaggedReduceAny", [input_tensor, axis]):
        return _cast(reduce_sum(_cast(input_tensor, dtypes.int32), axis, keepdims), dtypes.bool)
