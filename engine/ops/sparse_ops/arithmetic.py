"""Elementwise sparse arithmetic: SparseAdd (+ SparseAddGrad), SparseTensorDenseAdd (`tf.sparse.add`),
SparseSparseMaximum / Minimum, SparseDenseCwiseMul / Div / Add, SparseSoftmax (`tf.sparse.softmax`), with
gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.framework.sparse_tensor import SparseTensor, SparseTensorValue, convert_to_sparse
from engine.ops import array_ops, math_ops
from engine.ops.nd_index_ops import gather_nd
from engine.ops.op_util import dims, make_op, make_tensor
from engine.ops.sparse_ops.common import (
    as_indices,
    as_shape,
    check_sparse_inputs,
    lex_order,
    rank_of,
    row_keys,
    sparse_outputs,
)
from engine.ops.sparse_ops.reductions import sparse_reduce_sum


def _operands(a_indices, a_values, a_shape, b_indices, b_values, b_shape):
    """The two checked operands of a sparse-sparse op, (indices, values) each, and their common shape."""
    a_idx, a_val, a_sh = as_indices(a_indices), np.asarray(a_values), as_shape(a_shape)
    b_idx, b_val, b_sh = as_indices(b_indices), np.asarray(b_values), as_shape(b_shape)
    check_sparse_inputs(a_idx, a_val, a_sh, "a_")
    check_sparse_inputs(b_idx, b_val, b_sh, "b_")
    if len(a_sh) != len(b_sh):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Operands do not have the same ranks; got shapes: [{','.join(map(str, a_sh))}] and "
            f"[{','.join(map(str, b_sh))}]",
        )
    for i, (x, y) in enumerate(zip(a_sh, b_sh, strict=True)):
        if x != y:
            raise errors.InvalidArgumentError(
                None, None, f"Operands' shapes do not match: got {x} and {y} for dimension {i}"
            )
    return (a_idx, a_val), (b_idx, b_val), a_sh


def _merge(a_idx, b_idx):
    """TF's merge of two ordered index lists: the order of all entries (a's before b's on ties) and, per
    merged position, whether it comes from a, from b, or both (`pair` marks the a-entry of a pair)."""
    both = np.concatenate([a_idx, b_idx]) if len(a_idx) or len(b_idx) else a_idx
    source = np.concatenate([np.zeros(len(a_idx), np.int64), np.ones(len(b_idx), np.int64)])
    keys = [source] + ([both[:, d] for d in range(both.shape[1] - 1, -1, -1)] if both.size else [])
    order = np.lexsort(keys) if len(keys) > 1 else np.argsort(source, kind="stable")
    merged = both[order]
    src = source[order]
    same_next = np.zeros(len(order), bool)
    if len(order) > 1:
        same_next[:-1] = (merged[1:] == merged[:-1]).all(axis=1) & (src[:-1] == 0) & (src[1:] == 1)
    return order, merged, same_next


# --- SparseAdd -------------------------------------------------------------------------------------------
def _sparse_add_kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh):
    (a_idx, a_val), (b_idx, b_val), shape = _operands(
        a_indices, a_values, a_shape, b_indices, b_values, b_shape
    )
    values = np.concatenate([a_val, b_val])
    order, merged, pair = _merge(a_idx, b_idx)
    vals = values[order]
    paired_second = np.zeros(len(order), bool)
    paired_second[1:] = pair[:-1]
    sums = vals.copy()
    sums[pair] = vals[pair] + vals[np.nonzero(pair)[0] + 1]
    keep = ~paired_second
    keep &= ~pair | (np.abs(sums) >= thresh)  # only a sum of two entries may fall below the threshold
    return merged[keep].astype(np.int64), sums[keep], np.asarray(shape, np.int64)


def _infer_sparse_add(op):
    a_indices, a_values, a_shape, _, _, b_shape, _ = op.inputs
    return sparse_outputs(a_values.dtype.base_dtype, rank_of(a_shape, b_shape))


registry.register_op(
    "SparseAdd",
    infer=_infer_sparse_add,
    kernel=_sparse_add_kernel,
    fresh=True,
    inputs=("a_indices", "a_values: T", "a_shape", "b_indices", "b_values: T", "b_shape", "thresh: Treal"),
    allowed={"T": groups.NUMBER_TYPES, "Treal": groups.REAL_NUMBER_TYPES},
)


def _positions(rows, table):
    """For each index row of `rows`, its position in `table` (-1 where it is not there)."""
    where = {k: i for i, k in enumerate(row_keys(table))}
    return np.array([where.get(k, -1) for k in row_keys(rows)], np.int64)


def _sparse_add_grad_kernel(backprop_val_grad, a_indices, b_indices, sum_indices):
    grad = np.asarray(backprop_val_grad)
    total = as_indices(sum_indices)
    out = []
    for idx in (as_indices(a_indices), as_indices(b_indices)):
        pos = _positions(idx, total)
        g = np.zeros(len(idx), grad.dtype)
        g[pos >= 0] = grad[pos[pos >= 0]]
        out.append(g)
    return tuple(out)


def _infer_sparse_add_grad(op):
    grad, a_indices, b_indices, _ = op.inputs
    a, b = dims(a_indices), dims(b_indices)
    dtype = grad.dtype.base_dtype
    return [(dtype, _ts.TensorShape([a[0] if a else None])), (dtype, _ts.TensorShape([b[0] if b else None]))]


registry.register_op(
    "SparseAddGrad",
    infer=_infer_sparse_add_grad,
    kernel=_sparse_add_grad_kernel,
    fresh=True,
    inputs=("backprop_val_grad: T", "a_indices", "b_indices", "sum_indices"),
    allowed={"T": groups.NUMBER_TYPES},
)
registry.register_not_differentiable("SparseAddGrad")


@register_gradient("SparseAdd")
def _sparse_add_grad(op, *grads):
    val_grad = grads[1]
    grad_op = make_op(
        "SparseAddGrad",
        [val_grad, op.inputs[0], op.inputs[3], op.outputs[0]],
        name="SparseAddGrad",
        attrs={"T": val_grad.dtype.base_dtype},
    )
    a_val_grad, b_val_grad = grad_op.outputs
    a_val_grad.set_shape(op.inputs[1].get_shape())
    b_val_grad.set_shape(op.inputs[4].get_shape())
    return (None, a_val_grad, None, None, b_val_grad, None, None)


# --- SparseTensorDenseAdd --------------------------------------------------------------------------------
def _sparse_dense_add_kernel(a_indices, a_values, a_shape, b):
    indices, values, shape, b = as_indices(a_indices), np.asarray(a_values), as_shape(a_shape), np.asarray(b)
    if len(shape) != b.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"Dimensions of a_shape ({len(shape)}) and b ({b.ndim}) do not match"
        )
    for i, (s, d) in enumerate(zip(shape, b.shape, strict=True)):
        if s != d:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Dimension {i} does not equal (no broadcasting is supported): sparse side {s} vs "
                f"dense side {d}",
            )
    out = b.copy()
    if len(indices):
        np.add.at(out, tuple(indices.T), values)
    return out


def _infer_sparse_dense_add(op):
    b = op.inputs[3]
    return [(b.dtype.base_dtype, b.shape)]


registry.register_op(
    "SparseTensorDenseAdd",
    infer=_infer_sparse_dense_add,
    kernel=_sparse_dense_add_kernel,
    fresh=True,
    inputs=("a_indices: Tindices", "a_values: T", "a_shape: Tindices", "b: T"),
    allowed={"T": groups.NUMBER_TYPES, "Tindices": ("int32", "int64")},
)


@register_gradient("SparseTensorDenseAdd")
def _sparse_dense_add_grad(op, out_grad):
    return (None, gather_nd(out_grad, op.inputs[0]), None, out_grad)


def sparse_add(a, b, threshold=None, thresh=None):
    """``tf.sparse.add`` (TF1 signature): sparse + sparse is a SparseTensor (sums of two entries whose
    magnitude is below `threshold` are dropped); sparse + dense is a dense Tensor."""
    if threshold is not None and thresh is not None:
        raise ValueError("Cannot specify both 'threshold' and 'thresh'")
    threshold = threshold if threshold is not None else (thresh if thresh is not None else 0)
    sparse_classes = (SparseTensor, SparseTensorValue)
    if not any(isinstance(inp, sparse_classes) for inp in (a, b)):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    if all(isinstance(inp, sparse_classes) for inp in (a, b)):
        a, b = convert_to_sparse(a), convert_to_sparse(b)
        threshold = ops.convert_to_tensor(
            threshold, dtype=a.values.dtype.real_dtype.base_dtype, name="threshold"
        )
        op = make_op(
            "SparseAdd",
            [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape, threshold],
            name="SparseAdd",
            attrs={"T": a.values.dtype.base_dtype, "Treal": threshold.dtype.base_dtype},
        )
        output_ind, output_val, output_shape = op.outputs
        a.get_shape().assert_is_compatible_with(b.get_shape())
        static_shape = a.get_shape().merge_with(b.get_shape())
        if static_shape.is_fully_defined():
            output_shape = static_shape.as_list()
        return SparseTensor(output_ind, output_val, output_shape)
    if isinstance(b, sparse_classes):
        a, b = b, a
    a = convert_to_sparse(a)
    b = ops.convert_to_tensor(b, name="b")
    return make_tensor(
        "SparseTensorDenseAdd",
        [a.indices, a.values, a.dense_shape, b],
        name="SparseTensorDenseAdd",
        attrs={"T": a.values.dtype.base_dtype, "Tindices": dtypes.int64},
    )


# --- SparseSparseMaximum / SparseSparseMinimum -----------------------------------------------------------
def _sparse_sparse_compile(ufunc):
    def kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape):
        (a_idx, a_val), (b_idx, b_val), _ = _operands(
            a_indices, a_values, a_shape, b_indices, b_values, b_shape
        )
        zero = np.zeros((), a_val.dtype)
        values = np.concatenate([a_val, b_val])
        order, merged, pair = _merge(a_idx, b_idx)
        vals = values[order]
        paired_second = np.zeros(len(order), bool)
        paired_second[1:] = pair[:-1]
        out = ufunc(vals, zero)  # an entry missing on the other side is an implicit zero there
        out[pair] = ufunc(vals[pair], vals[np.nonzero(pair)[0] + 1])
        keep = ~paired_second
        return merged[keep].astype(np.int64), out[keep]

    return lambda op, runtime: kernel


def _infer_sparse_sparse(op):
    a_values, a_shape, b_shape = op.inputs[1], op.inputs[2], op.inputs[5]
    return sparse_outputs(a_values.dtype.base_dtype, rank_of(a_shape, b_shape))[:2]


_SPARSE_SPARSE_INPUTS = ("a_indices", "a_values: T", "a_shape", "b_indices", "b_values: T", "b_shape")
registry.register_op(
    "SparseSparseMaximum",
    infer=_infer_sparse_sparse,
    compile=_sparse_sparse_compile(np.maximum),
    fresh=True,
    inputs=_SPARSE_SPARSE_INPUTS,
    allowed={"T": groups.REAL_NUMBER_TYPES},
)
registry.register_op(
    "SparseSparseMinimum",
    infer=_infer_sparse_sparse,
    compile=_sparse_sparse_compile(np.minimum),
    fresh=True,
    inputs=_SPARSE_SPARSE_INPUTS,
    allowed={"T": groups.NUMBER_TYPES},
)


def _sparse_sparse(op_type, sp_a, sp_b, name):
    with ops.name_scope(name, op_type, [sp_a.indices, sp_a.values, sp_b.indices, sp_b.values]) as scope:
        op = make_op(
            op_type,
            [sp_a.indices, sp_a.values, sp_a.dense_shape, sp_b.indices, sp_b.values, sp_b.dense_shape],
            name=scope,
            attrs={"T": sp_a.values.dtype.base_dtype},
        )
    out_indices, out_values = op.outputs
    return SparseTensor(out_indices, out_values, sp_a.dense_shape)


def sparse_maximum(sp_a, sp_b, name=None):
    """``tf.sparse.maximum``: elementwise max of two SparseTensors of one shape (missing entries are 0)."""
    return _sparse_sparse("SparseSparseMaximum", sp_a, sp_b, name)


def sparse_minimum(sp_a, sp_b, name=None):
    """``tf.sparse.minimum``: elementwise min of two SparseTensors of one shape (missing entries are 0)."""
    return _sparse_sparse("SparseSparseMinimum", sp_a, sp_b, name)


# --- SparseDenseCwise{Mul,Div,Add} -----------------------------------------------------------------------
def _dense_at_entries(indices, shape, dense):
    """The dense operand, broadcast to the sparse shape (only the dense side broadcasts), at each entry."""
    dense = np.asarray(dense)
    if dense.ndim > len(shape) or any(
        d not in (1, s) for d, s in zip(dense.shape[::-1], shape[::-1], strict=False)
    ):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"SparseDenseBinaryOpShared broadcasts dense to sparse only; got incompatible shapes: "
            f"[{','.join(map(str, shape))}] vs. [{','.join(map(str, dense.shape))}]",
        )
    full = np.broadcast_to(dense, shape)
    return full[tuple(indices.T)] if len(indices) else np.zeros(0, dense.dtype)


def _cwise_kernel(ufunc):
    def kernel(sp_indices, sp_values, sp_shape, dense):
        indices, values, shape = as_indices(sp_indices), np.asarray(sp_values), as_shape(sp_shape)
        check_sparse_inputs(indices, values, shape, "")
        return ufunc(values, _dense_at_entries(indices, shape, dense)).astype(values.dtype, copy=False)

    return kernel


def _infer_cwise(op):
    values = op.inputs[1]
    return [(values.dtype.base_dtype, _ts.TensorShape([dims(values)[0] if dims(values) else None]))]


def _true_divide(x, y):
    """TF's Div on the entries: integer division truncates toward zero as C++ does."""
    if np.issubdtype(x.dtype, np.integer):
        return np.trunc(np.true_divide(x, y)).astype(x.dtype)
    return np.true_divide(x, y)


