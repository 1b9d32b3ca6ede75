"""Moving entries of a SparseTensor: SparseReorder (`tf.sparse.reorder`, `tf.sparse.transpose`),
SparseReshape (`tf.sparse.reshape`), SparseFillEmptyRows (`tf.sparse.fill_empty_rows`) and their
gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.framework.sparse_tensor import SparseTensor, convert_to_sparse
from engine.ops import array_ops, math_ops
from engine.ops.op_util import dims, make_op
from engine.ops.sparse_ops.common import as_indices, as_shape, check_sparse_inputs, lex_order


# --- SparseReorder ---------------------------------------------------------------------------------------
def _sparse_reorder_kernel(input_indices, input_values, input_shape):
    indices, values = as_indices(input_indices), np.asarray(input_values)
    check_sparse_inputs(indices, values, as_shape(input_shape), "")
    order = lex_order(indices)
    return indices[order], values[order]


def _infer_sparse_reorder(op):
    indices, values, _ = op.inputs
    return [(dtypes.int64, indices.shape), (values.dtype.base_dtype, values.shape)]


registry.register_op(
    "SparseReorder",
    infer=_infer_sparse_reorder,
    kernel=_sparse_reorder_kernel,
    fresh=True,
    inputs=("input_indices", "input_values: T", "input_shape"),
)


def sparse_reorder(sp_input, name=None):
    """``tf.sparse.reorder``: the same SparseTensor with its entries in row-major order."""
    sp_input = convert_to_sparse(sp_input)
    op = make_op(
        "SparseReorder",
        [sp_input.indices, sp_input.values, sp_input.dense_shape],
        name=name or "SparseReorder",
        attrs={"T": sp_input.values.dtype.base_dtype},
    )
    reordered_ind, reordered_val = op.outputs
    if sp_input.get_shape().is_fully_defined():
        return SparseTensor(reordered_ind, reordered_val, sp_input.get_shape().as_list())
    sp_output = SparseTensor(reordered_ind, reordered_val, array_ops.identity(sp_input.dense_shape))
    sp_output.set_shape(sp_input.shape)
    return sp_output


@register_gradient("SparseReorder")
def _sparse_reorder_grad(op, unused_output_indices_grad, output_values_grad):
    """The values' gradient is the output's gradient in the input's order: the inverse of the reordering
    of the entries' positions."""
    input_indices, input_shape = op.inputs[0], op.inputs[2]
    num_entries = array_ops.shape_v1(input_indices)[0]
    entry_indices = math_ops.range(num_entries)
    sp_ordered = sparse_reorder(SparseTensor(input_indices, entry_indices, input_shape))
    inverted_permutation = array_ops.invert_permutation(sp_ordered.values)
    return (None, array_ops.gather(output_values_grad, inverted_permutation), None)


def sparse_transpose(sp_input, perm=None, name=None):
    """``tf.sparse.transpose``: dimensions permuted by `perm` (reversed by default), entries reordered."""
    with ops.name_scope(name, "SparseTranspose", [sp_input]):
        if perm is None:
            if sp_input.shape.ndims is not None:
                rank = sp_input.shape.ndims
                perm = (rank - 1) - np.arange(0, rank, 1)
            else:
                rank = array_ops.rank(sp_input.indices[0])
                perm = (rank - 1) - math_ops.range(0, rank, 1)
        indices = sp_input.indices
        transposed_indices = array_ops.transpose(array_ops.gather(array_ops.transpose(indices), perm))
        perm_ = tensor_util.constant_value(ops.convert_to_tensor(perm))
        if perm_ is not None and sp_input.get_shape().is_fully_defined():
            old_shape_ = sp_input.get_shape().as_list()
            transposed_dense_shape = [old_shape_[p] for p in perm_]
        else:
            transposed_dense_shape = array_ops.gather(sp_input.dense_shape, perm)
        return sparse_reorder(SparseTensor(transposed_indices, sp_input.values, transposed_dense_shape))


