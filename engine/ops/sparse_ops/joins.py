"""Cutting and joining SparseTensors: SparseConcat (`tf.sparse.concat`), SparseSlice (+ SparseSliceGrad,
`tf.sparse.slice`), SparseSplit (`tf.sparse.split`)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.framework.sparse_tensor import SparseTensor, convert_to_sparse
from engine.ops import array_ops, math_ops
from engine.ops.op_util import dims, make_op, make_tensor
from engine.ops.sparse_ops.common import (
    as_indices,
    as_shape,
    check_sparse_inputs,
    lex_order,
    rank_of,
    sparse_outputs,
)


# --- SparseConcat ----------------------------------------------------------------------------------------
def _sparse_concat_compile(op, runtime):
    n = op.get_attr("N")
    concat_dim = op.get_attr("concat_dim")

    def kernel(*args):
        indices = [as_indices(a) for a in args[:n]]
        values = [np.asarray(a) for a in args[n : 2 * n]]
        shapes = [as_shape(a) for a in args[2 * n :]]
        rank = len(shapes[0])
        if concat_dim < -rank or concat_dim >= rank:
            raise errors.InvalidArgumentError(
                None, None, f"Concat dimension must be in range [{-rank}, {rank}), got {concat_dim}"
            )
        dim = concat_dim % rank
        for i in range(n):
            check_sparse_inputs(indices[i], values[i], shapes[i], "")
            if len(shapes[i]) != rank:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"Ranks of all input tensors must match: expected {rank} but got "
                    f"{len(shapes[i])} at position {i}",
                )
            for j in range(rank):
                if j != dim and shapes[i][j] != shapes[0][j]:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Input shapes must match: expected {shapes[0][j]} for dimension {j} but "
                        f"got {shapes[i][j]} at position {i}",
                    )
        offsets = np.cumsum([0] + [s[dim] for s in shapes[:-1]])
        moved = []
        for i in range(n):
            idx = indices[i].copy()
            idx[:, dim] += offsets[i]
            moved.append(idx)
        out_idx = np.concatenate(moved) if moved else np.zeros((0, rank), np.int64)
        out_val = np.concatenate(values)
        order = lex_order(out_idx)  # the output is in row-major order, as TF resorts it
        out_shape = list(shapes[0])
        out_shape[dim] = sum(s[dim] for s in shapes)
        return out_idx[order], out_val[order], np.asarray(out_shape, np.int64)

    return kernel


def _infer_sparse_concat(op):
    n = op.get_attr("N")
    indices, values, shapes = op.inputs[:n], op.inputs[n : 2 * n], op.inputs[2 * n :]
    nnz = 0
    for v in values:
        d = dims(v)
        nnz = None if nnz is None or d is None or d[0] is None else nnz + d[0]
    rank = rank_of(*shapes)
    if rank is None:
        rank = next((dims(i)[1] for i in indices if dims(i) is not None and dims(i)[1] is not None), None)
    return sparse_outputs(values[0].dtype.base_dtype, rank, nnz)


registry.register_op(
    "SparseConcat",
    infer=_infer_sparse_concat,
    compile=_sparse_concat_compile,
    fresh=True,
    inputs=("indices: N*int64", "values: N*T", "shapes: N*int64"),
)
registry.register_not_differentiable("SparseConcat")


def sparse_concat(
    axis, sp_inputs, name=None, expand_nonconcat_dim=False, concat_dim=None, expand_nonconcat_dims=None
):
    """``tf.sparse.concat`` (TF1 signature): SparseTensors joined along `axis`; with
    `expand_nonconcat_dim` the other dimensions grow to the largest input's."""
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    if axis is not None and concat_dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'concat_dim'")
    axis = axis if axis is not None else concat_dim
    if not isinstance(sp_inputs, (list, tuple)):
        raise TypeError("Inputs must be a list or tuple.")
    sp_inputs = [convert_to_sparse(sp) for sp in sp_inputs]
    if len(sp_inputs) == 1:
        return sp_inputs[0]
    inds = [sp.indices for sp in sp_inputs]
    vals = [sp.values for sp in sp_inputs]
    shapes = [sp.dense_shape for sp in sp_inputs]
    if expand_nonconcat_dim:
        max_shape = math_ops.reduce_max(
            array_ops.concat([array_ops.reshape(s, [1, -1]) for s in shapes], 0), 0
        )
        shapes = [
            array_ops.concat(
                [
                    max_shape[:axis],
                    s[-1:] if axis == -1 else s[axis : axis + 1],
                    [] if axis == -1 else max_shape[axis + 1 :],
                ],
                0,
            )
            for s in shapes
        ]
    op = make_op(
        "SparseConcat",
        inds + vals + shapes,
        name=name or "SparseConcat",
        attrs={"concat_dim": int(axis), "N": len(sp_inputs), "T": vals[0].dtype.base_dtype},
    )
    output_ind, output_val, output_shape = op.outputs
    input_shapes = [inp.shape for inp in sp_inputs]
    if all(s.ndims is not None for s in input_shapes):
        if expand_nonconcat_dim:
            static = []
            for d in range(input_shapes[0].ndims):
                sizes = [s[d].value for s in input_shapes]
                static.append(None if None in sizes else max(sizes))
        else:
            static = input_shapes[0].as_list()
        sizes = [s[axis].value for s in input_shapes]
        static[axis] = None if None in sizes else sum(sizes)
    else:
        static = None
    if all(s.is_fully_defined() for s in input_shapes):
        return SparseTensor(output_ind, output_val, ops.convert_to_tensor(static, dtype=dtypes.int64))
    output = SparseTensor(output_ind, output_val, output_shape)
    output.set_shape(_ts.TensorShape(static))
    return output


