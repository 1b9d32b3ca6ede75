"""Between sparse and dense: SparseToDense (`tf.sparse_to_dense`, `tf.sparse.to_dense`) and what TF builds
from other ops (`tf.sparse.from_dense`, `tf.sparse_placeholder`, `tf.sparse.retain`, `tf.sparse.eye`,
`tf.sparse.expand_dims`)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.framework.sparse_tensor import SparseTensor, convert_to_sparse
from engine.framework.tensor_shape import dimension_at_index
from engine.ops import array_ops, math_ops
from engine.ops.nd_index_ops import gather_nd
from engine.ops.op_util import make_tensor
from engine.ops.sparse_ops.common import as_shape, check_in_bounds, check_order


def _sparse_to_dense_compile(op, runtime):
    validate = op.get_attr("validate_indices")

    def kernel(sparse_indices, output_shape, sparse_values, default_value):
        indices = np.asarray(sparse_indices, np.int64)
        output_shape = np.asarray(output_shape)
        if indices.ndim > 2:
            raise errors.InvalidArgumentError(
                None,
                None,
                "sparse_indices should be a scalar, vector, or matrix, got shape "
                f"[{','.join(map(str, indices.shape))}]",
            )
        if output_shape.ndim > 1:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"output_shape should be a scalar or vector, got shape "
                f"[{','.join(map(str, output_shape.shape))}]",
            )
        shape = as_shape(output_shape)
        n = indices.shape[0] if indices.ndim else 1
        dims = indices.shape[1] if indices.ndim == 2 else 1
        indices = indices.reshape(n, dims)
        values = np.asarray(sparse_values)
        if values.ndim > 1 or (values.ndim == 1 and values.shape[0] != n):
            raise errors.InvalidArgumentError(
                None,
                None,
                f"sparse_values has incorrect shape [{','.join(map(str, values.shape))}], "
                f"should be [] or [{n}]",
            )
        if np.ndim(default_value) != 0:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"default_value should be a scalar, got shape "
                f"[{','.join(map(str, np.shape(default_value)))}]",
            )
        if len(shape) != dims:
            raise errors.InvalidArgumentError(
                None, None, f"output_shape has incorrect number of elements: {len(shape)} should be: {dims}"
            )
        dtype = values.dtype
        out = np.full(shape, default_value, dtype)
        if validate:
            check_order(indices, shape)
        else:
            check_in_bounds(indices, shape)
        if n:
            out[tuple(indices.T)] = values
        return out

    return kernel


def _infer_sparse_to_dense(op):
    _, output_shape, values, _ = op.inputs
    return [(values.dtype.base_dtype, tensor_util.constant_value_as_shape(output_shape))]


registry.register_op(
    "SparseToDense",
    infer=_infer_sparse_to_dense,
    compile=_sparse_to_dense_compile,
    fresh=True,
    attrs={"validate_indices": True},
    inputs=("sparse_indices: Tindices", "output_shape: Tindices", "sparse_values: T", "default_value: T"),
    allowed={"Tindices": ("int32", "int64")},
)


def sparse_to_dense(
    sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True, name=None
):
    """``tf.sparse_to_dense``: a dense tensor of `output_shape` holding `sparse_values` at
    `sparse_indices` (scalar, vector or matrix) and `default_value` elsewhere."""
    with ops.name_scope(
        name, "SparseToDense", [sparse_indices, output_shape, sparse_values, default_value]
    ) as scope:
        sparse_indices = ops.convert_to_tensor(sparse_indices, name="sparse_indices")
        output_shape = ops.convert_to_tensor(
            output_shape, dtype=sparse_indices.dtype.base_dtype, name="output_shape"
        )
        sparse_values = ops.convert_to_tensor(sparse_values, name="sparse_values")
        default_value = ops.convert_to_tensor(
            default_value, dtype=sparse_values.dtype.base_dtype, name="default_value"
        )
        return make_tensor(
            "SparseToDense",
            [sparse_indices, output_shape, sparse_values, default_value],
            name=scope,
            attrs={
                "validate_indices": bool(validate_indices),
                "T": sparse_values.dtype.base_dtype,
                "Tindices": sparse_indices.dtype.base_dtype,
            },
        )


def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """``tf.sparse.to_dense`` / ``tf.sparse_tensor_to_dense``: the dense tensor `sp_input` stands for
    (`default_value`, zero by default, where it has no entry)."""
    sp_input = convert_to_sparse(sp_input)
    if default_value is None:
        default_value = array_ops.zeros([], dtype=sp_input.dtype)
    return sparse_to_dense(
        sp_input.indices,
        sp_input.dense_shape,
        sp_input.values,
        default_value=default_value,
        validate_indices=validate_indices,
        name=name,
    )


@register_gradient("SparseToDense")
def _sparse_to_dense_grad(op, grad):
    sparse_indices, output_shape, _, _ = op.inputs
    sparse_values_grad = gather_nd(grad, sparse_indices)
    default_value_grad = math_ops.reduce_sum(grad) - math_ops.reduce_sum(sparse_values_grad)
    return [
        array_ops.zeros_like(sparse_indices),
        array_ops.zeros_like(output_shape),
        sparse_values_grad,
        default_value_grad,
    ]


def from_dense(tensor, name=None):
    """``tf.sparse.from_dense``: a SparseTensor of `tensor`'s non-zero entries, in row-major order."""
    with ops.name_scope(name, "dense_to_sparse"):
        tensor = ops.convert_to_tensor(tensor)
        indices = array_ops.where_v2(math_ops.not_equal(tensor, array_ops.zeros_like(tensor)))
        values = gather_nd(tensor, indices)
        shape = array_ops.shape_v1(tensor, out_type=dtypes.int64)
        return SparseTensor(indices, values, shape)


