"""LU factorisation with partial pivoting: the Lu op (``tf.linalg.lu``; kernel on LAPACK's getrf through
scipy, shape rule, registration) and what TF builds from it (``lu_solve``, ``lu_matrix_inverse``,
``lu_reconstruct``, python/ops/linalg/linalg_impl.py). TF registers no gradient for Lu, so neither does the
engine; the composites differentiate through their primitives (triangular solves, MatMul, gathers)."""

from __future__ import annotations

import collections
import warnings

import numpy as np
import scipy.linalg

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.band_ops import matrix_band_part
from engine.ops.linalg_ops import _invalid, _register, _square, matrix_triangular_solve
from engine.ops.nd_index_ops import gather_nd, scatter_nd
from engine.ops.op_util import dims, make_op, shape

Lu = collections.namedtuple("Lu", ["lu", "p"])


def _lu_one(matrix):
    """(packed L\\U, perm) of one matrix: row perm[i] of the matrix is row i of L @ U."""
    lu, pivots = scipy.linalg.lu_factor(matrix, check_finite=False)
    perm = np.arange(matrix.shape[0])
    for i, pivot in enumerate(pivots):  # getrf's row swaps, in order, applied to the identity
        perm[[i, pivot]] = perm[[pivot, i]]
    return lu, perm


def _compile_lu(op, runtime):
    index_type = dtypes.as_dtype(op.get_attr("output_idx_type")).as_numpy_dtype

    def kernel(x):
        x = np.asarray(x)
        lu, perm = np.empty_like(x), np.empty(x.shape[:-1], index_type)
        for idx in np.ndindex(*x.shape[:-2]):
            if x.shape[-1] == 0:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)  # singular: the check below
                lu[idx], perm[idx] = _lu_one(x[idx])
            if not np.all(np.diagonal(lu[idx])):
                raise _invalid("Input is not invertible.")
        return lu, perm

    return kernel


def _infer_lu(op):
    x = op.inputs[0]
    index_type = dtypes.as_dtype(op.get_attr("output_idx_type"))
    d = _square(op, dims(x))
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape()), (index_type, _ts.unknown_shape())]
    return [(x.dtype.base_dtype, shape(d)), (index_type, shape(d[:-1]))]


_register("Lu", _infer_lu, compiled=_compile_lu, attrs={"output_idx_type": dtypes.int32})


def lu(input, output_idx_type=dtypes.int32, name=None):  # noqa: A002 - TF's argument name
    """``tf.linalg.lu``: (lu, p) with the unit-lower L and upper U packed in `lu` and row p[i] of each input
    matrix equal to row i of L @ U (partial pivoting); a singular matrix is InvalidArgumentError."""
    return Lu(*_lu_op(input, output_idx_type, name).outputs)


def _lu_op(x, output_idx_type, name):
    x = ops.convert_to_tensor(x, name="input")
    return make_op("Lu", [x], name=name or "Lu",
                   attrs={"T": x.dtype.base_dtype, "output_idx_type": dtypes.as_dtype(output_idx_type)})


def _unit_lower(lower_upper):
    """L of a packed factorisation: the strict lower triangle with ones on the diagonal."""
    return array_ops.matrix_set_diag(matrix_band_part(lower_upper, -1, 0),
                                     array_ops.ones(array_ops.shape_v1(lower_upper)[:-1], lower_upper.dtype))


def _lu_arguments(lower_upper, perm):
    lower_upper = ops.convert_to_tensor(lower_upper, name="lower_upper")
    perm = ops.convert_to_tensor(perm, name="perm")
    return lower_upper, perm


def _batch_row_indices(perm, batch_size, d):
    """[batch, d, 2] indices (batch index, perm[batch, i]) of a flattened batch of permutations."""
    batch = array_ops.broadcast_to(array_ops.expand_dims(math_ops.range(batch_size), 1),
                                   array_ops.stack([batch_size, d]))
    return array_ops.stack([batch, array_ops.cast(array_ops.reshape(perm, array_ops.stack([-1, d])),
                                                  dtypes.int32)], axis=-1)


