"""`tf.linalg.LinearOperatorAdjoint`: an operator's adjoint (conjugate transpose), each method the
operator's own with `adjoint` flipped."""

from __future__ import annotations

from engine.linalg.linear_operator import WrappedOperator, arguments
from engine.ops import array_ops, linalg_ops
from engine.ops.complex_ops import conj


class LinearOperatorAdjoint(WrappedOperator):
    _relation, _suffix = "adjoint", "_adjoint"

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        parameters = arguments(locals())
        super().__init__(operator, is_non_singular, is_self_adjoint, is_positive_definite, is_square, name,
                         parameters)

    def _linop_adjoint(self):
        return self.operator

    def _shape(self):
        shape = self.operator.shape
        return shape[:-2].concatenate([shape.dims[-1], shape.dims[-2]])

    def _shape_tensor(self):
        shape = self.operator.shape_tensor()
        return array_ops.concat([shape[:-2], [shape[-1], shape[-2]]], axis=-1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self.operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _matvec(self, x, adjoint=False):
        return self.operator.matvec(x, adjoint=not adjoint)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self.operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return self.operator.solvevec(rhs, adjoint=not adjoint)

    def _determinant(self):
        det = self.operator.determinant()
        return det if self.is_self_adjoint else conj(det)

    def _log_abs_determinant(self):
        return self.operator.log_abs_determinant()

    def _trace(self):
        trace = self.operator.trace()
        return trace if self.is_self_adjoint else conj(trace)

    def _to_dense(self):
        if self.is_self_adjoint:
            return self.operator.to_dense()
        return linalg_ops.adjoint(self.operator.to_dense())

    def _add_to_tensor(self, x):
        return self.to_dense() + x

    def _eigvals(self):
        eigvals = self.operator.eigvals()
        return eigvals if self.operator.is_self_adjoint else conj(eigvals)
