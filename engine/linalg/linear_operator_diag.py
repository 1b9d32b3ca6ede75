"""`tf.linalg.LinearOperatorDiag`: a square diagonal operator held by its diagonal [..., N]."""

from __future__ import annotations

from engine.framework import ops
from engine.linalg.linear_operator import (
    LinearOperator,
    arguments,
    assert_no_entries_with_modulus_zero,
    assert_zero_imag_part,
)
from engine.ops import array_ops, check_ops, linalg_ops, math_ops
from engine.ops.band_ops import matrix_diag, matrix_diag_part, matrix_set_diag
from engine.ops.complex_ops import conj, real


def commuting_hints(left, right):
    """TF's hints for a product of commuting (diagonal) operators."""
    if left.is_non_singular is False or right.is_non_singular is False:
        non_singular = False
    else:
        non_singular = left.is_non_singular and right.is_non_singular
    if left.is_self_adjoint and right.is_self_adjoint:
        self_adjoint = True
    elif {left.is_self_adjoint, right.is_self_adjoint} == {True, False}:
        self_adjoint = False
    else:
        self_adjoint = None
    positive = (
        left.is_positive_definite
        and left.is_self_adjoint
        and right.is_positive_definite
        and right.is_self_adjoint
    )
    return {
        "is_non_singular": non_singular,
        "is_self_adjoint": self_adjoint,
        "is_positive_definite": True if positive else None,
        "is_square": True,
    }


class LinearOperatorDiag(LinearOperator):
    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorDiag"):
        parameters = arguments(locals())
        with ops.name_scope(name, values=[diag]):
            self._diag = ops.convert_to_tensor(diag, name="diag")
            if self._diag.shape.ndims is not None and self._diag.shape.ndims < 1:
                raise ValueError(f"Argument diag must have at least 1 dimension.  Found: {self._diag}")
            if not self._diag.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError("A real diagonal operator is always self adjoint.")
                is_self_adjoint = True
            if is_square is False:
                raise ValueError("Only square diagonal operators currently supported.")
            super().__init__(dtype=self._diag.dtype, is_non_singular=is_non_singular,
                             is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                             is_square=True, parameters=parameters, name=name)

    @property
    def diag(self):
        return self._diag

    def _shape(self):
        shape = self._diag.shape
        return shape.concatenate(shape[-1:])

    def _shape_tensor(self):
        d_shape = array_ops.shape_v1(self._diag)
        return array_ops.concat((d_shape, [d_shape[-1]]), 0)

    def _linop_matmul(self, left_operator, right_operator):
        from engine.linalg.linear_operator_lower_triangular import LinearOperatorLowerTriangular

        hints = commuting_hints(left_operator, right_operator)
        if isinstance(right_operator, LinearOperatorDiag):
            return LinearOperatorDiag(left_operator.diag * right_operator.diag, **hints)
        if isinstance(right_operator, LinearOperatorLowerTriangular):
            return LinearOperatorLowerTriangular(
                left_operator.diag[..., None] * right_operator.to_dense(),
                **{**hints, "is_positive_definite": None},
            )
        return super()._linop_matmul(left_operator, right_operator)

    def _linop_solve(self, left_operator, right_operator):
        from engine.linalg.linear_operator_lower_triangular import LinearOperatorLowerTriangular

        hints = commuting_hints(left_operator, right_operator)
        if isinstance(right_operator, LinearOperatorDiag):
            return LinearOperatorDiag(right_operator.diag / left_operator.diag, **hints)
        if isinstance(right_operator, LinearOperatorLowerTriangular):
            return LinearOperatorLowerTriangular(
                right_operator.to_dense() / left_operator.diag[..., None],
                **{**hints, "is_positive_definite": None},
            )
        return super()._linop_solve(left_operator, right_operator)

    def _linop_inverse(self):
        return LinearOperatorDiag(1.0 / self.diag, is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite, is_square=True)

    def _linop_adjoint(self):
        diag = conj(self.diag) if self.diag.dtype.is_complex else self.diag
        return LinearOperatorDiag(diag, is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite, is_square=True)

    def _linop_cholesky(self):
        return LinearOperatorDiag(
            math_ops.sqrt(self.diag),
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
            is_square=True,
        )

    def _assert_non_singular(self):
        return assert_no_entries_with_modulus_zero(
            self._diag, message="Singular operator:  Diagonal contained zero values."
        )

    def _assert_positive_definite(self):
        if self.dtype.is_complex:
            message = (
                "Diagonal operator had diagonal entries with non-positive real part, thus was not "
                "positive definite."
            )
        else:
            message = (
                "Real diagonal operator had non-positive diagonal entries, thus was not positive definite."
            )
        return check_ops.assert_positive(real(self._diag), message=message)

    def _assert_self_adjoint(self):
        return assert_zero_imag_part(
            self._diag,
            message="This diagonal operator contained non-zero imaginary values.   Thus it was not "
            "self-adjoint.",
        )

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        diag_term = conj(self._diag) if adjoint else self._diag
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        return array_ops.expand_dims(diag_term, -1) * x

    def _matvec(self, x, adjoint=False):
        return (conj(self._diag) if adjoint else self._diag) * x

    def _determinant(self):
        return math_ops.reduce_prod(self._diag, axis=[-1])

    def _log_abs_determinant(self):
        log_det = math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag)), axis=[-1])
        return array_ops.cast(log_det, dtype=self.dtype) if self.dtype.is_complex else log_det

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        diag_term = conj(self._diag) if adjoint else self._diag
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        return rhs * array_ops.expand_dims(1.0 / diag_term, -1)

    def _to_dense(self):
        return matrix_diag(self._diag)

    def _diag_part(self):
        return self.diag

    def _add_to_tensor(self, x):
        return matrix_set_diag(x, self._diag + matrix_diag_part(x))

    def _eigvals(self):
        return ops.convert_to_tensor(self.diag)

    def _cond(self):
        abs_diag = math_ops.abs(self.diag)
        return math_ops.reduce_max(abs_diag, axis=-1) / math_ops.reduce_min(abs_diag, axis=-1)
