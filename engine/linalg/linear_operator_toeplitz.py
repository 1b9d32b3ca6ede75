"""`tf.linalg.LinearOperatorToeplitz`: a square Toeplitz matrix given by its first column `col` and first
row `row` (row[0] is ignored: the diagonal is col[0]). Deviation: `matmul` multiplies the dense matrix
(TF embeds it in a circulant and goes through FFTs: the same values to rounding, other ops); solves and
determinants are the dense ones, as TF's."""

from __future__ import annotations

from engine.framework import ops
from engine.linalg.linear_operator import LinearOperator, arguments, broadcast_batch_shapes
from engine.ops import array_ops, check_ops, math_ops
from engine.ops.reverse_op import reverse


class LinearOperatorToeplitz(LinearOperator):
    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorToeplitz"):
        parameters = arguments(locals())
        with ops.name_scope(name, values=[row, col]):
            self._row = ops.convert_to_tensor(row, name="row")
            self._col = ops.convert_to_tensor(col, name="col")
            for label, tensor in (("row", self._row), ("col", self._col)):
                if tensor.shape.ndims is not None and tensor.shape.ndims < 1:
                    raise ValueError(f"Argument {label} must have at least 1 dimension.  Found: {tensor}")
            n_row, n_col = self._row.shape[-1].value, self._col.shape[-1].value
            if n_row is not None and n_col is not None and n_row != n_col:
                raise ValueError("Expected square matrix, got row and col with mismatched dimensions.")
            if is_square is False:
                raise ValueError("Only square Toeplitz operators currently supported.")
            super().__init__(dtype=self._row.dtype, is_non_singular=is_non_singular,
                             is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                             is_square=True, parameters=parameters, name=name)

    @property
    def col(self):
        return self._col

    @property
    def row(self):
        return self._row

    def _shape(self):
        v_shape = broadcast_batch_shapes([self.row.shape, self.col.shape])
        return v_shape.concatenate(v_shape[-1:])

    def _broadcast_row_col(self):
        """row and col broadcast against each other (adding the other's zeros)."""
        return self.row + array_ops.zeros_like(self.col), self.col + array_ops.zeros_like(self.row)

    def _shape_tensor(self):
        v_shape = array_ops.shape_v1(self._broadcast_row_col()[0])
        return array_ops.concat((v_shape, [v_shape[-1]]), 0)

    def _assert_self_adjoint(self):
        return check_ops.assert_equal(self.row, self.col,
                                      message="row and col are not the same, and so this operator is not "
                                              "self-adjoint.")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self.to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _trace(self):
        return array_ops.cast(self.domain_dimension_tensor(), dtype=self.dtype) * self.col[..., 0]

    def _diag_part(self):
        return self.col[..., 0:1] * array_ops.ones([self.domain_dimension_tensor()], self.dtype)

    def _to_dense(self):
        """Entry (i, j) is col[i - j] below the diagonal and row[j - i] above, gathered from one vector."""
        row, col = self._broadcast_row_col()
        n = array_ops.shape_v1(self.row)[-1]
        elements = array_ops.concat([reverse(col, axis=[-1]), row[..., 1:]], axis=-1)
        indices = math_ops.floormod(
            math_ops.range(0, n) + math_ops.range(n - 1, -1, -1)[..., None], 2 * n - 1)
        dense = array_ops.gather(elements, indices, axis=-1)
        dense.set_shape(self.shape)  # TF's shape inference folds the index arithmetic; the engine's does not
        return dense