_CWISE_INPUTS = ("sp_indices", "sp_values: T", "sp_shape", "dense: T")
for _op_type, _ufunc in (
    ("SparseDenseCwiseMul", np.multiply),
    ("SparseDenseCwiseDiv", _true_divide),
    ("SparseDenseCwiseAdd", np.add),
):
    registry.register_op(
        _op_type,
        infer=_infer_cwise,
        kernel=_cwise_kernel(_ufunc),
        fresh=True,
        inputs=_CWISE_INPUTS,
        allowed={"T": groups.NUMBER_TYPES},
    )


def sparse_dense_cwise(op_type, sp_t, dense_t, name=None):
    """A SparseTensor with `sp_t`'s entries combined with the dense tensor at their positions."""
    dense_t = ops.convert_to_tensor(dense_t, dtype=sp_t.values.dtype.base_dtype)
    result = make_tensor(
        op_type,
        [sp_t.indices, sp_t.values, sp_t.dense_shape, dense_t],
        name=name or op_type,
        attrs={"T": sp_t.values.dtype.base_dtype},
    )
    return SparseTensor(sp_t.indices, result, sp_t.dense_shape)


def _cwise_mul_or_div_grad(op, grad, is_mul):
    x_indices, x_shape, y = op.inputs[0], op.inputs[2], op.inputs[3]
    y_shape = array_ops.cast(array_ops.shape_v1(y), dtypes.int64)
    num_added_dims = array_ops.expand_dims(array_ops.size(x_shape) - array_ops.size(y_shape), 0)
    augmented_y_shape = array_ops.concat([array_ops.ones(num_added_dims, dtypes.int64), y_shape], 0)
    scaling = x_shape // augmented_y_shape
    scaled_indices = x_indices // scaling
    scaled_indices = array_ops.slice(scaled_indices, array_ops.concat([[0], num_added_dims], 0), [-1, -1])
    dense_vals = gather_nd(y, scaled_indices)
    if is_mul:
        dx = grad * dense_vals
        dy_val = grad * op.inputs[1]
    else:
        dx = grad / dense_vals
        dy_val = grad * (-op.inputs[1] / math_ops.square(dense_vals))
    dy = sparse_add(array_ops.zeros_like(y), SparseTensor(scaled_indices, dy_val, y_shape))
    return (None, dx, None, dy)


