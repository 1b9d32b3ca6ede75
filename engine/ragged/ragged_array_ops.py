"""``tf.ragged.boolean_mask`` and ``tf.ragged.map_flat_values``: operations on RaggedTensors built from
dense ops on their flat values and row partitions, as TF builds them."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.ops import array_ops, check_ops, math_ops
from engine.ragged.ragged_tensor import (
    RaggedTensor,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
    match_row_splits_dtypes,
)
from engine.ragged.segment_id_ops import row_splits_to_segment_ids


def _lengths_to_splits(lengths):
    return array_ops.concat([array_ops.zeros([1], lengths.dtype), math_ops.cumsum(lengths)], axis=0)


def boolean_mask(data, mask, name=None):
    """``tf.ragged.boolean_mask``: the values of `data` where `mask` is True; `mask`'s shape is a prefix
    of `data`'s, and the result keeps one ragged dimension per dimension of `mask` past the first."""
    with ops.name_scope(name, "RaggedMask", [data, mask]):
        data = convert_to_tensor_or_ragged_tensor(data, name="data")
        mask = convert_to_tensor_or_ragged_tensor(mask, dtypes.bool, name="mask")
        splits_dtype, _ = match_row_splits_dtypes(data, mask)
        if mask.shape.ndims is None:
            raise ValueError("mask.shape.ndims must be known statically.")
        if mask.shape.ndims == 0:
            raise ValueError("mask cannot be scalar.")
        if is_ragged(mask):
            if not is_ragged(data):
                data = RaggedTensor.from_tensor(
                    data, ragged_rank=mask.ragged_rank, row_splits_dtype=mask.row_splits.dtype
                )
            checks = [
                check_ops.assert_equal(m, d, message="Inputs must have identical ragged splits")
                for m, d in zip(
                    mask.nested_row_splits, data.nested_row_splits[: mask.ragged_rank], strict=True
                )
            ]
            with ops.control_dependencies(checks):
                splits = []
                while is_ragged(mask):
                    if mask.shape.ndims > 2:
                        splits.append(mask.row_splits)
                    else:
                        int_mask = array_ops.cast(mask.values, splits_dtype)
                        lengths = array_ops.unsorted_segment_sum(int_mask, mask.value_rowids(), mask.nrows())
                        splits.append(_lengths_to_splits(lengths))
                    mask, data = mask.values, data.values
                masked = boolean_mask(data, mask)
                return RaggedTensor.from_nested_row_splits(masked, splits, validate=False)
        if is_ragged(data) and mask.shape.ndims == 1:
            masked_splits = _lengths_to_splits(array_ops.boolean_mask(data.row_lengths(), mask))
            segment_mask = array_ops.gather(mask, row_splits_to_segment_ids(data.row_splits))
            masked_values = boolean_mask(data.values, segment_mask)
            return RaggedTensor.from_row_splits(masked_values, masked_splits, validate=False)
        if is_ragged(data):
            mask = RaggedTensor.from_tensor(
                mask,
                ragged_rank=min(data.ragged_rank, mask.shape.ndims - 1),
                row_splits_dtype=data.row_splits.dtype,
            )
            return boolean_mask(data, mask)
        masked = array_ops.boolean_mask(data, mask)
        if mask.shape.ndims >= 2:
            lengths = math_ops.reduce_sum(array_ops.cast(mask, splits_dtype), axis=-1)
            masked = RaggedTensor.from_row_lengths(masked, array_ops.reshape(lengths, [-1]), validate=False)
            if mask.shape.ndims > 2:
                mask_shape = array_ops.shape_v1(mask, out_type=splits_dtype)
                split_size = math_ops.cumprod(mask_shape) + 1
                for dim in range(mask.shape.ndims - 3, -1, -1):
                    splits = math_ops.range(split_size[dim]) * mask_shape[dim + 1]
                    masked = RaggedTensor.from_row_splits(masked, splits, validate=False)
        return masked


def map_flat_values(op, *args, **kwargs):
    """``tf.ragged.map_flat_values``: `op` applied to the flat values of the RaggedTensor arguments (other
    arguments as they are); the result takes the first ragged argument's row partitions. Every ragged
    argument must have as many flat values."""
    partitions, nrows = [], set()

    def flat(value):
        if isinstance(value, RaggedTensor):
            partitions.append(value._nested_row_partitions)
            n = value.flat_values.shape[0]
            if n is not None and getattr(n, "value", n) is not None:
                nrows.add(getattr(n, "value", n))
            return value.flat_values
        if isinstance(value, (list, tuple)):
            return type(value)(flat(v) for v in value)
        if isinstance(value, dict):
            return {k: flat(v) for k, v in value.items()}
        return value

    inner_args = flat(list(args))
    inner_kwargs = flat(kwargs)
    if not partitions:
        return op(*args, **kwargs)
    if len(nrows) > 1:
        raise ValueError(
            "Input RaggedTensors' flat_values must all have the same outer-dimension size.  "
            f"Got sizes: {nrows}"
        )
    if len({p[0].dtype for p in partitions}) > 1:
        raise ValueError(
            "Input RaggedTensors have mismatched row partition dtypes; use "
            "RaggedTensor.with_row_splits_dtype() to convert them to compatible dtypes."
        )
    output = op(*inner_args, **inner_kwargs)
    if nrows and not output.shape[:1].is_compatible_with([next(iter(nrows))]):
        raise ValueError(
            "tf.ragged.map_flat_values requires that the output of `op` have the same "
            "outer-dimension size as flat_values of any ragged inputs. (output shape: "
            f"{output.shape}; expected outer dimension size: {next(iter(nrows))})"
        )
    return RaggedTensor._from_nested_row_partitions(output, partitions[0], validate=False)
