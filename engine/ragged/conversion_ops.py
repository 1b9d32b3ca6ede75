"""The kernels between ragged and dense or sparse data: RaggedTensorToTensor (``RaggedTensor.to_tensor``)
and RaggedTensorToSparse (``RaggedTensor.to_sparse``). Both read the nested row partitions as TF's kernels
do; kernels, shape rules, registrations and gradients (the flat values' gradient, as TF's)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.op_util import dims, make_tensor, shape_str


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def splits_from_partitions(types, tensors):
    """The nested row splits (int64 arrays) of TF's row-partition encodings: ``ROW_SPLITS`` tensors, or
    ``FIRST_DIM_SIZE`` then ``VALUE_ROWIDS`` for the outermost dimension."""
    splits, tensors = [], [np.asarray(t).astype(np.int64) for t in tensors]
    i = 0
    while i < len(types):
        kind = types[i]
        if kind == "FIRST_DIM_SIZE":
            nrows, rowids = int(tensors[i]), tensors[i + 1]
            splits.append(np.concatenate([[0], np.cumsum(np.bincount(rowids, minlength=nrows)[:nrows])]))
            i += 2
        elif kind == "VALUE_ROWIDS":
            nrows = splits[-1][-1] if splits else 0
            splits.append(np.concatenate([[0], np.cumsum(np.bincount(tensors[i], minlength=nrows)[:nrows])]))
            i += 1
        else:
            splits.append(tensors[i])
            i += 1
    return splits


def element_index(nested_splits):
    """For each flat value, its index along the outer dimension and each ragged dimension (an int64
    array [nvals, ragged_rank + 1]), and the bounding sizes of those dimensions."""
    index = np.arange(len(nested_splits[0]) - 1, dtype=np.int64)[:, None]
    bounds = [len(nested_splits[0]) - 1]
    for splits in nested_splits:
        lengths = np.diff(splits)
        if lengths.size and lengths.min() < 0:
            raise _invalid("Invalid row_splits: row_splits must be sorted in ascending order")
        parent = np.repeat(np.arange(len(lengths)), lengths)
        column = np.arange(len(parent), dtype=np.int64) - splits[parent]
        index = np.concatenate([index[parent], column[:, None]], axis=1)
        bounds.append(int(lengths.max()) if lengths.size else 0)
    return index, bounds


def _compile_to_tensor(op, runtime):
    types = [_text(t) for t in op.get_attr("row_partition_types")]

    def kernel(shape, values, default_value, *partitions):
        values, default_value = np.asarray(values), np.asarray(default_value)
        splits = splits_from_partitions(types, partitions)
        if splits and splits[-1].size and splits[-1][-1] != values.shape[0]:
            raise _invalid(
                f"Final value of row_splits ({splits[-1][-1]}) does not match the size of "
                f"values ({values.shape[0]})"
            )
        index, bounds = element_index(splits)
        bounding = bounds + list(values.shape[1:])
        shape = np.asarray(shape)
        if shape.ndim == 0:  # a scalar (-1): the bounding shape
            shape = np.full(len(bounding), -1)
        if len(shape) != len(bounding):
            raise _invalid(
                f"rt_input.shape and shape={shape_str(shape)} are incompatible: rt_input.rank = "
                f"{len(bounding)} but shape.rank = {len(shape)}"
            )
        out_shape = [b if int(shape[i]) < 0 else int(shape[i]) for i, b in enumerate(bounding)]
        inner = tuple(out_shape[len(bounds) :])
        try:
            fill = np.broadcast_to(default_value, inner)
        except ValueError:
            raise _invalid(
                f"default_value.shape={shape_str(default_value.shape)} and "
                f"rt_input.flat_values.shape={shape_str(values.shape)} are incompatible: "
                "default_value.rank = must be less than rt_input.flat_values.rank"
            ) from None
        out = np.empty(out_shape, values.dtype)
        out[...] = fill
        keep = np.all(index < np.asarray(out_shape[: len(bounds)]), axis=1)
        kept = values[keep][(slice(None), *(slice(0, n) for n in inner))]
        target = out[tuple(index[keep].T)]
        target[(slice(None), *(slice(0, n) for n in kept.shape[1:]))] = kept
        out[tuple(index[keep].T)] = target
        return out

    return kernel


def _infer_to_tensor(op):
    shape_t, values = op.inputs[0], op.inputs[1]
    ragged_rank = len([t for t in op.get_attr("row_partition_types") if _text(t) != "FIRST_DIM_SIZE"])
    value_dims = dims(values)
    if value_dims is None:
        out = _ts.unknown_shape()
    else:
        out = _ts.TensorShape([None] * (ragged_rank + 1)).concatenate(value_dims[1:])
    requested = _ts.unknown_shape()  # a scalar shape (-1) asks for the bounding shape
    value = tensor_util.constant_value(shape_t)
    if value is not None and np.ndim(value) == 1:
        requested = _ts.TensorShape([None if d < 0 else int(d) for d in value])
    elif dims(shape_t) is not None and len(dims(shape_t)) == 1 and dims(shape_t)[0] is not None:
        requested = _ts.TensorShape([None] * dims(shape_t)[0])
    if requested.ndims is not None:
        out = out.merge_with(requested) if out.ndims is not None else requested
    return [(values.dtype.base_dtype, out)]


registry.register_op(
    "RaggedTensorToTensor",
    compile=_compile_to_tensor,
    infer=_infer_to_tensor,
    fresh=True,
    inputs=("shape: Tshape", "values: T", "default_value: T", "row_partition_tensors: N*Tindex"),
    allowed={"Tshape": groups.INDEX_TYPES, "Tindex": groups.INDEX_TYPES},
)


@registry.register_gradient("RaggedTensorToTensor")
def _to_tensor_grad(op, grad):
    """TF's gradient: each flat value gets the dense gradient at its place (found by running the op on
    the values' positions, -1 elsewhere), the default value the sum of the rest. The values' gradient is
    dense here where TF gives IndexedSlices (same values)."""
    flat_values, default_value, partitions = op.inputs[1], op.inputs[2], list(op.inputs[3:])
    types = op.get_attr("row_partition_types")
    ragged_rank = sum(1 for t in types if _text(t) != "FIRST_DIM_SIZE")
    flat_value_shape = array_ops.shape_v1(flat_values)
    indices = make_tensor(
        "RaggedTensorToTensor",
        [
            array_ops.shape_v1(grad)[: 1 + ragged_rank],
            math_ops.range(flat_value_shape[0]),
            ops.convert_to_tensor(-1, dtypes.int32),
            *partitions,
        ],
        attrs={
            "T": dtypes.int32,
            "Tindex": partitions[0].dtype,
            "Tshape": dtypes.int32,
            "row_partition_types": list(types),
            "num_row_partition_tensors": len(partitions),
        },
    )
    mask = math_ops.not_equal(indices, -1)
    values_grad = array_ops.unsorted_segment_sum(
        array_ops.boolean_mask(grad, mask), array_ops.boolean_mask(indices, mask), flat_value_shape[0]
    )
    default_grads = array_ops.boolean_mask(grad, math_ops.logical_not(mask))
    reduce_dims = math_ops.range(array_ops.rank(default_grads) - array_ops.rank(default_value))
    default_grad = array_ops.reshape(
        math_ops.reduce_sum(default_grads, axis=reduce_dims), array_ops.shape_v1(default_value)
    )
    return [None, values_grad, default_grad] + [None] * len(partitions)


def _compile_to_sparse(op, runtime):
    def kernel(*inputs):
        splits = [np.asarray(s).astype(np.int64) for s in inputs[:-1]]
        values = np.asarray(inputs[-1])
        for s in splits:
            if s.size == 0 or s[0] != 0:
                raise _invalid("ragged splits must start with 0")
        if splits[-1][-1] != values.shape[0]:
            raise _invalid("final value of ragged splits must match the length the corresponding values")
        index, bounds = element_index(splits)
        inner = values.shape[1:]
        inner_index = np.indices(inner).reshape(len(inner), -1).T if inner else np.zeros((1, 0), np.int64)
        indices = np.concatenate(
            [np.repeat(index, len(inner_index), axis=0), np.tile(inner_index, (len(index), 1))], axis=1
        )
        return (indices.astype(np.int64), values.reshape(-1), np.asarray(bounds + list(inner), np.int64))

    return kernel


def _infer_to_sparse(op):
    values = op.inputs[-1]
    value_dims = dims(values)
    rank = None if value_dims is None else len(value_dims) + len(op.inputs) - 1
    return [
        (dtypes.int64, _ts.TensorShape([None, rank])),
        (values.dtype.base_dtype, _ts.TensorShape([None])),
        (dtypes.int64, _ts.TensorShape([rank])),
    ]


registry.register_op(
    "RaggedTensorToSparse",
    compile=_compile_to_sparse,
    infer=_infer_to_sparse,
    fresh=True,
    inputs=("rt_nested_splits: N*Tsplits", "rt_dense_values: T"),
    allowed={"Tsplits": groups.INDEX_TYPES},
)


@registry.register_gradient("RaggedTensorToSparse")
def _to_sparse_grad(op, indices_grad, values_grad, shape_grad):
    """The sparse values are the flat values in order: their gradient reshaped (TF's gradient)."""
    flat_values = op.inputs[-1]
    return [None] * (len(op.inputs) - 1) + [array_ops.reshape(values_grad, array_ops.shape_v1(flat_values))]
