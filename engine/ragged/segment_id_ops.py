"""``tf.ragged.row_splits_to_segment_ids`` and ``tf.ragged.segment_ids_to_row_splits``: between a row
partition's splits and the row id of each value, built as TF builds them (a Repeat of the row numbers; a
DenseBincount and Cumsum)."""

from __future__ import annotations

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.composite_ops import sequence_mask
from engine.ops.counting_ops import bincount


def _int_tensor(value, name, dtype):
    """`value` as an int32/int64 tensor, Python values as `dtype` (TF's ragged_util.convert_to_int_tensor)."""
    value = ops.convert_to_tensor(value, name=name, preferred_dtype=dtype)
    if value.dtype.is_integer:
        return array_ops.cast(value, dtype)
    raise TypeError(f"{name} must be an integer tensor; dtype={value.dtype}")


def repeat(data, repeats):
    """Each element of the vector `data` `repeats[i]` times (TF's ``repeat_with_axis`` on axis 0: a tiled
    column masked by a sequence mask, in a ``Repeat`` scope)."""
    with ops.name_scope(None, "Repeat", [data, repeats]):
        data = ops.convert_to_tensor(data, name="data")
        repeats = _int_tensor(repeats, "repeats", dtypes.int32)
        max_repeat = math_ops.maximum(
            ops.convert_to_tensor(0, name="zero", dtype=repeats.dtype), math_ops.reduce_max(repeats)
        )
        mask = sequence_mask(repeats, max_repeat)
        tiled = array_ops.tile(array_ops.expand_dims(data, 1), array_ops.stack([1, max_repeat]))
        result = array_ops.boolean_mask(tiled, mask)
        result.set_shape([0 if repeats.shape[0] == 0 else None])
        return result


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """The row id of each value: ``[0, 0, 1, 3]`` for splits ``[0, 2, 3, 3, 4]``."""
    with ops.name_scope(name, "RaggedSplitsToSegmentIds", [splits]):
        splits = ops.convert_to_tensor(splits, name="splits", preferred_dtype=dtypes.int64)
        if splits.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError("splits must have dtype int32 or int64")
        splits.shape.assert_has_rank(1)
        if _ts.dimension_value(splits.shape[0]) == 0:
            raise ValueError("Invalid row_splits: []")
        out_type = splits.dtype if out_type is None else dtypes.as_dtype(out_type)
        row_lengths = splits[1:] - splits[:-1]
        nrows = array_ops.shape_v1(splits, out_type=out_type)[-1] - 1
        return repeat(math_ops.range(nrows), row_lengths)


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """The row splits of sorted `segment_ids`: ``[0, 2, 3, 3, 4]`` for ``[0, 0, 1, 3]``; `num_segments`
    rows (trailing empty ones included) when given."""
    if out_type is None:
        if isinstance(segment_ids, ops.Tensor):
            out_type = segment_ids.dtype
        elif isinstance(num_segments, ops.Tensor):
            out_type = num_segments.dtype
        else:
            out_type = dtypes.int64
    else:
        out_type = dtypes.as_dtype(out_type)
    with ops.name_scope(name, "SegmentIdsToRaggedSplits", [segment_ids]):
        segment_ids = _int_tensor(segment_ids, "segment_ids", dtypes.int32)
        segment_ids.shape.assert_has_rank(1)
        if num_segments is not None:
            num_segments = _int_tensor(num_segments, "num_segments", dtypes.int32)
            num_segments.shape.assert_has_rank(0)
        row_lengths = bincount(segment_ids, minlength=num_segments, maxlength=num_segments, dtype=out_type)
        splits = array_ops.concat([[0], math_ops.cumsum(row_lengths)], axis=0)
        if num_segments is not None:
            const = tensor_util.constant_value(num_segments)
            if const is not None:
                splits.set_shape([int(const) + 1])
        return splits
