"""`tf.linalg.LinearOperatorBlockDiag`: the direct sum of operators, a block-diagonal matrix; matmul and
solve split the argument's rows by block and apply each operator to its part, as TF's. The blocks'
dimensions must be static here (TF also splits at run time)."""

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
from engine.ops import array_ops, control_flow_ops


def _split(x, sizes, axis):
    """x cut into consecutive parts of `sizes` along axis -2 or -1."""
    parts, start = [], 0
    for size in sizes:
        parts.append(x[..., start : start + size, :] if axis == -2 else x[..., start : start + size])
        start += size
    return parts


class LinearOperatorBlockDiag(CombinedOperator):
    _joiner = "_ds_"

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=True, name=None):
        parameters = arguments(locals())
        operators, dtype = checked_operators(operators)
        self._diagonal_operators = operators
        is_non_singular = implied_hint(
            operators,
            "is_non_singular",
            is_non_singular,
            "The direct sum of non-singular operators is always non-singular.",
        )
        is_self_adjoint = implied_hint(
            operators,
            "is_self_adjoint",
            is_self_adjoint,
            "The direct sum of self-adjoint operators is always self-adjoint.",
        )
        is_positive_definite = implied_hint(
            operators,
            "is_positive_definite",
            is_positive_definite,
            "The direct sum of positive definite operators is always positive definite.",
        )
        self._init_combined(
            operators,
            dtype,
            name,
            parameters,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
        )

    def _sizes(self, attr):
        sizes = [getattr(operator, attr).value for operator in self._diagonal_operators]
        if None in sizes:
            raise ValueError(f"{type(self).__name__} here needs the blocks' static dimensions.")
        return sizes

    def _shape(self):
        domain = sum(
            (operator.domain_dimension for operator in self._diagonal_operators[1:]),
            self._diagonal_operators[0].domain_dimension,
        )
        range_ = sum(
            (operator.range_dimension for operator in self._diagonal_operators[1:]),
            self._diagonal_operators[0].range_dimension,
        )
        batch = broadcast_batch_shapes([operator.batch_shape for operator in self._diagonal_operators])
        return batch.concatenate(_ts.TensorShape([range_, domain]))

    def _shape_tensor(self):
        if self.shape.is_fully_defined():
            return ops.convert_to_tensor(self.shape.as_list(), dtype=dtypes.int32, name="shape")
        domain = sum(operator.domain_dimension_tensor() for operator in self._diagonal_operators)
        range_ = sum(operator.range_dimension_tensor() for operator in self._diagonal_operators)
        return array_ops.concat(
            (batch_shape_tensor_of(self._diagonal_operators), array_ops.stack([range_, domain])), 0
        )

    def _blockwise(self, method, x, adjoint, adjoint_arg):
        """Each operator's `method` on its rows of x (columns when `adjoint_arg`), the results stacked."""
        sizes = self._sizes("range_dimension" if adjoint == (method == "matmul") else "domain_dimension")
        parts = _split(x, sizes, -1 if adjoint_arg else -2)
        results = [
            getattr(operator, method)(part, adjoint=adjoint, adjoint_arg=adjoint_arg)
            for operator, part in zip(self._diagonal_operators, parts, strict=True)
        ]
        return array_ops.concat(results, axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._blockwise("matmul", x, adjoint, adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._blockwise("solve", rhs, adjoint, adjoint_arg)

    def _to_dense(self):
        rows, total = [], self._sizes("domain_dimension")
        before = 0
        for operator, width in zip(self._diagonal_operators, total, strict=True):
            block = operator.to_dense()
            paddings = [[0, 0]] * (block.shape.ndims - 1) + [[before, sum(total) - before - width]]
            rows.append(array_ops.pad(block, paddings))
            before += width
        return array_ops.concat(rows, axis=-2)

    def _determinant(self):
        return chained([operator.determinant() for operator in self._diagonal_operators], _op.mul)

    def _log_abs_determinant(self):
        return chained([operator.log_abs_determinant() for operator in self._diagonal_operators], _op.add)

    def _square_blocks(self, method):
        if not all(operator.is_square for operator in self._diagonal_operators):
            raise NotImplementedError(
                f"`{method}` not implemented for an operator whose blocks are not square."
            )

    def _trace(self):
        self._square_blocks("trace")
        return chained([operator.trace() for operator in self._diagonal_operators], _op.add)

    def _diag_part(self):
        self._square_blocks("diag_part")
        diagonal = array_ops.concat(
            [operator.diag_part()[..., None] for operator in self._diagonal_operators], axis=-2
        )
        return array_ops.squeeze(diagonal, axis=-1)

    def _eigvals(self):
        self._square_blocks("eigvals")
        return array_ops.concat([operator.eigvals() for operator in self._diagonal_operators], axis=-1)

    def _assert_non_singular(self):
        return control_flow_ops.group(
            [operator.assert_non_singular() for operator in self._diagonal_operators]
        )
