"""`tf.linalg.LinearOperatorInversion`: an operator's inverse, its matmul the operator's solve."""

from __future__ import annotations

from engine.linalg.linear_operator import WrappedOperator, arguments


class LinearOperatorInversion(WrappedOperator):
    _relation, _suffix = "inverse", "_inv"

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        parameters = arguments(locals())
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError(
                "Argument `is_non_singular` or argument `operator` must have supplied hint `is_non_singular` "
                f"equal to `True` or `None`. Found `operator.is_non_singular`: {operator.is_non_singular}, "
                f"`is_non_singular`: {is_non_singular}.")
        if operator.is_square is False or is_square is False:
            raise ValueError(
                "Argument `is_square` or argument `operator` must have supplied hint `is_square` equal to "
                f"`True` or `None`. Found `operator.is_square`: {operator.is_square}, `is_square`: "
                f"{is_square}.")
        super().__init__(operator, is_non_singular, is_self_adjoint, is_positive_definite, is_square, name,
                         parameters)

    def _linop_inverse(self):
        return self.operator

    def _linop_solve(self, left_operator, right_operator):
        return left_operator.operator.matmul(right_operator)

    def _shape(self):
        return self.operator.shape

    def _shape_tensor(self):
        return self.operator.shape_tensor()

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self.operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self.operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return 1.0 / self.operator.determinant()

    def _log_abs_determinant(self):
        return -1.0 * self.operator.log_abs_determinant()

    def _eigvals(self):
        return 1.0 / self.operator.eigvals()
