"""`tf.linalg.LinearOperatorZeros`: the zero matrix of `num_rows` x `num_columns` (optionally a batch of
them); products are zeros of the right shape, nothing dense is held."""

from __future__ import annotations

from engine.framework import dtypes, errors, ops
from engine.linalg.linear_operator import arguments
from engine.linalg.linear_operator_identity import SizedByArguments
from engine.ops import array_ops, control_flow_ops


class LinearOperatorZeros(SizedByArguments):
    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None, is_non_singular=False,
                 is_self_adjoint=True, is_positive_definite=False, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorZeros"):
        parameters = arguments(locals())
        self._assert_proper_shapes = assert_proper_shapes
        with ops.name_scope(name):
            dtype = dtypes.as_dtype(dtype or dtypes.float32)
            if not is_self_adjoint and is_square:
                raise ValueError("A zero operator is always self adjoint.")
            if is_non_singular:
                raise ValueError("A zero operator is always singular.")
            if is_positive_definite:
                raise ValueError("A zero operator is always not positive-definite.")
            super().__init__(dtype=dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                             is_positive_definite=is_positive_definite, is_square=is_square,
                             parameters=parameters, name=name)
            self._num_rows, self._num_rows_static = self._checked_size(num_rows, "num_rows")
            self._num_columns, self._num_columns_static = self._checked_size(
                num_rows if num_columns is None else num_columns, "num_columns")
            if self._num_rows_static is not None and self._num_columns_static is not None:
                if is_square and self._num_rows_static != self._num_columns_static:
                    raise ValueError(f"LinearOperatorZeros initialized as is_square=True, but got num_rows("
                                     f"{self._num_rows_static}) != num_columns({self._num_columns_static})")
            self._set_batch_shape(batch_shape)

    def _num_columns_tensor(self):
        return self._num_columns

    def _assert_non_singular(self):
        raise errors.InvalidArgumentError(None, None, "Zero operators are always non-invertible.")

    def _assert_positive_definite(self):
        raise errors.InvalidArgumentError(None, None, "Zero operators are always non-positive definite.")

    def _assert_self_adjoint(self):
        return control_flow_ops.no_op("assert_self_adjoint")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x_shape = array_ops.shape_v1(x)
        if self.is_square:
            output_shape = x_shape
            if adjoint_arg:
                output_shape = array_ops.concat([x_shape[:-2], [x_shape[-1], x_shape[-2]]], axis=0)
        else:
            n = self._num_columns if adjoint else self._num_rows
            m = x_shape[-2] if adjoint_arg else x_shape[-1]
            output_shape = array_ops.concat([x_shape[:-2], [n, m]], axis=0)
        return self._possibly_broadcast_batch_shape(array_ops.zeros(output_shape, dtype=x.dtype))

    def _linop_matmul(self, left_operator, right_operator):
        if not left_operator.is_square or not right_operator.is_square:
            raise ValueError("Matmul with non-square `LinearOperator`s or non-square `LinearOperatorZeros` "
                             "not supported at this time.")
        return left_operator

    def _batch_zeros(self):
        defined = self.batch_shape.is_fully_defined()
        batch = self.batch_shape.as_list() if defined else self.batch_shape_tensor()
        return array_ops.zeros(batch, dtype=self.dtype)

    def _determinant(self):
        return self._batch_zeros()

    def _trace(self):
        return self._batch_zeros()

    def _diag_part(self):
        return self._constant_diag(array_ops.zeros)

    def _zeros_diag(self):
        return self._constant_diag(array_ops.zeros)

    def _eigvals(self):
        return self._zeros_diag()

    def add_to_tensor(self, mat, name="add_to_tensor"):
        """`mat` (broadcast to the operator's batch shape)."""
        return self._possibly_broadcast_batch_shape(mat)
