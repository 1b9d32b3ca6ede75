"""RaggedGather (``tf.gather`` of a RaggedTensor along axis 0, dispatched by engine/ragged/dispatch.py):
the rows of the params at the indices, with all their nested rows; the indices' own dimensions become
ragged dimensions of the result. Kernel, shape rule, registration, gradient (TF's: the gathered values'
gradient put back at the values they came from, dense here where TF gives IndexedSlices) and wrapper."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops
from engine.ops.op_util import dims, make_op
from engine.ragged.ragged_range import range as ragged_range
from engine.ragged.ragged_tensor import (
    RaggedTensor,
    convert_to_tensor_or_ragged_tensor,
    is_ragged,
    match_row_splits_dtypes,
)


def _compile_gather(op, runtime):
    def kernel(*inputs):
        splits = [np.asarray(s) for s in inputs[:-2]]
        values, indices = np.asarray(inputs[-2]), np.asarray(inputs[-1])
        nrows = len(splits[0]) - 1
        flat = indices.reshape(-1).astype(np.int64)
        for i, index in enumerate(flat):
            if not 0 <= index < nrows:
                message = f"indices[{i}] = {index} is not in [0, {nrows})"
                raise errors.InvalidArgumentError(None, None, message)
        dtype = splits[0].dtype
        # the indices' dimensions past the first: uniform rows (level d has prod(shape[:d + 1]) rows of
        # shape[d + 1] each)
        outer = [
            np.arange(0, int(np.prod(indices.shape[: d + 2])) + 1, indices.shape[d + 1], dtype=dtype)
            for d in range(indices.ndim - 1)
        ]
        # each params level: the gathered rows' lengths, and the ranges they cover one level down
        starts, limits, nested = splits[0][flat], splits[0][flat + 1], []
        for level in range(len(splits)):
            lengths = limits - starts
            nested.append(np.concatenate([[0], np.cumsum(lengths)]).astype(dtype))
            positions = (
                np.concatenate([np.arange(a, b) for a, b in zip(starts, limits, strict=True)]).astype(
                    np.int64
                )
                if lengths.size
                else np.zeros(0, np.int64)
            )
            if level + 1 < len(splits):
                starts, limits = splits[level + 1][positions], splits[level + 1][positions + 1]
        return (*outer, *nested, values[positions])

    return kernel


def _infer_gather(op):
    out_rank = int(op.get_attr("OUTPUT_RAGGED_RANK"))
    values, indices = op.inputs[-2], op.inputs[-1]
    del indices  # TF's shape rule leaves every output split's length unknown
    splits_dtype = op.inputs[0].dtype.base_dtype
    outputs = [(splits_dtype, _ts.TensorShape([None])) for _ in range(out_rank)]
    value_dims = dims(values)
    inner = _ts.unknown_shape() if value_dims is None else _ts.TensorShape([None, *value_dims[1:]])
    return [*outputs, (values.dtype.base_dtype, inner)]


registry.register_op(
    "RaggedGather",
    compile=_compile_gather,
    infer=_infer_gather,
    fresh=True,
    inputs=("params_nested_splits: N*Tsplits", "params_dense_values", "indices: Tindices"),
    allowed={"Tsplits": groups.INDEX_TYPES, "Tindices": groups.INDEX_TYPES},
)


@registry.register_gradient("RaggedGather")
def _gather_grad(op, *grads):
    param_splits, param_values, indices = op.inputs[:-2], op.inputs[-2], op.inputs[-1]
    combined = param_splits[0]
    for row_splits in param_splits[1:]:
        combined = array_ops.gather(row_splits, combined)
    flat_indices = array_ops.reshape(indices, [-1])
    grad_indices = ragged_range(
        array_ops.gather(combined, flat_indices), array_ops.gather(combined[1:], flat_indices)
    ).values
    values_grad = array_ops.unsorted_segment_sum(grads[-1], grad_indices, array_ops.shape_v1(param_values)[0])
    return [None] * len(param_splits) + [values_grad, None]


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """TF's ragged gather for axis 0 without batch dimensions: rows of a RaggedTensor `params` at dense or
    ragged `indices` (a ragged `indices` keeps its rows)."""
    del validate_indices
    with ops.name_scope(name, "RaggedGather", [params, indices]):
        params = convert_to_tensor_or_ragged_tensor(params, name="params")
        indices = convert_to_tensor_or_ragged_tensor(indices, name="indices")
        match_row_splits_dtypes(params, indices)
        if (axis or 0) != 0 or batch_dims != 0:
            raise ValueError(
                "tf.gather of RaggedTensors takes axis=0 and batch_dims=0 here; TF's gathers "
                "along other axes are not in the engine."
            )
        return _gather(params, indices)


def _gather(params, indices):
    if not is_ragged(params):
        return indices.with_values(array_ops.gather(params, indices.values))
    if is_ragged(indices):
        return indices.with_values(_gather(params, indices.values))
    if indices.shape.ndims is None:
        raise ValueError("rank(indices) must be known statically")
    out_rank = indices.shape.ndims + len(params.nested_row_splits) - 1
    splits = params.nested_row_splits
    outputs = make_op(
        "RaggedGather",
        [*splits, params.flat_values, indices],
        attrs={
            "Tvalues": params.flat_values.dtype.base_dtype,
            "Tindices": indices.dtype.base_dtype,
            "Tsplits": splits[0].dtype,
            "PARAMS_RAGGED_RANK": len(splits),
            "OUTPUT_RAGGED_RANK": out_rank,
        },
    ).outputs
    return RaggedTensor.from_nested_row_splits(outputs[-1], list(outputs[:-1]), validate=False)