# --- SparseSlice -----------------------------------------------------------------------------------------
def _slice_bounds(shape, start, size):
    start = [int(s) for s in np.asarray(start).reshape(-1)]
    size = [int(s) for s in np.asarray(size).reshape(-1)]
    if len(start) != len(shape) or len(size) != len(shape):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Expected start and size to be of length {len(shape)} but got {len(start)} and {len(size)}",
        )
    out_shape = [max(0, min(st + sz, d) - st) for st, sz, d in zip(start, size, shape, strict=True)]
    return np.asarray(start, np.int64), np.asarray(out_shape, np.int64)


def _sparse_slice_kernel(indices, values, shape, start, size):
    indices, values, shape = as_indices(indices), np.asarray(values), as_shape(shape)
    check_sparse_inputs(indices, values, shape, "")
    start, out_shape = _slice_bounds(shape, start, size)
    rel = indices - start
    keep = ((rel >= 0) & (rel < out_shape)).all(axis=1) if len(shape) else np.ones(len(indices), bool)
    return rel[keep], values[keep], out_shape


def _infer_sparse_slice(op):
    indices, values, shape, _, _ = op.inputs
    rank = rank_of(shape)
    if rank is None and dims(indices) is not None:
        rank = dims(indices)[1]
    return sparse_outputs(values.dtype.base_dtype, rank)


registry.register_op(
    "SparseSlice",
    infer=_infer_sparse_slice,
    kernel=_sparse_slice_kernel,
    fresh=True,
    inputs=("indices", "values: T", "shape", "start", "size"),
)


def sparse_slice(sp_input, start, size, name=None):
    """``tf.sparse.slice``: the entries inside the box `start` .. `start + size`, re-based at `start`."""
    sp_input = convert_to_sparse(sp_input)
    start = ops.convert_to_tensor(start, dtypes.int64)
    size = ops.convert_to_tensor(size, dtypes.int64)
    with ops.name_scope(name, "SparseSlice", [sp_input]) as scope:
        op = make_op(
            "SparseSlice",
            [sp_input.indices, sp_input.values, sp_input.dense_shape, start, size],
            name=scope,
            attrs={"T": sp_input.values.dtype.base_dtype},
        )
        return SparseTensor(*op.outputs)


def _sparse_slice_grad_kernel(backprop_val_grad, input_indices, input_start, output_indices):
    grad = np.asarray(backprop_val_grad)
    inputs, outputs = as_indices(input_indices), as_indices(output_indices)
    start = np.asarray(input_start, np.int64).reshape(-1)
    # The slice keeps its entries in order: walk both lists together.
    out = np.zeros(len(inputs), grad.dtype)
    j = 0
    for i in range(len(inputs)):
        if j < len(outputs) and (inputs[i] == outputs[j] + start).all():
            out[i] = grad[j]
            j += 1
    if j != len(outputs):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Elements of backprop_val_grad aren't all propagated. Num elements: {len(outputs)}, used: {j}",
        )
    return out