def _broadcast_static(perm_shape, rhs_shape):
    """The static shape of rhs broadcast against perm's batch dimensions (None when a rank is unknown)."""
    if perm_shape.ndims is None or rhs_shape.ndims is None:
        return None
    a, b = perm_shape.as_list()[:-1], rhs_shape.as_list()[:-2]
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
    batch = [y if x == 1 else x if y == 1 else (x if x is not None else y) for x, y in zip(a, b, strict=True)]
    return batch + rhs_shape.as_list()[-2:]


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """``tf.linalg.lu_solve``: X with A @ X = rhs given `lu(A)`: rhs permuted, then two triangular solves."""
    del validate_args  # the static checks below are TF's; its run-time asserts are not built
    with ops.name_scope(name or "lu_solve"):
        lower_upper, perm = _lu_arguments(lower_upper, perm)
        rhs = ops.convert_to_tensor(rhs, dtype=lower_upper.dtype.base_dtype, name="rhs")
        if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
            raise ValueError("Input `rhs` must have at least 2 dimensions.")
        last, rows = (_ts.dimension_value(lower_upper.shape[-1]) if lower_upper.shape.ndims else None,
                      _ts.dimension_value(rhs.shape[-2]) if rhs.shape.ndims else None)
        if last is not None and rows is not None and last != rows:
            raise ValueError("`lower_upper.shape[-1]` must equal `rhs.shape[-1]`.")
        if rhs.shape.ndims == 2 and perm.shape.ndims == 1:
            permuted_rhs = array_ops.gather(rhs, perm, axis=-2)
        else:
            rhs_shape = array_ops.shape_v1(rhs)
            batch_shape = array_ops.shape_v1(  # the broadcast of the two batch shapes
                array_ops.zeros(array_ops.shape_v1(perm)[:-1], dtypes.int32)
                + array_ops.zeros(rhs_shape[:-2], dtypes.int32))
            d, m = rhs_shape[-2], rhs_shape[-1]
            full_shape = array_ops.concat([batch_shape, array_ops.stack([d, m])], 0)
            flat_rhs = array_ops.reshape(array_ops.broadcast_to(rhs, full_shape), array_ops.stack([-1, d, m]))
            batch_size = math_ops.reduce_prod(batch_shape)
            flat_perm = array_ops.broadcast_to(perm, full_shape[:-1])
            rows = _batch_row_indices(flat_perm, batch_size, d)
            permuted_rhs = array_ops.reshape(gather_nd(flat_rhs, rows), full_shape)
            permuted_rhs.set_shape(_broadcast_static(perm.shape, rhs.shape))
        lower = _unit_lower(lower_upper)
        return matrix_triangular_solve(lower_upper, matrix_triangular_solve(lower, permuted_rhs), lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """``tf.linalg.lu_matrix_inverse``: the inverse of A from `lu(A)`, as `lu_solve` of the identity."""
    with ops.name_scope(name or "lu_matrix_inverse"):
        lower_upper, perm = _lu_arguments(lower_upper, perm)
        identity = array_ops.matrix_diag(array_ops.ones(array_ops.shape_v1(lower_upper)[:-1],
                                                        lower_upper.dtype.base_dtype))
        identity.set_shape(lower_upper.shape)
        return lu_solve(lower_upper, perm, rhs=identity, validate_args=validate_args)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """``tf.linalg.lu_reconstruct``: A back from `lu(A)`: L @ U with row i moved to row perm[i]."""
    del validate_args
    with ops.name_scope(name or "lu_reconstruct"):
        lower_upper, perm = _lu_arguments(lower_upper, perm)
        product = math_ops.matmul(_unit_lower(lower_upper), matrix_band_part(lower_upper, 0, -1))
        if lower_upper.shape.ndims == 2:
            result = array_ops.gather(product, array_ops.invert_permutation(perm))
        else:  # TF inverts each permutation with map_fn; scattering the rows to perm does the same
            full_shape = array_ops.shape_v1(lower_upper)
            d = full_shape[-1]
            batch_size = math_ops.reduce_prod(full_shape[:-2])
            flat_shape = array_ops.stack([batch_size, d, d])
            flat = array_ops.reshape(product, flat_shape)
            rows = _batch_row_indices(perm, batch_size, d)
            result = array_ops.reshape(scatter_nd(rows, flat, flat_shape), full_shape)
        result.set_shape(lower_upper.shape)
        return result
