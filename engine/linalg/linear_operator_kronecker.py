"""`tf.linalg.LinearOperatorKronecker`: the Kronecker product `A1 ⊗ A2 ⊗ ...` of operators. Determinant,
trace, diagonal and eigenvalues come from the factors, as TF's. Deviation: `matmul`, `solve` and
`to_dense` go through the dense product (the factors' dense matrices, expanded and multiplied; the
same values as TF's reshaping of the right-hand side, other op names)."""

from __future__ import annotations

import operator as _op

from engine.framework import errors
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
from engine.ops import array_ops, control_flow_ops, math_ops


def _kron_dense(a, b):
    """The Kronecker product of two (batch) matrices: [..., m, n] and [..., p, q] to [..., m p, n q]."""
    product = a[..., :, None, :, None] * b[..., None, :, None, :]
    shape = array_ops.shape_v1(product)
    result = array_ops.reshape(product, array_ops.concat(
        [shape[:-4], [shape[-4] * shape[-3], shape[-2] * shape[-1]]], 0))
    if product.shape.ndims is not None:  # the static dimensions the reshape cannot see
        *batch, m, p, n, q = product.shape.as_list()
        result.set_shape([*batch, None if None in (m, p) else m * p, None if None in (n, q) else n * q])
    return result


def _outer_flat(x, y):
    """The outer product of two (batch) vectors, flattened: [..., m], [..., p] to [..., m p]."""
    product = x[..., :, None] * y[..., None, :]
    return array_ops.reshape(product, array_ops.concat([array_ops.shape_v1(product)[:-2], [-1]], axis=0))


class LinearOperatorKronecker(CombinedOperator):
    _joiner = "_x_"

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        parameters = arguments(locals())
        operators, dtype = checked_operators(
            operators, "Argument `operators` must be a list of >=1 operators. Received: {}.",
            lambda names: "Expected every operation in argument `operators` to have the same dtype. "
                          f"Received {names}.")
        given = {"is_non_singular": is_non_singular, "is_self_adjoint": is_self_adjoint,
                 "is_positive_definite": is_positive_definite}
        hints = {}
        for attr, value in given.items():
            word = attr[3:].replace("_", "-")
            message = (f"The Kronecker product of {word} operators is always {word}. Expected argument "
                       f"`{attr}` to be True. Received: {value}.")
            hints[attr] = implied_hint(operators, attr, value, message)
        self._init_combined(operators, dtype, name, parameters, is_square=is_square, **hints)

    def _shape(self):
        domain, range_ = self.operators[0].domain_dimension, self.operators[0].range_dimension
        for operator in self.operators[1:]:
            domain, range_ = domain * operator.domain_dimension, range_ * operator.range_dimension
        batch = broadcast_batch_shapes([operator.batch_shape for operator in self.operators])
        return batch.concatenate(_ts.TensorShape([range_, domain]))

    def _shape_tensor(self):
        domain = self.operators[0].domain_dimension_tensor()
        range_ = self.operators[0].range_dimension_tensor()
        for operator in self.operators[1:]:
            domain = domain * operator.domain_dimension_tensor()
            range_ = range_ * operator.range_dimension_tensor()
        return array_ops.concat((batch_shape_tensor_of(self.operators), array_ops.stack([range_, domain])), 0)

    def _to_dense(self):
        product = self.operators[0].to_dense()
        for operator in self.operators[1:]:
            product = _kron_dense(product, operator.to_dense())
        return product

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self.to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _determinant(self):
        total = self.domain_dimension_tensor()
        determinant = 1.0
        for operator in self.operators:
            determinant = determinant * operator.determinant() ** array_ops.cast(
                total / operator.domain_dimension_tensor(), dtype=operator.dtype
            )
        return determinant

    def _log_abs_determinant(self):
        total = self.domain_dimension_tensor()
        log_abs_det = 0.0
        for operator in self.operators:
            log_abs_det += operator.log_abs_determinant() * array_ops.cast(
                total / operator.domain_dimension_tensor(), dtype=operator.dtype
            )
        return log_abs_det

    def _trace(self):
        return chained([1.0] + [operator.trace() for operator in self.operators], _op.mul)

    def _diag_part(self):
        diag = chained([operator.diag_part() for operator in self.operators], _outer_flat)
        domain, range_ = self.domain_dimension, self.range_dimension
        diag.set_shape(self.batch_shape.concatenate([domain if range_ > domain else range_]))
        return diag

    def _eigvals(self):
        product = chained([operator.eigvals() for operator in self.operators], _outer_flat)
        product.set_shape(self.shape[:-1])
        return product

    def _assert_non_singular(self):
        if all(operator.is_square for operator in self.operators):
            return control_flow_ops.group([operator.assert_non_singular() for operator in self.operators])
        raise errors.InvalidArgumentError(
            None,
            None,
            "All Kronecker factors must be square for the product to be invertible. Expected hint "
            "`is_square` to be True for every operator in argument `operators`.",
        )