# --- SparseReshape ---------------------------------------------------------------------------------------
def _sparse_reshape_kernel(input_indices, input_shape, new_shape):
    indices = as_indices(input_indices)
    in_shape = as_shape(input_shape)
    target = [int(d) for d in np.asarray(new_shape).reshape(-1)]
    dense_size = int(np.prod(in_shape, dtype=np.int64))
    unknown = -1
    product = 1
    for i, d in enumerate(target):
        if d == -1:
            if unknown != -1:
                raise errors.InvalidArgumentError(
                    None, None, f"only one output dimension may be -1, not both {unknown} and {i}"
                )
            unknown = i
        elif d < 0:
            raise errors.InvalidArgumentError(None, None, f"size {i} must be non-negative, not {d}")
        else:
            product *= d
    if unknown != -1:
        if product == 0 or dense_size % product:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Input to reshape is a SparseTensor with {dense_size} dense values, but the "
                f"requested shape requires a multiple of {product}. "
                f"inputShape=[{','.join(map(str, in_shape))}] outputShape=[{','.join(map(str, target))}]",
            )
        target[unknown] = dense_size // product
    elif product != dense_size:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Input to reshape is a tensor with {dense_size} dense values, but the requested "
            f"shape has {product}. inputShape=[{','.join(map(str, in_shape))}] "
            f"outputShape=[{','.join(map(str, target))}]",
        )
    out_shape = np.asarray(target, np.int64)
    if not indices.shape[0]:
        return np.zeros((0, len(target)), np.int64), out_shape
    linear = (
        np.ravel_multi_index(tuple(indices.T), in_shape) if in_shape else np.zeros(len(indices), np.int64)
    )
    out = np.stack(np.unravel_index(linear, target), axis=1) if target else np.zeros((len(indices), 0))
    return out.astype(np.int64), out_shape


def _infer_sparse_reshape(op):
    input_indices, _, new_shape = op.inputs
    nd = dims(new_shape)
    rank = nd[0] if nd else None
    nnz = dims(input_indices)[0] if dims(input_indices) else None
    return [(dtypes.int64, _ts.TensorShape([nnz, rank])), (dtypes.int64, _ts.TensorShape([rank]))]


registry.register_op(
    "SparseReshape",
    infer=_infer_sparse_reshape,
    kernel=_sparse_reshape_kernel,
    fresh=True,
    inputs=("input_indices", "input_shape", "new_shape"),
)


