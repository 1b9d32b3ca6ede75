"""`tf.linalg.LinearOperatorBlockLowerTriangular`: a square block lower-triangular operator given by rows
of operators (row i holds i + 1 blocks, its last on the diagonal): matmul sums each row's products, solve
substitutes forward (backward for the adjoint), and the determinant, trace and diagonal are the diagonal
blocks', as TF's (the block-diagonal operator's code, on the diagonal blocks). Deviations: the right-hand
side is one tensor (TF also takes a list of blocks), block sizes must be static, and `inverse()` is
`LinearOperatorInversion` (TF builds the inverse's blocks)."""

from __future__ import annotations

from engine.framework import ops
from engine.linalg.linear_operator import LinearOperator, arguments, broadcast_batch_shapes
from engine.linalg.linear_operator_block_diag import LinearOperatorBlockDiag, _split
from engine.ops import array_ops, check_ops


class LinearOperatorBlockLowerTriangular(LinearOperatorBlockDiag):
    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorBlockLowerTriangular"):
        parameters = arguments(locals())
        check_ops.assert_proper_iterable(operators)
        for row in operators:
            check_ops.assert_proper_iterable(row)
        operators = [list(row) for row in operators]
        if not operators:
            raise ValueError(f"Argument `operators` must be a list of >=1 operators. Received: {operators}.")
        self._operators = operators
        self._diagonal_operators = [row[-1] for row in operators]
        dtype = operators[0][0].dtype
        for i, row in enumerate(operators):
            if any(operator.dtype != dtype for operator in row):
                name_type = (str((o.name, o.dtype)) for o in row)
                raise TypeError(
                    f"Expected all operators to have the same dtype.  Found {name_type} in row {i} "
                    f"and {dtype} in row 0."
                )
        is_non_singular = self._checked_non_singular(is_non_singular)
        self._check_blocks()
        if is_square is False:
            raise ValueError(
                "`LinearOperatorBlockLowerTriangular` must be square. Expected argument "
                f"`is_square` to be True. Received: {is_square}."
            )
        for i, op in enumerate(self._diagonal_operators):
            if op.is_square is False:
                raise ValueError(
                    "Matrices on the diagonal (the final elements of each row-partition in the `operators` "
                    f"list) must be square. Expected argument `operators[{i}][-1].is_square` to be True. "
                    f"Received: {op.is_square}."
                )
        with ops.name_scope(name):
            LinearOperator.__init__(
                self,
                dtype=dtype,
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=True,
                parameters=parameters,
                name=name,
            )

    def _checked_non_singular(self, is_non_singular):
        if all(op.is_non_singular for op in self._diagonal_operators):
            if is_non_singular is False:
                raise ValueError(
                    "A blockwise lower-triangular operator with non-singular operators on the main "
                    "diagonal is always non-singular. Expected argument `is_non_singular` to be "
                    f"True. Received: {is_non_singular}."
                )
            return True
        if any(op.is_non_singular is False for op in self._diagonal_operators):
            if is_non_singular is True:
                raise ValueError(
                    "A blockwise lower-triangular operator with a singular operator on the main "
                    "diagonal is always singular. Expected argument `is_non_singular` to be True. "
                    f"Received: {is_non_singular}."
                )
            return False
        return None

    def _check_blocks(self):
        for i, row in enumerate(self.operators):
            if len(row) != i + 1:
                raise ValueError(
                    f"Argument `operators[{i}]` must contain `{i + 1}` blocks. Received: {len(row)} blocks."
                )
        for i in range(1, len(self.operators)):
            for j in range(i):
                op = self.operators[i][j]
                # a block's columns are those of the block above it, its rows those of the block to its right
                for attr, (k, l) in (("domain_dimension", (i - 1, j)), ("range_dimension", (i, j + 1))):
                    other = self.operators[k][l]
                    mine, theirs = getattr(op, attr), getattr(other, attr)
                    if None not in (mine.value, theirs.value) and mine.value != theirs.value:
                        raise ValueError(f"Argument `operators[{i}][{j}].{attr}` ({mine}) must be the same "
                                         f"as `operators[{k}][{l}].{attr}` ({theirs}).")

    def _shape(self):
        shape = super()._shape()
        batch = broadcast_batch_shapes([op.batch_shape for row in self.operators for op in row])
        return batch.concatenate(shape[-2:])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        parts = _split(x, self._sizes("domain_dimension"), -1 if adjoint_arg else -2)
        n = len(self.operators)
        results = []
        for index in range(n):
            pairs = (
                [(self.operators[j][index], parts[j]) for j in range(index, n)]
                if adjoint
                else [(op, parts[j]) for j, op in enumerate(self.operators[index])]
            )
            result = pairs[0][0].matmul(pairs[0][1], adjoint=adjoint, adjoint_arg=adjoint_arg)
            for op, part in pairs[1:]:
                result += op.matmul(part, adjoint=adjoint, adjoint_arg=adjoint_arg)
            results.append(result)
        return array_ops.concat(results, axis=-2)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        from engine.ops import linalg_ops

        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        parts = _split(rhs, self._sizes("domain_dimension"), -2)
        n = len(self.operators)
        solutions = []
        if adjoint:
            for index in reversed(range(n)):
                y = parts[index]
                for j in reversed(range(index + 1, n)):
                    y = y - self.operators[j][index].matmul(solutions[n - 1 - j], adjoint=adjoint)
                solutions.append(self._diagonal_operators[index].solve(y, adjoint=adjoint))
            solutions.reverse()
        else:
            for row, y in zip(self.operators, parts, strict=True):
                for i, operator in enumerate(row[:-1]):
                    y = y - operator.matmul(solutions[i], adjoint=adjoint)
                solutions.append(row[-1].solve(y, adjoint=adjoint))
        return array_ops.concat(solutions, axis=-2)

    def _to_dense(self):
        total, rows, columns = self.domain_dimension.value, [], 0
        for row in self.operators:
            blocks = [op.to_dense() for op in row]
            columns += row[-1].domain_dimension.value
            paddings = [[0, 0]] * (blocks[-1].shape.ndims - 1) + [[0, total - columns]]
            rows.append(array_ops.pad(array_ops.concat(blocks, axis=-1), paddings))
        dense = array_ops.concat(rows, axis=-2)
        dense.set_shape(self.shape)
        return dense
