"""`tf.linalg.LinearOperatorHouseholder`: the reflection `I - 2 v v^H / |v|^2` across the hyperplane
orthogonal to `reflection_axis` v; self-adjoint and its own inverse, determinant -1."""

from __future__ import annotations

from engine.framework import errors, ops
from engine.linalg.linear_operator import LinearOperator, arguments
from engine.ops import array_ops, control_flow_ops, linalg_ops, math_ops
from engine.ops.band_ops import matrix_diag_part, matrix_set_diag
from engine.ops.complex_ops import conj
from engine.ops.nn_impl import l2_normalize


class LinearOperatorHouseholder(LinearOperator):
    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorHouseholder"):
        parameters = arguments(locals())
        with ops.name_scope(name, values=[reflection_axis]):
            self._reflection_axis = ops.convert_to_tensor(reflection_axis, name="reflection_axis")
            if self._reflection_axis.shape.ndims is not None and self._reflection_axis.shape.ndims < 1:
                raise ValueError("Argument reflection_axis must have at least 1 dimension.  Found: "
                                 f"{self._reflection_axis}")
            if is_self_adjoint is False:
                raise ValueError("A Householder operator is always self adjoint.")
            if is_positive_definite is True:
                raise ValueError("A Householder operator is always non-positive definite.")
            if is_square is False:
                raise ValueError("A Householder operator is always square.")
            super().__init__(dtype=self._reflection_axis.dtype, is_non_singular=is_non_singular,
                             is_self_adjoint=True, is_positive_definite=False, is_square=True,
                             parameters=parameters, name=name)

    @property
    def reflection_axis(self):
        return self._reflection_axis

    def _shape(self):
        shape = self._reflection_axis.shape
        return shape.concatenate(shape[-1:])

    def _shape_tensor(self):
        d_shape = array_ops.shape_v1(self._reflection_axis)
        return array_ops.concat((d_shape, [d_shape[-1]]), 0)

    def _assert_non_singular(self):
        return control_flow_ops.no_op("assert_non_singular")

    def _assert_positive_definite(self):
        raise errors.InvalidArgumentError(None, None,
                                          "Householder operators are always non-positive definite.")

    def _assert_self_adjoint(self):
        return control_flow_ops.no_op("assert_self_adjoint")

    def _linop_adjoint(self):
        return self

    def _linop_inverse(self):
        return self

    def _axis_column(self):
        return l2_normalize(self.reflection_axis, axis=-1)[..., None]

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        mat = self._axis_column()
        return x - 2 * mat * math_ops.matmul(mat, x, adjoint_a=True)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint, adjoint_arg)

    def _trace(self):
        shape = self.shape_tensor()
        return array_ops.cast(self._domain_dimension_tensor(shape=shape) - 2, self.dtype) * array_ops.ones(
            self._batch_shape_tensor(shape=shape), dtype=self.dtype)

    def _determinant(self):
        return -array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _log_abs_determinant(self):
        return array_ops.zeros(self.batch_shape_tensor(), dtype=self.dtype)

    def _to_dense(self):
        mat = self._axis_column()
        matrix = -2 * math_ops.matmul(mat, mat, adjoint_b=True)
        return matrix_set_diag(matrix, 1.0 + matrix_diag_part(matrix))

    def _diag_part(self):
        normalized_axis = l2_normalize(self.reflection_axis, axis=-1)
        return 1.0 - 2 * normalized_axis * conj(normalized_axis)

    def _eigvals(self):
        result_shape = array_ops.shape_v1(self.reflection_axis)
        n = result_shape[-1]
        ones = array_ops.ones(array_ops.concat([result_shape[:-1], [n - 1]], axis=-1), dtype=self.dtype)
        negative = -array_ops.ones(array_ops.concat([result_shape[:-1], [1]], axis=-1), dtype=self.dtype)
        eigvals = array_ops.concat([negative, ones], axis=-1)
        eigvals.set_shape(self.shape[:-1])  # known statically, as TF's shape inference folds n - 1
        return eigvals

    def _cond(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)
