"""`tf.linalg.LinearOperatorLowerTriangular`: the lower triangle of a square (batch) matrix (the rest of
`tril` is ignored); solves are triangular solves, the determinant the diagonal's product."""

from __future__ import annotations

from engine.framework import ops
from engine.linalg.linear_operator import LinearOperator, arguments, assert_no_entries_with_modulus_zero
from engine.ops import array_ops, linalg_ops, math_ops
from engine.ops.band_ops import matrix_band_part, matrix_diag_part


class LinearOperatorLowerTriangular(LinearOperator):
    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorLowerTriangular"):
        parameters = arguments(locals())
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        with ops.name_scope(name, values=[tril]):
            self._tril = ops.convert_to_tensor(tril, name="tril")
            if self._tril.shape.ndims is not None and self._tril.shape.ndims < 2:
                raise ValueError(f"Argument tril must have at least 2 dimensions.  Found: {self._tril}")
            super().__init__(dtype=self._tril.dtype, is_non_singular=is_non_singular,
                             is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                             is_square=True, parameters=parameters, name=name)

    @property
    def tril(self):
        return self._tril

    def _get_tril(self):
        return matrix_band_part(self._tril, -1, 0)

    def _get_diag(self):
        return matrix_diag_part(self._tril)

    def _shape(self):
        return self._tril.shape

    def _shape_tensor(self):
        return array_ops.shape_v1(self._tril)

    def _assert_non_singular(self):
        return assert_no_entries_with_modulus_zero(
            self._get_diag(), message="Singular operator:  Diagonal contained zero values."
        )

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self._get_tril(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _linop_matmul(self, left_operator, right_operator):
        from engine.linalg.linear_operator_diag import LinearOperatorDiag, commuting_hints

        if isinstance(right_operator, LinearOperatorDiag):
            hints = commuting_hints(right_operator, left_operator)
            return LinearOperatorLowerTriangular(
                left_operator.to_dense() * right_operator.diag, **{**hints, "is_positive_definite": None}
            )
        return super()._linop_matmul(left_operator, right_operator)

    def _determinant(self):
        return math_ops.reduce_prod(self._get_diag(), axis=[-1])

    def _log_abs_determinant(self):
        return math_ops.reduce_sum(math_ops.log(math_ops.abs(self._get_diag())), axis=[-1])

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        return linalg_ops.matrix_triangular_solve(self._get_tril(), rhs, lower=True, adjoint=adjoint)

    def _to_dense(self):
        return self._get_tril()

    def _eigvals(self):
        return self._get_diag()
