"""`tf.linalg.LinearOperatorComposition`: the product `A1 @ A2 @ ... @ AJ` of operators, applied one
operator at a time (matmul right to left, solve left to right)."""

from __future__ import annotations

import operator as _op

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.linalg.linear_operator import (
    CombinedOperator,
    arguments,
    batch_shape_tensor_of,
    broadcast_batch_shapes,
    chained,
    checked_operators,
    implied_hint,
)
from engine.ops import array_ops, control_flow_ops, linalg_ops


def _is_adjoint_pair(x, y):
    """Whether x and y are each other's adjoint operators (by identity, as TF's: asking builds the
    adjoints, whose name scopes TF's graph then holds too)."""
    if x is y:
        if x.is_self_adjoint is False:
            return False
        if x.is_self_adjoint:
            return True
    return x.H is y or y.H is x


def is_aat_form(operators):
    """Whether the operators read A1 @ ... @ An @ An.H @ ... @ A1.H (TF's is_aat_form)."""
    operators = list(operators)
    if not operators:
        raise ValueError("AAT form is undefined for empty operators")
    if len(operators) % 2:
        return False
    return all(_is_adjoint_pair(operators[i], operators[-1 - i]) for i in range(len(operators) // 2))


class LinearOperatorComposition(CombinedOperator):
    _joiner = "_o_"

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        parameters = arguments(locals())
        operators, dtype = checked_operators(operators)
        is_non_singular = implied_hint(operators, "is_non_singular", is_non_singular,
                                       "The composition of non-singular operators is always non-singular.")
        # is_aat_form is asked three times, as TF asks it (each time may build adjoints and their scopes)
        if (len(operators) == 1 and operators[0].is_self_adjoint) or is_aat_form(operators):
            if is_self_adjoint is False:
                raise ValueError("The composition was determined to be self-adjoint but user provided "
                                 "incorrect `False` hint.")
            is_self_adjoint = True
        if is_aat_form(operators):
            if is_square is False:
                raise ValueError("The composition was determined have the form A @ A.H, hence it must be "
                                 "square. The user provided an incorrect `False` hint.")
            is_square = True
        if is_aat_form(operators) and is_non_singular:
            if is_positive_definite is False:
                raise ValueError("The composition was determined to be non-singular and have the form "
                                 "A @ A.H, hence it must be positive-definite. The user provided an "
                                 "incorrect `False` hint.")
            is_positive_definite = True
        self._init_combined(operators, dtype, name, parameters, is_non_singular=is_non_singular,
                            is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                            is_square=is_square)

    def _shape(self):
        domain = self.operators[0].domain_dimension
        for operator in self.operators[1:]:
            domain.assert_is_compatible_with(operator.range_dimension)
            domain = operator.domain_dimension
        matrix = _ts.TensorShape([self.operators[0].range_dimension, self.operators[-1].domain_dimension])
        batch = broadcast_batch_shapes([operator.batch_shape for operator in self.operators])
        return batch.concatenate(matrix)

    def _shape_tensor(self):
        if self.shape.is_fully_defined():
            return ops.convert_to_tensor(self.shape.as_list(), dtype=dtypes.int32, name="shape")
        matrix_shape = array_ops.stack([self.operators[0].range_dimension_tensor(),
                                        self.operators[-1].domain_dimension_tensor()])
        return array_ops.concat((batch_shape_tensor_of(self.operators), matrix_shape), 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        order = self.operators if adjoint else list(reversed(self.operators))
        result = order[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for operator in order[1:]:
            result = operator.matmul(result, adjoint=adjoint)
        return result

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        order = list(reversed(self.operators)) if adjoint else self.operators
        solution = order[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for operator in order[1:]:
            solution = operator.solve(solution, adjoint=adjoint)
        return solution

    def _determinant(self):
        return chained([operator.determinant() for operator in self.operators], _op.mul)

    def _log_abs_determinant(self):
        return chained([operator.log_abs_determinant() for operator in self.operators], _op.add)

    def _assert_non_singular(self):
        if all(operator.is_square for operator in self.operators):
            return control_flow_ops.group([operator.assert_non_singular() for operator in self.operators])
        return super()._assert_non_singular()

    def _linop_cholesky(self):
        from engine.linalg.linear_operator_lower_triangular import LinearOperatorLowerTriangular

        return LinearOperatorLowerTriangular(linalg_ops.cholesky(self.to_dense()), is_non_singular=True,
                                             is_self_adjoint=False, is_square=True)