def sparse_placeholder(dtype, shape=None, name=None):
    """``tf.sparse_placeholder``: a SparseTensor of three placeholders, fed as one (a SparseTensorValue or
    an (indices, values, dense_shape) tuple).  A given `shape` becomes the feedable default of the
    dense_shape placeholder and the static shape."""
    shape_name = (name + "/shape") if name is not None else None
    default_shape_name = (name + "/shape_default") if name is not None else None
    if shape is None:
        rank = None
        dense_shape = array_ops.placeholder(dtypes.int64, shape=[rank], name=shape_name)
        dense_shape_default = tensor_util.constant_value_as_shape(dense_shape)
    else:
        if isinstance(shape, ops.Tensor):
            rank = shape.get_shape()[0].value
            dense_shape_default = tensor_util.constant_value_as_shape(shape)
        else:
            rank = len(shape)
            dense_shape_default = _ts.TensorShape(tuple(None if dim == -1 else dim for dim in shape))
            shape = tuple(_ts.dimension_value(dim) for dim in shape)
            shape = tuple(-1 if dim is None else dim for dim in shape)
            shape = ops.convert_to_tensor(shape, dtype=dtypes.int64, name=default_shape_name)
        dense_shape = array_ops.placeholder_with_default(shape, shape=shape.shape, name=shape_name)
    result = SparseTensor(
        values=array_ops.placeholder(
            dtype, shape=[None], name=(name + "/values") if name is not None else None
        ),
        indices=array_ops.placeholder(
            dtypes.int64, shape=[None, rank], name=(name + "/indices") if name is not None else None
        ),
        dense_shape=dense_shape,
    )
    result.set_shape(dense_shape_default)
    return result


def sparse_retain(sp_input, to_retain):
    """``tf.sparse.retain``: the entries of `sp_input` where the bool vector `to_retain` is true."""
    sp_input = convert_to_sparse(sp_input)
    to_retain = ops.convert_to_tensor(to_retain)
    retain_shape = to_retain.get_shape()
    retain_shape.assert_has_rank(1)
    if sp_input.values.get_shape().dims is not None:
        sp_input.values.get_shape().dims[0].assert_is_compatible_with(dimension_at_index(retain_shape, 0))
    where_true = array_ops.reshape(array_ops.where_v2(to_retain), [-1])
    new_indices = array_ops.gather(sp_input.indices, where_true)
    new_values = array_ops.gather(sp_input.values, where_true)
    return SparseTensor(new_indices, new_values, array_ops.identity(sp_input.dense_shape))


def _make_int64_tensor(value, name):
    if isinstance(value, (int, np.integer)):
        return ops.convert_to_tensor(value, name=name, dtype=dtypes.int64)
    if not isinstance(value, ops.Tensor):
        raise TypeError(f"{name} must be an integer value")
    if value.dtype.base_dtype == dtypes.int64:
        return value
    return array_ops.cast(value, dtypes.int64)


def sparse_eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """``tf.sparse.eye``: a [num_rows, num_columns] SparseTensor with ones on the diagonal."""
    with ops.name_scope(name, "eye", [num_rows, num_columns]):
        num_rows = _make_int64_tensor(num_rows, "num_rows")
        num_columns = num_rows if num_columns is None else _make_int64_tensor(num_columns, "num_columns")
        diag_size = math_ops.minimum(num_rows, num_columns)
        diag_range = math_ops.range(diag_size, dtype=dtypes.int64)
        return SparseTensor(
            indices=array_ops.stack([diag_range, diag_range], axis=1),
            values=array_ops.ones(diag_size, dtype=dtype),
            dense_shape=[num_rows, num_columns],
        )


def sparse_expand_dims(sp_input, axis=None, name=None):
    """``tf.sparse.expand_dims``: a size-1 dimension inserted at `axis` (-1 by default)."""
    rank = sp_input.dense_shape.get_shape()[0].value
    if rank is None:
        rank = array_ops.shape_v1(sp_input.dense_shape)[0]
    axis = -1 if axis is None else axis
    with ops.name_scope(name, "expand_dims", [sp_input]):
        if isinstance(axis, (int, np.integer)):
            axis = ops.convert_to_tensor(axis, name="axis", dtype=dtypes.int32)
        elif not isinstance(axis, ops.Tensor):
            raise TypeError("axis must be an integer value in range [-rank(sp_input) - 1, rank(sp_input)]")
        axis = array_ops.where_v2(axis >= 0, axis, axis + rank + 1)
        column_size = array_ops.shape_v1(sp_input.indices)[0]
        new_index = array_ops.zeros([column_size, 1], dtype=dtypes.int64)
        indices_before = array_ops.slice(sp_input.indices, [0, 0], [-1, axis])
        indices_after = array_ops.slice(sp_input.indices, [0, axis], [-1, -1])
        indices = array_ops.concat([indices_before, new_index, indices_after], axis=1)
        shape_before = array_ops.slice(sp_input.dense_shape, [0], [axis])
        shape_after = array_ops.slice(sp_input.dense_shape, [axis], [-1])
        new_shape = ops.convert_to_tensor([1], name="new_shape", dtype=dtypes.int64)
        shape = array_ops.concat([shape_before, new_shape, shape_after], axis=0)
        return SparseTensor(indices=indices, values=sp_input.values, dense_shape=shape)