def _infer_sparse_slice_grad(op):
    grad, input_indices = op.inputs[0], op.inputs[1]
    d = dims(input_indices)
    return [(grad.dtype.base_dtype, _ts.TensorShape([d[0] if d else None]))]


registry.register_op(
    "SparseSliceGrad",
    infer=_infer_sparse_slice_grad,
    kernel=_sparse_slice_grad_kernel,
    fresh=True,
    inputs=("backprop_val_grad: T", "input_indices", "input_start", "output_indices"),
    allowed={"T": groups.NUMBER_TYPES},
)


@register_gradient("SparseSlice")
def _sparse_slice_grad(op, *grads):
    backprop_val_grad = grads[1]
    val_grad = make_tensor(
        "SparseSliceGrad",
        [backprop_val_grad, op.inputs[0], op.inputs[3], op.outputs[0]],
        name="SparseSliceGrad",
        attrs={"T": backprop_val_grad.dtype.base_dtype},
    )
    val_grad.set_shape(op.inputs[1].get_shape())
    return (None, val_grad, None, None, None)


# --- SparseSplit -----------------------------------------------------------------------------------------
def _sparse_split_compile(op, runtime):
    num_split = op.get_attr("num_split")

    def kernel(split_dim, indices, values, shape):
        indices, values, shape = as_indices(indices), np.asarray(values), as_shape(shape)
        check_sparse_inputs(indices, values, shape, "")
        rank = len(shape)
        axis = int(split_dim)
        if axis < -rank or axis >= rank:
            raise errors.InvalidArgumentError(
                None, None, f"Input split_dim should be between {-rank} and {rank}, got {axis}"
            )
        axis %= rank
        size = shape[axis]
        if not 1 <= num_split <= size:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Input num_split should be between 1 and the splitting dimension size ({size}), "
                f"got {num_split}",
            )
        base, residual = divmod(size, num_split)  # the first `residual` pieces are one longer
        sizes = [base + (i < residual) for i in range(num_split)]
        starts = np.cumsum([0] + sizes[:-1])
        piece = np.searchsorted(starts, indices[:, axis], side="right") - 1
        outs_i, outs_v, outs_s = [], [], []
        for k in range(num_split):
            mine = piece == k
            idx = indices[mine].copy()
            idx[:, axis] -= starts[k]
            sub_shape = list(shape)
            sub_shape[axis] = sizes[k]
            outs_i.append(idx)
            outs_v.append(values[mine])
            outs_s.append(np.asarray(sub_shape, np.int64))
        return tuple(outs_i + outs_v + outs_s)

    return kernel


def _infer_sparse_split(op):
    n = op.get_attr("num_split")
    _, indices, values, shape = op.inputs
    rank = rank_of(shape)
    if rank is None and dims(indices) is not None:
        rank = dims(indices)[1]
    return (
        [(dtypes.int64, _ts.TensorShape([None, rank]))] * n
        + [(values.dtype.base_dtype, _ts.TensorShape([None]))] * n
        + [(dtypes.int64, _ts.TensorShape([rank]))] * n
    )


registry.register_op(
    "SparseSplit",
    infer=_infer_sparse_split,
    compile=_sparse_split_compile,
    fresh=True,
    inputs=("split_dim", "indices", "values: T", "shape"),
)


def sparse_split(keyword_required=None, sp_input=None, num_split=None, axis=None, name=None, split_dim=None):
    """``tf.sparse.split`` (TF1 signature, keyword arguments only): `num_split` SparseTensors along `axis`,
    the first ones one longer when the dimension does not divide evenly."""
    if keyword_required is not None:
        raise ValueError("Keyword arguments are required for this function.")
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None and split_dim is None:
        raise ValueError("axis is required")
    if axis is not None and split_dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'split_dim'")
    axis = axis if axis is not None else split_dim
    sp_input = convert_to_sparse(sp_input)
    inputs = [sp_input.indices, sp_input.values, sp_input.dense_shape]
    with ops.name_scope(name, "SparseSplit", inputs) as scope:
        axis_t = ops.convert_to_tensor(axis, dtype=dtypes.int64, name="split_dim")
        op = make_op("SparseSplit", [axis_t] + inputs, name=scope,
                     attrs={"num_split": int(num_split), "T": sp_input.values.dtype.base_dtype})
    outs = op.outputs
    n = int(num_split)
    return [SparseTensor(outs[i], outs[n + i], outs[2 * n + i]) for i in range(n)]
