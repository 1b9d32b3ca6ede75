"""`tf.linalg.LinearOperatorTridiag`: a square tridiagonal operator held by its diagonals in one of
`tf.linalg.tridiagonal_solve`'s formats ('compact' [..., 3, N], 'sequence' [super, main, sub], or 'matrix'
[..., N, N]); matmul and solve are TridiagonalMatMul and TridiagonalSolve (engine/ops/tridiagonal_ops.py),
the adjoint's diagonals conjugated and rolled as TF's. The batch broadcast of a solve is static here
(TF also broadcasts at run time)."""

from __future__ import annotations

from engine.framework import ops
from engine.linalg.linear_operator import (
    LinearOperator,
    arguments,
    assert_zero_imag_part,
    broadcast_batch_shapes,
)
from engine.ops import array_ops, check_ops, control_flow_ops, linalg_ops
from engine.ops.band_ops import matrix_diag, matrix_diag_part
from engine.ops.complex_ops import conj
from engine.ops.roll_op import roll
from engine.ops.tridiagonal_ops import tridiagonal_matmul, tridiagonal_solve

_FORMATS = ("compact", "matrix", "sequence")


class LinearOperatorTridiag(LinearOperator):
    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorTridiag"):
        parameters = arguments(locals())
        with ops.name_scope(name, values=[diagonals]):
            if diagonals_format not in _FORMATS:
                raise ValueError("Argument `diagonals_format` must be one of compact, matrix, or sequence. "
                                 f"Received : {diagonals_format}.")
            if diagonals_format == "sequence":
                self._diagonals = [ops.convert_to_tensor(d, name=f"diag_{i}")
                                   for i, d in enumerate(diagonals)]
                dtype = self._diagonals[0].dtype
            else:
                self._diagonals = ops.convert_to_tensor(diagonals, name="diagonals")
                dtype = self._diagonals.dtype
            self._diagonals_format = diagonals_format
            super().__init__(dtype=dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                             is_positive_definite=is_positive_definite, is_square=is_square,
                             parameters=parameters, name=name)

    @property
    def diagonals(self):
        return self._diagonals

    @property
    def diagonals_format(self):
        return self._diagonals_format

    def _shape(self):
        if self.diagonals_format == "matrix":
            return self.diagonals.shape
        if self.diagonals_format == "compact":
            d_shape = self.diagonals.shape[:-2].concatenate(self.diagonals.shape[-1:])
        else:
            batch = broadcast_batch_shapes([d.shape[:-1] for d in self.diagonals])
            d_shape = batch.concatenate(self.diagonals[1].shape[-1:])
        return d_shape.concatenate(d_shape[-1:])

    def _shape_tensor(self):
        if self.diagonals_format == "matrix":
            return array_ops.shape_v1(self.diagonals)
        if self.diagonals_format == "compact":
            d_shape = array_ops.shape_v1(self.diagonals[..., 0, :])
        else:
            zeros = sum(array_ops.zeros_like(d[..., :1]) for d in self.diagonals)
            d_shape = array_ops.concat([array_ops.shape_v1(zeros)[:-1],
                                        [array_ops.shape_v1(self.diagonals[1])[-1]]], axis=0)
        return array_ops.concat([d_shape, [d_shape[-1]]], axis=-1)

    def _assert_self_adjoint(self):
        diag_message = "This tridiagonal operator contained non-zero imaginary values on the diagonal."
        off_diag_message = "This tridiagonal operator has non-conjugate subdiagonal and superdiagonal."
        if self.diagonals_format == "matrix":
            return control_flow_ops.group([check_ops.assert_equal(
                self.diagonals, linalg_ops.adjoint(self.diagonals),
                message="Matrix was not equal to its adjoint.")])
        if self.diagonals_format == "compact":
            superdiag, diag, subdiag = (self.diagonals[..., i, :] for i in range(3))
        else:
            superdiag, diag, subdiag = self.diagonals
        asserts = [assert_zero_imag_part(diag, message=diag_message)]
        shifted = roll(subdiag, shift=-1, axis=-1)
        asserts.append(check_ops.assert_equal(conj(shifted[..., :-1]), superdiag[..., :-1],
                                              message=off_diag_message))
        return control_flow_ops.group(asserts)

    def _adjoint_diagonals(self):
        if self.diagonals_format == "sequence":
            diagonals = [conj(d) for d in reversed(self.diagonals)]
            diagonals[0] = roll(diagonals[0], shift=-1, axis=-1)
            diagonals[2] = roll(diagonals[2], shift=1, axis=-1)
            return diagonals
        if self.diagonals_format == "matrix":
            return linalg_ops.adjoint(self.diagonals)
        superdiag, diag, subdiag = array_ops.unstack(conj(self.diagonals), num=3, axis=-2)
        return array_ops.stack([roll(subdiag, shift=-1, axis=-1), diag, roll(superdiag, shift=1, axis=-1)],
                               axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        diagonals = self._adjoint_diagonals() if adjoint else self.diagonals
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        return tridiagonal_matmul(diagonals, x, diagonals_format=self.diagonals_format)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        diagonals = self._adjoint_diagonals() if adjoint else self.diagonals
        batch = broadcast_batch_shapes([self.batch_shape, rhs.shape[:-2]])
        if batch.is_fully_defined():
            target = batch.as_list()
            if rhs.shape[:-2].as_list() != target:
                rhs = array_ops.broadcast_to(rhs, target + rhs.shape.as_list()[-2:])
            if self.batch_shape.as_list() != target:
                n = self.domain_dimension.value
                if self.diagonals_format == "sequence":
                    diagonals = [array_ops.broadcast_to(d, target + [n]) for d in diagonals]
                else:
                    tail = [n, n] if self.diagonals_format == "matrix" else [3, n]
                    diagonals = array_ops.broadcast_to(diagonals, target + tail)
        return tridiagonal_solve(diagonals, rhs, diagonals_format=self.diagonals_format,
                                 transpose_rhs=adjoint_arg, conjugate_rhs=adjoint_arg)

    def _diag_part(self):
        if self.diagonals_format == "matrix":
            return matrix_diag_part(self.diagonals)
        if self.diagonals_format == "sequence":
            return array_ops.broadcast_to(self.diagonals[1], self.shape_tensor()[:-1])
        return self.diagonals[..., 1, :]

    def _to_dense(self):
        if self.diagonals_format == "matrix":
            return self.diagonals
        diagonals = self.diagonals
        if self.diagonals_format == "sequence":
            diagonals = array_ops.stack(list(diagonals), axis=-2)
        # TF calls the generated op (its default name), not tf.linalg.diag
        return matrix_diag(diagonals, name="MatrixDiagV3", k=(-1, 1), num_rows=-1, num_cols=-1,
                           align="LEFT_RIGHT", padding_value=0.0)
