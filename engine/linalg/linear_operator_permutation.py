"""`tf.linalg.LinearOperatorPermutation`: the matrix permuting rows by `perm` ([..., N] integers):
`matmul` gathers x's rows, a solve gathers by the inverse permutation. Deviation: a batch of
permutations must have x's static batch shape here (TF broadcasts them at run time)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, tensor_util
from engine.linalg.linear_operator import LinearOperator, arguments
from engine.ops import array_ops, control_flow_ops, linalg_ops, math_ops
from engine.ops.sort_ops import argsort


class LinearOperatorPermutation(LinearOperator):
    def __init__(self, perm, dtype=dtypes.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        parameters = arguments(locals())
        with ops.name_scope(name, values=[perm]):
            self._perm = ops.convert_to_tensor(perm, name="perm")
            if self._perm.shape.ndims is not None and self._perm.shape.ndims < 1:
                raise ValueError(
                    f"Argument `perm` must have at least 1 dimension. Received: {self._perm}.")
            if not self._perm.dtype.is_integer:
                raise TypeError(f"Argument `perm` must be integer dtype. Received: {self._perm}.")
            static_perm = tensor_util.constant_value(self._perm)
            if static_perm is not None:
                static_perm = np.asarray(static_perm)
                if np.any(np.sort(static_perm, axis=-1) != np.arange(0, static_perm.shape[-1])):
                    raise ValueError("Argument `perm` must be a vector of unique integers from 0 to "
                                     f"{static_perm.shape[-1] - 1}.")
            if is_non_singular is False:
                raise ValueError("A Permutation operator is always non-singular. Expected argument "
                                 f"`is_non_singular` to be True. Received: {is_non_singular}.")
            if is_square is False:
                raise ValueError("A Permutation operator is always square. Expected argument `is_square` to "
                                 f"be True. Received: {is_square}.")
            super().__init__(dtype=dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                             is_positive_definite=is_positive_definite, is_square=True,
                             parameters=parameters, name=name)

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        shape = self._perm.shape
        return shape.concatenate(shape[-1:])

    def _shape_tensor(self):
        perm_shape = array_ops.shape_v1(self._perm)
        return array_ops.concat((perm_shape, [perm_shape[-1]]), 0)

    def _assert_non_singular(self):
        return control_flow_ops.no_op("assert_non_singular")

    def _domain_dimension_tensor(self, shape=None):
        return array_ops.shape_v1(self.perm)[-1]

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        perm = self.perm
        if adjoint and not self.is_self_adjoint:
            perm = argsort(perm, axis=-1)
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        return array_ops.gather(x, perm, axis=-2, batch_dims=perm.shape.ndims - 1)

    def _log_abs_determinant(self):
        return array_ops.zeros(self.batch_shape_tensor(), dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _to_dense(self):
        rows = math_ops.range(0, self._domain_dimension_tensor())
        return array_ops.cast(math_ops.equal(rows, self.perm[..., None]), self.dtype)

    def _diag_part(self):
        rows = math_ops.range(0, self._domain_dimension_tensor())
        return array_ops.cast(math_ops.equal(rows, self.perm), self.dtype)

    def _cond(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)