@register_gradient("SparseDenseCwiseMul")
def _sparse_dense_cwise_mul_grad(op, grad):
    return _cwise_mul_or_div_grad(op, grad, True)


@register_gradient("SparseDenseCwiseDiv")
def _sparse_dense_cwise_div_grad(op, grad):
    return _cwise_mul_or_div_grad(op, grad, False)


# --- SparseSoftmax ---------------------------------------------------------------------------------------
def _sparse_softmax_kernel(sp_indices, sp_values, sp_shape):
    indices, values, shape = as_indices(sp_indices), np.asarray(sp_values), as_shape(sp_shape)
    if values.ndim != 1:
        raise errors.InvalidArgumentError(
            None, None, f"values should be a vector, but got shape [{','.join(map(str, values.shape))}]"
        )
    if len(shape) < 2:
        raise errors.InvalidArgumentError(
            None, None, f"Input should have rank >= 2, but received shape: [{','.join(map(str, shape))}]"
        )
    if not len(values):
        return values.copy()
    order = lex_order(indices)
    _, group_sorted = np.unique(indices[order, :-1], axis=0, return_inverse=True)
    group = np.empty(len(values), np.int64)
    group[order] = group_sorted.reshape(-1)
    n = int(group.max()) + 1
    peak = np.full(n, -np.inf, values.dtype)
    np.maximum.at(peak, group, values)
    e = np.exp(values - peak[group])
    total = np.zeros(n, values.dtype)
    np.add.at(total, group, e)
    return (e / total[group]).astype(values.dtype)