def sparse_reshape(sp_input, shape, name=None):
    """``tf.sparse.reshape``: the same entries in a dense shape `shape` of as many elements (one -1)."""
    sp_input = convert_to_sparse(sp_input)
    shape = array_ops.cast(shape, dtype=dtypes.int64)
    with ops.name_scope(name, "SparseReshape", [sp_input]) as scope:
        op = make_op("SparseReshape", [sp_input.indices, sp_input.dense_shape, shape], name=scope)
        reshaped_ind, reshaped_shape = op.outputs
        reshaped_shape_const = tensor_util.constant_value_as_shape(shape)
        reshaped_shape_const = (
            reshaped_shape_const.as_list() if reshaped_shape_const.ndims is not None else None
        )
        if reshaped_shape_const is not None and sp_input.shape.is_fully_defined():
            shape_const_by_user = tensor_util.constant_value(shape)
            if shape_const_by_user is not None:
                if sum(d == -1 for d in shape_const_by_user) > 1:
                    raise ValueError(
                        f"At most one dimension can be inferred (-1). Found: {shape_const_by_user}"
                    )
            original_reshaped_shape = list(reshaped_shape_const)
            in_shape_size = int(np.prod(sp_input.shape.as_list()))
            num_implied = sum(dim is None for dim in reshaped_shape_const)
            if num_implied == 1 and 0 not in reshaped_shape_const:
                implied_idx = original_reshaped_shape.index(None)
                non_implied = (
                    original_reshaped_shape[:implied_idx] + original_reshaped_shape[implied_idx + 1 :]
                )
                reshaped_shape_const[implied_idx] = int(in_shape_size // np.prod(non_implied))
            if num_implied == 0 or (num_implied == 1 and 0 not in reshaped_shape_const):
                reshaped_size = int(np.prod(reshaped_shape_const))
                if reshaped_size != in_shape_size:
                    raise ValueError(
                        f"Cannot reshape a tensor with {in_shape_size} elements to shape "
                        f"{original_reshaped_shape} ({reshaped_size} elements)."
                    )
                reshaped_shape = ops.convert_to_tensor(reshaped_shape_const, dtype=dtypes.int64)
        return SparseTensor(reshaped_ind, array_ops.identity(sp_input.values), reshaped_shape)


# --- SparseFillEmptyRows ---------------------------------------------------------------------------------
def _sparse_fill_empty_rows_kernel(indices, values, dense_shape, default_value):
    indices, values, shape = as_indices(indices), np.asarray(values), as_shape(dense_shape)
    if np.ndim(default_value) != 0:
        raise errors.InvalidArgumentError(None, None, "default_value must be a scalar")
    check_sparse_inputs(indices, values, shape)
    if not shape:
        raise errors.InvalidArgumentError(
            None, None, "dense_shape must be a vector of at least one dimension"
        )
    rows = shape[0]
    n = indices.shape[0]
    row_of = indices[:, 0] if n else np.zeros(0, np.int64)
    if n and ((row_of < 0) | (row_of >= rows)).any():
        i = int(np.argmax((row_of < 0) | (row_of >= rows)))
        raise errors.InvalidArgumentError(
            None,
            None,
            f"indices({i}, 0) is invalid: {int(row_of[i])} >= {rows}"
            if row_of[i] >= 0
            else f"indices({i}, 0) is invalid: {int(row_of[i])} < 0",
        )
    counts = np.bincount(row_of, minlength=rows) if rows else np.zeros(0, np.int64)
    empty = counts == 0
    per_row = np.maximum(counts, 1)  # an empty row gets one default entry
    offsets = (
        np.concatenate([[0], np.cumsum(per_row)[:-1]]).astype(np.int64) if rows else np.zeros(0, np.int64)
    )
    # Entries keep their order within a row: the k-th entry of row r lands at offsets[r] + k.
    order = np.argsort(row_of, kind="stable")
    sorted_rows = row_of[order]
    rank_in_row = np.empty(n, np.int64)
    rank_in_row[order] = np.arange(n) - np.searchsorted(sorted_rows, sorted_rows, "left")
    reverse_index_map = offsets[row_of] + rank_in_row if n else np.zeros(0, np.int64)
    total = int(per_row.sum())
    out_indices = np.zeros((total, len(shape)), np.int64)
    out_values = np.full(total, default_value, values.dtype)
    out_indices[reverse_index_map] = indices
    out_values[reverse_index_map] = values
    out_indices[offsets[empty], 0] = np.nonzero(empty)[0]
    return out_indices, out_values, empty, reverse_index_map.astype(np.int64)


def _infer_sparse_fill_empty_rows(op):
    indices, values, dense_shape, _ = op.inputs
    idx = dims(indices)
    rank = idx[1] if idx else None
    rows = tensor_util.constant_value_as_shape(dense_shape)
    rows = rows[0].value if rows.ndims else None
    return [
        (dtypes.int64, _ts.TensorShape([None, rank])),
        (values.dtype.base_dtype, _ts.TensorShape([None])),
        (dtypes.bool, _ts.TensorShape([rows])),
        (dtypes.int64, _ts.TensorShape([idx[0] if idx else None])),
    ]


registry.register_op(
    "SparseFillEmptyRows",
    infer=_infer_sparse_fill_empty_rows,
    kernel=_sparse_fill_empty_rows_kernel,
    fresh=True,
    inputs=("indices", "values: T", "dense_shape", "default_value: T"),
)


def sparse_fill_empty_rows(sp_input, default_value, name=None):
    """``tf.sparse.fill_empty_rows``: (a SparseTensor with `[row, 0, ...] = default_value` added for every
    row without entries, a bool vector marking those rows)."""
    sp_input = convert_to_sparse(sp_input)
    with ops.name_scope(name, "SparseFillEmptyRows", [sp_input]):
        default_value = ops.convert_to_tensor(default_value, dtype=sp_input.values.dtype)
        op = make_op(
            "SparseFillEmptyRows",
            [sp_input.indices, sp_input.values, sp_input.dense_shape, default_value],
            name="SparseFillEmptyRows",
            attrs={"T": sp_input.values.dtype.base_dtype},
        )
        output_indices, output_values, empty_row_indicator, _ = op.outputs
        return (
            SparseTensor(indices=output_indices, values=output_values, dense_shape=sp_input.dense_shape),
            empty_row_indicator,
        )


def _sparse_fill_empty_rows_grad_kernel(reverse_index_map, grad_values):
    reverse_index_map, grad_values = np.asarray(reverse_index_map, np.int64), np.asarray(grad_values)
    d_values = grad_values[reverse_index_map]
    d_default_value = grad_values.sum(dtype=grad_values.dtype) - d_values.sum(dtype=grad_values.dtype)
    return d_values, np.asarray(d_default_value, grad_values.dtype)


def _infer_sparse_fill_empty_rows_grad(op):
    reverse_index_map, grad_values = op.inputs
    dtype = grad_values.dtype.base_dtype
    return [(dtype, reverse_index_map.shape), (dtype, _ts.TensorShape([]))]


registry.register_op(
    "SparseFillEmptyRowsGrad",
    infer=_infer_sparse_fill_empty_rows_grad,
    kernel=_sparse_fill_empty_rows_grad_kernel,
    fresh=True,
    inputs=("reverse_index_map", "grad_values: T"),
)


@register_gradient("SparseFillEmptyRows")
def _sparse_fill_empty_rows_grad(
    op, unused_grad_indices, output_grad_values, unused_grad_empty_rows, unused_grad_reverse_index_map
):
    reverse_index_map = op.outputs[3]
    grad_op = make_op(
        "SparseFillEmptyRowsGrad",
        [reverse_index_map, output_grad_values],
        name="SparseFillEmptyRowsGrad",
        attrs={"T": output_grad_values.dtype.base_dtype},
    )
    d_values, d_default_value = grad_op.outputs
    return [None, d_values, None, d_default_value]
