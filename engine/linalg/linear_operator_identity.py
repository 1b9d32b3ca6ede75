"""`tf.linalg.LinearOperatorIdentity` and `LinearOperatorScaledIdentity`: the identity of `num_rows`
rows (optionally a batch of them), and a (batch of) multiple(s) of it; nothing dense is built."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.linalg.linear_operator import LinearOperator, arguments, broadcast_batch_shapes, shape_tensor
from engine.linalg.linear_operator_diag import LinearOperatorDiag, commuting_hints
from engine.ops import array_ops, check_ops, control_flow_ops, linalg_ops, math_ops
from engine.ops.band_ops import matrix_diag_part, matrix_set_diag
from engine.ops.complex_ops import conj, imag, real


class SizedByArguments(LinearOperator):
    """An operator whose shape comes from arguments (`num_rows`, optional `num_columns` and `batch_shape`,
    ints or integer tensors checked as TF's), with nothing dense to hold: the identity, its multiples
    and the zero operator."""

    _num_columns_static = None

    @staticmethod
    def _checked_size(value, label):
        """`value` as an int32 tensor and its static value, with TF's errors."""
        tensor = shape_tensor(value, name=label)
        static = tensor_util.constant_value(tensor)
        if not tensor.dtype.is_integer:
            raise TypeError(f"Argument {label} must be integer type.  Found: {tensor}")
        if static is not None:
            if np.ndim(static) != 0:
                raise ValueError(f"Argument {label} must be a 0-D Tensor.  Found: {static}")
            if static < 0:
                raise ValueError(f"Argument {label} must be non-negative.  Found: {static}")
        return tensor, static

    def _set_num_rows(self, num_rows):
        self._num_rows, self._num_rows_static = self._checked_size(num_rows, "num_rows")

    def _set_batch_shape(self, batch_shape):
        if batch_shape is None:
            self._batch_shape_arg = None
            return
        self._batch_shape_arg = shape_tensor(batch_shape, name="batch_shape_arg")
        self._batch_shape_static = static = tensor_util.constant_value(self._batch_shape_arg)
        if not self._batch_shape_arg.dtype.is_integer:
            raise TypeError(f"Argument batch_shape must be integer type.  Found: {self._batch_shape_arg}")
        if static is not None and np.ndim(static) != 1:
            raise ValueError(f"Argument batch_shape must be a 1-D Tensor.  Found: {static}")
        if static is not None and np.any(np.asarray(static) < 0):
            raise ValueError(f"Argument batch_shape must be non-negative.  Found:{static}")

    def _matrix_shape(self):
        rows = None if self._num_rows_static is None else int(self._num_rows_static)
        columns = rows if self._num_columns_static is None else int(self._num_columns_static)
        return _ts.TensorShape([rows, columns])

    def _num_columns_tensor(self):
        return self._num_rows

    def _shape(self):
        if getattr(self, "_batch_shape_arg", None) is None:
            return self._matrix_shape()
        batch = (_ts.unknown_shape() if self._batch_shape_static is None
                 else _ts.TensorShape([int(d) for d in self._batch_shape_static]))
        return batch.concatenate(self._matrix_shape())

    def _shape_tensor(self):
        matrix_shape = array_ops.stack((self._num_rows, self._num_columns_tensor()), axis=0)
        if getattr(self, "_batch_shape_arg", None) is None:
            return matrix_shape
        return array_ops.concat((self._batch_shape_arg, matrix_shape), 0)

    def _possibly_broadcast_batch_shape(self, x):
        """x, or x + zeros of the batch shape when the operator's batch broadens it (as TF's)."""
        if self._batch_shape_arg is None:
            return x
        special_shape = self.batch_shape.concatenate([1, 1])
        if special_shape.is_fully_defined():
            if broadcast_batch_shapes([x.shape, special_shape]).as_list() == x.shape.as_list():
                return x
            return x + array_ops.zeros(special_shape.as_list(), dtype=self.dtype)
        special = array_ops.concat((self.batch_shape_tensor(), [1, 1]), 0)
        return x + array_ops.zeros(special, dtype=self.dtype)

    def _min_matrix_dim_tensor(self):
        return math_ops.reduce_min(self.shape_tensor()[-2:])

    def _constant_diag(self, fill):
        """A diagonal of `fill` (ones or zeros) of the operator's batch shape and min(rows, columns)."""
        if self.shape.is_fully_defined():
            shape = self.batch_shape.as_list() + [min(self.shape.as_list()[-2:])]
        else:
            shape = array_ops.concat([self.batch_shape_tensor(), [self._min_matrix_dim_tensor()]], axis=0)
        return fill(shape, dtype=self.dtype)



class _BaseIdentity(SizedByArguments):
    """The identity and its multiples: TF recognises them by `_ones_diag` (and a multiple by its
    `multiplier`) when they are a product's right operand."""

    def _ones_diag(self):
        return self._constant_diag(array_ops.ones)

    def _diag_part(self):
        return self._ones_diag()


class LinearOperatorIdentity(_BaseIdentity):
    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True, is_self_adjoint=True,
                 is_positive_definite=True, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorIdentity"):
        parameters = arguments(locals())
        self._assert_proper_shapes = assert_proper_shapes
        with ops.name_scope(name):
            dtype = dtypes.as_dtype(dtype or dtypes.float32)
            if not is_self_adjoint:
                raise ValueError("An identity operator is always self adjoint.")
            if not is_non_singular:
                raise ValueError("An identity operator is always non-singular.")
            if not is_positive_definite:
                raise ValueError("An identity operator is always positive-definite.")
            if not is_square:
                raise ValueError("An identity operator is always square.")
            super().__init__(dtype=dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                             is_positive_definite=is_positive_definite, is_square=is_square,
                             parameters=parameters, name=name)
            self._set_num_rows(num_rows)
            self._set_batch_shape(batch_shape)

    def _linop_adjoint(self):
        return self

    def _linop_inverse(self):
        return self

    def _linop_cholesky(self):
        return LinearOperatorIdentity(
            num_rows=self._num_rows,
            batch_shape=self.batch_shape.as_list() if self.batch_shape.is_fully_defined() else None,
            dtype=self.dtype,
        )

    def _linop_matmul(self, left_operator, right_operator):
        return right_operator

    def _linop_solve(self, left_operator, right_operator):
        return right_operator

    def _assert_non_singular(self):
        return control_flow_ops.no_op("assert_non_singular")

    def _assert_positive_definite(self):
        return control_flow_ops.no_op("assert_positive_definite")

    def _assert_self_adjoint(self):
        return control_flow_ops.no_op("assert_self_adjoint")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        return self._possibly_broadcast_batch_shape(x)

    def _determinant(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _log_abs_determinant(self):
        return array_ops.zeros(self.batch_shape_tensor(), dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _trace(self):
        batch = (
            self.batch_shape.as_list() if self.batch_shape.is_fully_defined() else self.batch_shape_tensor()
        )
        ones = array_ops.ones(batch, dtype=self.dtype)
        if self.shape[-2:].is_fully_defined():
            return min(self.shape.as_list()[-2:]) * ones
        return array_ops.cast(self._min_matrix_dim_tensor(), self.dtype) * ones

    def add_to_tensor(self, mat, name="add_to_tensor"):
        """`mat` with 1 added to its diagonal."""
        with self._name_scope(name):
            mat = ops.convert_to_tensor(mat, name="mat")
            return matrix_set_diag(mat, 1 + matrix_diag_part(mat))

    def _eigvals(self):
        return self._ones_diag()

    def _cond(self):
        return array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)


class LinearOperatorScaledIdentity(_BaseIdentity):
    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorScaledIdentity"):
        parameters = arguments(locals())
        self._assert_proper_shapes = assert_proper_shapes
        with ops.name_scope(name, values=[multiplier, num_rows]):
            self._multiplier = ops.convert_to_tensor(multiplier, name="multiplier")
            if not self._multiplier.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError("A real diagonal operator is always self adjoint.")
                is_self_adjoint = True
            if not is_square:
                raise ValueError("A ScaledIdentity operator is always square.")
            super().__init__(dtype=self._multiplier.dtype.base_dtype, is_non_singular=is_non_singular,
                             is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                             is_square=is_square, parameters=parameters, name=name)
            self._set_num_rows(num_rows)
            self._num_rows_cast_to_dtype = array_ops.cast(self._num_rows, self.dtype)
            self._num_rows_cast_to_real_dtype = array_ops.cast(self._num_rows, self.dtype.real_dtype)

    @property
    def multiplier(self):
        return self._multiplier

    def _shape(self):
        return self.multiplier.shape.concatenate(self._matrix_shape())

    def _shape_tensor(self):
        matrix_shape = array_ops.stack((self._num_rows, self._num_rows), axis=0)
        return array_ops.concat((array_ops.shape_v1(self.multiplier), matrix_shape), 0)

    def _assert_non_singular(self):
        return check_ops.assert_positive(math_ops.abs(self.multiplier), message="LinearOperator was singular")

    def _assert_positive_definite(self):
        return check_ops.assert_positive(
            real(self.multiplier), message="LinearOperator was not positive definite."
        )

    def _assert_self_adjoint(self):
        imag_multiplier = imag(self.multiplier)
        return check_ops.assert_equal(
            array_ops.zeros_like(imag_multiplier),
            imag_multiplier,
            message="LinearOperator was not self-adjoint",
        )

    def _make_multiplier_matrix(self, conjugate=False):
        multiplier_matrix = array_ops.expand_dims(array_ops.expand_dims(self.multiplier, -1), -1)
        return conj(multiplier_matrix) if conjugate else multiplier_matrix

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        return x * self._make_multiplier_matrix(conjugate=adjoint)

    def _determinant(self):
        return self.multiplier**self._num_rows_cast_to_dtype

    def _log_abs_determinant(self):
        return self._num_rows_cast_to_real_dtype * math_ops.log(math_ops.abs(self.multiplier))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        return rhs / self._make_multiplier_matrix(conjugate=adjoint)

    def _trace(self):
        if self.batch_shape.is_fully_defined():
            batch_of_ones = array_ops.ones(self.batch_shape.as_list(), dtype=self.dtype)
        else:
            batch_of_ones = array_ops.ones(self.batch_shape_tensor(), dtype=self.dtype)
        if self.shape[-2:].is_fully_defined():
            return self.multiplier * min(self.shape.as_list()[-2:]) * batch_of_ones
        return self.multiplier * array_ops.cast(self._min_matrix_dim_tensor(), self.dtype) * batch_of_ones

    def _diag_part(self):
        return self._ones_diag() * self.multiplier[..., None]

    def add_to_tensor(self, mat, name="add_to_tensor"):
        """`mat` with the multiplier added to its diagonal."""
        with self._name_scope(name):
            mat = ops.convert_to_tensor(mat, name="mat")
            multiplier_vector = array_ops.expand_dims(self.multiplier, -1)
            return matrix_set_diag(mat, multiplier_vector + matrix_diag_part(mat))

    def _eigvals(self):
        return self._ones_diag() * self.multiplier[..., None]

    def _cond(self):
        return array_ops.where_v2(
            math_ops.equal(self._multiplier, 0.0),
            array_ops.cast(np.nan, dtype=self.dtype),
            array_ops.cast(1.0, dtype=self.dtype),
        )

    def _linop_matmul(self, left_operator, right_operator):
        return self._commuting_product(left_operator, right_operator, lambda x, y: x * y, lambda x, d: d * x,
                                       super()._linop_matmul)

    def _linop_solve(self, left_operator, right_operator):
        return self._commuting_product(left_operator, right_operator, lambda x, y: y / x, lambda x, d: d / x,
                                       super()._linop_solve)

    def _commuting_product(self, left, right, combine, combine_diag, otherwise):
        """A scaled identity or diagonal operator for a scaled identity (left) with another or with a
        diagonal operator (right), combining their multipliers / diagonals in TF's operand order."""
        hints = commuting_hints(left, right)
        if isinstance(right, LinearOperatorScaledIdentity):
            multiplier = combine(left.multiplier, right.multiplier)
            return LinearOperatorScaledIdentity(num_rows=left.domain_dimension_tensor(),
                                                multiplier=multiplier, **hints)
        if isinstance(right, LinearOperatorDiag):
            return LinearOperatorDiag(diag=combine_diag(left.multiplier, right.diag), **hints)
        return otherwise(left, right)

    def _linop_adjoint(self):
        multiplier = conj(self.multiplier) if self.multiplier.dtype.is_complex else self.multiplier
        return LinearOperatorScaledIdentity(num_rows=self._num_rows, multiplier=multiplier,
                                            is_non_singular=self.is_non_singular,
                                            is_self_adjoint=self.is_self_adjoint,
                                            is_positive_definite=self.is_positive_definite, is_square=True)

    def _linop_inverse(self):
        return LinearOperatorScaledIdentity(num_rows=self._num_rows, multiplier=1.0 / self.multiplier,
                                            is_non_singular=self.is_non_singular, is_self_adjoint=True,
                                            is_positive_definite=self.is_positive_definite, is_square=True)

    def _linop_cholesky(self):
        return LinearOperatorScaledIdentity(
            num_rows=self._num_rows,
            multiplier=math_ops.sqrt(self.multiplier),
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
            is_square=True,
        )
