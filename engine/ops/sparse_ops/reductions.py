"""Sparse to dense arithmetic: SparseReduceSum / SparseReduceMax (and their *Sparse forms,
`tf.sparse.reduce_sum` ...) and SparseTensorDenseMatMul (`tf.sparse.sparse_dense_matmul`), with
gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.framework.sparse_tensor import SparseTensor, SparseTensorValue, convert_to_sparse
from engine.ops import array_ops, grad_util, math_ops
from engine.ops.nd_index_ops import gather_nd
from engine.ops.op_util import dims, make_op, make_tensor, shape_error
from engine.ops.sparse_ops.common import as_indices, as_shape, check_sparse_inputs


# --- SparseReduceSum / SparseReduceMax -------------------------------------------------------------------
def _reduction_axes(axes, rank):
    axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    for a in axes:
        if a < -rank or a >= rank:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension {a}, for input with {rank} dimensions."
            )
    return sorted({a % rank for a in axes}) if rank else []


def _grouped(indices, values, shape, axes, keep_dims):
    """The output groups of a sparse reduction: (sorted unique output indices, group of each entry,
    reduced shape)."""
    kept = [d for d in range(len(shape)) if d not in axes]
    out_shape = (
        [1 if d in axes else shape[d] for d in range(len(shape))] if keep_dims else [shape[d] for d in kept]
    )
    if keep_dims:
        keys = indices.copy()
        keys[:, axes] = 0
    else:
        keys = indices[:, kept]
    if not len(keys):
        return np.zeros((0, keys.shape[1]), np.int64), np.zeros(0, np.int64), out_shape
    if not keys.shape[1]:  # every axis reduced: one group
        return np.zeros((1, 0), np.int64), np.zeros(len(keys), np.int64), out_shape
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    return unique, inverse.reshape(-1), out_shape


def _reduce_values(kind, values, group, n):
    if kind == "sum":
        out = np.zeros(n, values.dtype)
        np.add.at(out, group, values)
        return out
    out = np.empty(n, values.dtype)
    fill = np.inf if values.dtype.kind in "fc" else np.iinfo(values.dtype).max
    out[...] = -fill if values.dtype.kind == "f" else np.iinfo(values.dtype).min
    np.maximum.at(out, group, values)
    return out


def _sparse_reduce_compile(kind, sparse_out):
    def compile_(op, runtime):
        keep_dims = op.get_attr("keep_dims")

        def kernel(input_indices, input_values, input_shape, reduction_axes):
            indices, values, shape = (
                as_indices(input_indices),
                np.asarray(input_values),
                as_shape(input_shape),
            )
            check_sparse_inputs(indices, values, shape, "")
            axes = _reduction_axes(reduction_axes, len(shape))
            unique, group, out_shape = _grouped(indices, values, shape, axes, keep_dims)
            reduced = _reduce_values(kind, values, group, len(unique))
            if sparse_out:
                return unique.astype(np.int64), reduced, np.asarray(out_shape, np.int64)
            out = np.zeros(out_shape, values.dtype)  # no entries in a group: 0 (also for max)
            if len(unique):
                out[tuple(unique.T)] = reduced if unique.shape[1] else reduced[0]
            return out

        return kernel

    return compile_


def _infer_sparse_reduce(op):
    _, values, input_shape, axes = op.inputs
    dtype = values.dtype.base_dtype
    shape_value = tensor_util.constant_value(input_shape)
    axes_value = tensor_util.constant_value(axes)
    if shape_value is None or axes_value is None:
        return [(dtype, _ts.unknown_shape())]
    rank = int(shape_value.size)
    keep_dims = op.get_attr("keep_dims")
    reduced = set()
    for a in np.asarray(axes_value).reshape(-1).tolist():
        if a < -rank or a >= rank:
            raise shape_error(op, f"Invalid reduction dimension {a}, for input with {rank} dimensions.")
        reduced.add(a % rank)
    out = [1 if d in reduced else int(s) for d, s in enumerate(shape_value.reshape(-1))]
    if not keep_dims:
        out = [s for d, s in enumerate(out) if d not in reduced]
    return [(dtype, _ts.TensorShape(out))]


def _infer_sparse_reduce_sparse(op):
    return [
        (dtypes.int64, _ts.TensorShape([None, None])),
        (op.inputs[1].dtype.base_dtype, _ts.TensorShape([None])),
        (dtypes.int64, _ts.TensorShape([None])),
    ]


_REDUCE_INPUTS = ("input_indices", "input_values: T", "input_shape", "reduction_axes")
for _op_type, _kind, _sparse_out, _allowed in (
    ("SparseReduceSum", "sum", False, groups.NUMBER_TYPES),
    ("SparseReduceSumSparse", "sum", True, groups.NUMBER_TYPES),
    ("SparseReduceMax", "max", False, groups.REAL_NUMBER_TYPES),
    ("SparseReduceMaxSparse", "max", True, groups.REAL_NUMBER_TYPES),
):
    registry.register_op(
        _op_type,
        infer=_infer_sparse_reduce_sparse if _sparse_out else _infer_sparse_reduce,
        compile=_sparse_reduce_compile(_kind, _sparse_out),
        fresh=True,
        attrs={"keep_dims": False},
        inputs=_REDUCE_INPUTS,
        allowed={"T": _allowed},
    )


def _reduction_dims(sp_input, axis):
    """math_ops._ReductionDims for a SparseTensor: `axis`, or every dimension."""
    if axis is not None:
        return axis
    rank = sp_input.shape.ndims
    if rank:
        return ops.convert_to_tensor(np.arange(rank, dtype=np.int32))
    return math_ops.range(0, array_ops.size(sp_input.dense_shape))


def _sparse_reduce(op_type, sp_input, axis, keepdims, reduction_axes, keep_dims):
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    if axis is not None and reduction_axes is not None:
        raise ValueError("Cannot specify both 'axis' and 'reduction_axes'")
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    axis = axis if axis is not None else reduction_axes
    sp_input = convert_to_sparse(sp_input)
    axes = _reduction_dims(sp_input, axis)
    inputs = [sp_input.indices, sp_input.values, sp_input.dense_shape]
    with ops.name_scope(None, op_type, inputs + [axes]) as scope:
        axes = ops.convert_to_tensor(axes, dtype=dtypes.int32, name="reduction_axes")
        op = make_op(op_type, inputs + [axes], name=scope,
                     attrs={"keep_dims": keepdims, "T": sp_input.values.dtype.base_dtype})
    if op_type.endswith("Sparse"):
        return SparseTensor(*op.outputs)
    return op.outputs[0]


def sparse_reduce_sum(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """``tf.sparse.reduce_sum``: the dense sum of `sp_input` over `axis` (every axis by default)."""
    return _sparse_reduce("SparseReduceSum", sp_input, axis, keepdims, reduction_axes, keep_dims)


def sparse_reduce_sum_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """``tf.sparse.reduce_sum_sparse``: the sum as a SparseTensor of the groups that have entries."""
    return _sparse_reduce("SparseReduceSumSparse", sp_input, axis, keepdims, reduction_axes, keep_dims)


def sparse_reduce_max(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """``tf.sparse.reduce_max``: the max over the entries present (0 where a group has none)."""
    return _sparse_reduce("SparseReduceMax", sp_input, axis, keepdims, reduction_axes, keep_dims)


def sparse_reduce_max_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """``tf.sparse.reduce_max_sparse``: the max as a SparseTensor of the groups that have entries."""
    return _sparse_reduce("SparseReduceMaxSparse", sp_input, axis, keepdims, reduction_axes, keep_dims)


@register_gradient("SparseReduceSum")
def _sparse_reduce_sum_grad(op, out_grad):
    """Each entry gets the gradient of the output element it was summed into."""
    sp_indices, sp_shape = op.inputs[0], op.inputs[2]
    output_shape_kept_dims = grad_util.reduced_shape(sp_shape, op.inputs[3])
    out_grad_reshaped = array_ops.reshape(out_grad, output_shape_kept_dims)
    scale = sp_shape // array_ops.cast(output_shape_kept_dims, dtypes.int64)
    return (None, gather_nd(out_grad_reshaped, sp_indices // scale), None, None)


# --- SparseTensorDenseMatMul -----------------------------------------------------------------------------
def _sparse_dense_matmul_compile(op, runtime):
    adjoint_a, adjoint_b = op.get_attr("adjoint_a"), op.get_attr("adjoint_b")

    def kernel(a_indices, a_values, a_shape, b):
        indices, values, b = np.asarray(a_indices, np.int64), np.asarray(a_values), np.asarray(b)
        shape = as_shape(a_shape)
        if len(shape) != 2 or indices.ndim != 2 or indices.shape[1] != 2:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Tensor 'a_shape' is not a vector of length 2 ({list(shape)})"
                if len(shape) != 2
                else f"Tensor 'a_indices' is not a matrix of Nx2, shape {list(indices.shape)}",
            )
        if b.ndim != 2:
            raise errors.InvalidArgumentError(
                None, None, f"Tensor 'b' is not a matrix, shape [{','.join(map(str, b.shape))}]"
            )
        if adjoint_b:
            b = b.T.conj()
        rows, cols = indices[:, 0], indices[:, 1]
        out_rows, inner = shape
        if adjoint_a:
            rows, cols = cols, rows
            out_rows, inner = inner, out_rows
            values = values.conj()
        if inner != b.shape[0]:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Cannot multiply A and B because inner dimension does not match: {inner} vs. "
                f"{b.shape[0]}.  Did you forget a transpose?  Dimensions of A: [{shape[0]}, {shape[1]}).  "
                f"Dimensions of B: [{','.join(map(str, b.shape))}]",
            )
        bad = (cols < 0) | (cols >= inner)
        if bad.any():
            i = int(np.argmax(bad))
            raise errors.InvalidArgumentError(
                None,
                None,
                f"k ({int(cols[i])}) from index[{i},{0 if adjoint_a else 1}] out of bounds (>={inner})",
            )
        bad = (rows < 0) | (rows >= out_rows)
        if bad.any():
            i = int(np.argmax(bad))
            raise errors.InvalidArgumentError(
                None,
                None,
                f"m ({int(rows[i])}) from index[{i},{1 if adjoint_a else 0}] out of bounds (>={out_rows})",
            )
        out = np.zeros((out_rows, b.shape[1]), np.result_type(values, b))
        np.add.at(out, rows, values[:, None] * b[cols])
        return out

    return kernel


def _infer_sparse_dense_matmul(op):
    a_indices, a_values, a_shape, b = op.inputs
    adjoint_a, adjoint_b = op.get_attr("adjoint_a"), op.get_attr("adjoint_b")
    a = tensor_util.constant_value_as_shape(a_shape)
    if a.ndims is not None and a.ndims != 2:
        raise shape_error(op, f"Shape must be rank 2 but is rank {a.ndims}")
    bd = dims(b)
    if bd is not None and len(bd) != 2:
        raise shape_error(op, f"Shape must be rank 2 but is rank {len(bd)}")
    ad = a._as_tuple() or (None, None)
    bd = bd or (None, None)
    out_rows, inner_a = (ad[1], ad[0]) if adjoint_a else ad
    inner_b, out_cols = (bd[1], bd[0]) if adjoint_b else bd
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        raise shape_error(op, f"Dimensions must be equal, but are {inner_a} and {inner_b}")
    return [(a_values.dtype.base_dtype, _ts.TensorShape([out_rows, out_cols]))]


registry.register_op(
    "SparseTensorDenseMatMul",
    infer=_infer_sparse_dense_matmul,
    compile=_sparse_dense_matmul_compile,
    fresh=True,
    attrs={"adjoint_a": False, "adjoint_b": False, "Tindices": dtypes.int64},
    inputs=("a_indices: Tindices", "a_values: T", "a_shape", "b: T"),
    allowed={"Tindices": ("int32", "int64")},
)


def _sparse_dense_matmul_op(a_indices, a_values, a_shape, b, adjoint_a=False, adjoint_b=False, name=None):
    return make_tensor(
        "SparseTensorDenseMatMul",
        [a_indices, a_values, a_shape, b],
        name=name or "SparseTensorDenseMatMul",
        attrs={
            "T": a_values.dtype.base_dtype,
            "Tindices": a_indices.dtype.base_dtype,
            "adjoint_a": bool(adjoint_a),
            "adjoint_b": bool(adjoint_b),
        },
    )


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """``tf.sparse.sparse_dense_matmul``: the product of a rank-2 SparseTensor and a dense matrix (either
    side sparse; `adjoint_*` transposes and conjugates)."""
    if isinstance(b, (SparseTensor, SparseTensorValue)):
        if adjoint_a != adjoint_b:
            return array_ops.transpose(sparse_tensor_dense_matmul(b, sp_a, adjoint_a, adjoint_b))
        return array_ops.transpose(
            sparse_tensor_dense_matmul(b, sp_a, adjoint_a=not adjoint_a, adjoint_b=not adjoint_b)
        )
    sp_a = convert_to_sparse(sp_a)
    with ops.name_scope(name, "SparseTensorDenseMatMul", [sp_a.indices, sp_a.values, b]):
        b = ops.convert_to_tensor(b, name="b")
        return _sparse_dense_matmul_op(sp_a.indices, sp_a.values, sp_a.dense_shape, b, adjoint_a, adjoint_b)


@register_gradient("SparseTensorDenseMatMul")
def _sparse_dense_matmul_grad(op, grad):
    """d b = A^T grad (one more sparse product); d a_values = for each entry (i, k), grad[i] . b[k]."""
    a_indices, a_values, a_shape = op.inputs[:3]
    b = op.inputs[3]
    adj_a, adj_b = op.get_attr("adjoint_a"), op.get_attr("adjoint_b")
    a_type, b_type = a_values.dtype.base_dtype, b.dtype.base_dtype
    if a_type != b_type:
        raise TypeError(
            f"SparseTensorDenseMatMul op received operands with different types: `{a_type}` and `{b_type}`."
        )
    b_grad = _sparse_dense_matmul_op(a_indices, a_values, a_shape, grad, adjoint_a=not adj_a)
    if adj_b:
        b_grad = array_ops.matrix_transpose(b_grad, conjugate=True)
    rows, cols = a_indices[:, 0], a_indices[:, 1]
    parts_a = array_ops.gather(grad, rows if not adj_a else cols)
    parts_b = array_ops.gather(b if not adj_b else array_ops.transpose(b), cols if not adj_a else rows)
    if not adj_a and not adj_b:
        a_values_grad = math_ops.matmul(
            array_ops.expand_dims(parts_a, -2), array_ops.expand_dims(parts_b, -2), adjoint_b=True
        )
    elif adj_a and not adj_b:
        a_values_grad = math_ops.matmul(
            array_ops.expand_dims(parts_a, -1), array_ops.expand_dims(parts_b, -1), adjoint_a=True
        )
    elif not adj_a and adj_b:
        a_values_grad = math_ops.matmul(
            array_ops.expand_dims(parts_a, -2), array_ops.expand_dims(parts_b, -1)
        )
    else:
        a_values_grad = math_ops.matmul(
            array_ops.expand_dims(parts_a, -1),
            array_ops.expand_dims(parts_b, -2),
            adjoint_a=True,
            adjoint_b=True,
        )
    return (None, array_ops.squeeze(a_values_grad, axis=[-2, -1]), None, b_grad)
