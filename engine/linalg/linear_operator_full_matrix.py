"""`tf.linalg.LinearOperatorFullMatrix`: an operator holding its dense matrix [..., M, N]."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.linalg.linear_operator import LinearOperator, arguments
from engine.ops import array_ops, math_ops

_ALLOWED = [dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128]


class LinearOperatorFullMatrix(LinearOperator):
    """The operator of a dense (batch) matrix; solves and determinants go through the dense ops."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorFullMatrix"):
        parameters = arguments(locals())
        with ops.name_scope(name, values=[matrix]):
            self._matrix = ops.convert_to_tensor(matrix, name="matrix")
            if self._matrix.dtype.base_dtype not in _ALLOWED:
                raise TypeError(
                    f"Argument `matrix` must have dtype in {_ALLOWED}. Received: {self._matrix.dtype}."
                )
            if self._matrix.shape.ndims is not None and self._matrix.shape.ndims < 2:
                raise ValueError(
                    f"Argument `matrix` must have at least 2 dimensions. Received: {self._matrix}."
                )
            super().__init__(dtype=self._matrix.dtype, is_non_singular=is_non_singular,
                             is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                             is_square=is_square, parameters=parameters, name=name)

    @property
    def matrix(self):
        return self._matrix

    def _shape(self):
        return self._matrix.shape

    def _shape_tensor(self):
        return array_ops.shape_v1(self._matrix)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self):
        return self._matrix