def _infer_sparse_softmax(op):
    values = op.inputs[1]
    return [(values.dtype.base_dtype, values.shape)]


registry.register_op(
    "SparseSoftmax",
    infer=_infer_sparse_softmax,
    kernel=_sparse_softmax_kernel,
    fresh=True,
    inputs=("sp_indices", "sp_values: T", "sp_shape"),
    allowed={"T": ("float16", "float32", "float64")},
)


def sparse_softmax(sp_input, name=None):
    """``tf.sparse.softmax``: softmax over the entries present in each innermost row."""
    with ops.name_scope(name, "SparseSoftmax", [sp_input.indices, sp_input.values]):
        out_vals = make_tensor(
            "SparseSoftmax",
            [sp_input.indices, sp_input.values, sp_input.dense_shape],
            name="SparseSoftmax",
            attrs={"T": sp_input.values.dtype.base_dtype},
        )
        return SparseTensor(sp_input.indices, out_vals, sp_input.dense_shape)


@register_gradient("SparseSoftmax")
def _sparse_softmax_grad(op, grad):
    """(grad - sum(grad * softmax) over the row) * softmax, with sparse reductions over the last axis."""
    indices, shape = op.inputs[0], op.inputs[2]
    out_vals = op.outputs[0]
    sp_product = SparseTensor(indices, out_vals * grad, shape)
    sum_reduced = -sparse_reduce_sum(sp_product, [-1], keepdims=True)
    sp_sum = sparse_dense_cwise("SparseDenseCwiseAdd", SparseTensor(indices, grad, shape), sum_reduced)
    return [None, sp_sum.values * out_vals, None]
