"""`tf.linalg.LinearOperatorLowRankUpdate`: `L + U D V^H` for a base operator L, (batch) matrices U, V
([..., M, K]) and a diagonal D (identity when not given); solves and determinants through the capacitance
matrix `D^-1 + V^H L^-1 U` (Woodbury's identity and the matrix determinant lemma), with Cholesky
factorisations when the operator is self-adjoint positive definite, as TF's."""

from __future__ import annotations

from engine.framework import ops
from engine.linalg.linear_operator import (
    LinearOperator,
    arguments,
    broadcast_batch_shapes,
    matrix_solve_with_broadcast,
)
from engine.linalg.linear_operator_diag import LinearOperatorDiag
from engine.linalg.linear_operator_identity import LinearOperatorIdentity
from engine.ops import array_ops, linalg_ops, math_ops
from engine.ops.band_ops import matrix_diag_part
from engine.ops.complex_ops import conj


class LinearOperatorLowRankUpdate(LinearOperator):
    def __init__(self, base_operator, u, diag_update=None, v=None, is_diag_update_positive=None,
                 is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowRankUpdate"):
        parameters = arguments(locals())
        dtype = base_operator.dtype
        if diag_update is None:
            if is_diag_update_positive is False:
                raise ValueError("Default diagonal is the identity, which is positive.  However, user set "
                                 "'is_diag_update_positive' to False.")
            is_diag_update_positive = True
        self._use_cholesky = bool(base_operator.is_positive_definite and base_operator.is_self_adjoint
                                  and is_diag_update_positive and v is None)
        if base_operator.is_self_adjoint and v is None and not dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A = L + UDU^H, with L self-adjoint and D real diagonal.  Since UDU^H is "
                                 "self-adjoint, this must be a self-adjoint operator.")
            is_self_adjoint = True
        if self._use_cholesky:
            if is_positive_definite is False or is_self_adjoint is False or is_non_singular is False:
                raise ValueError("Arguments imply this is self-adjoint positive-definite operator.")
            is_positive_definite = is_self_adjoint = True
        with ops.name_scope(name):
            self._u = ops.convert_to_tensor(u, name="u")
            self._v = self._u if v is None else ops.convert_to_tensor(v, name="v")
            self._diag_update = None if diag_update is None else ops.convert_to_tensor(diag_update,
                                                                                        name="diag_update")
            self._base_operator = base_operator
            super().__init__(dtype=dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                             is_positive_definite=is_positive_definite, is_square=is_square,
                             parameters=parameters, name=name)
            if diag_update is not None:
                self._diag_operator = LinearOperatorDiag(self._diag_update,
                                                         is_positive_definite=is_diag_update_positive)
            else:
                r = self.u.shape[-1].value
                r = array_ops.shape_v1(self.u)[-1] if r is None else r
                self._diag_operator = LinearOperatorIdentity(num_rows=r, dtype=self.dtype)
            self._is_diag_update_positive = is_diag_update_positive
            self._check_shapes()

    def _check_shapes(self):
        uv_shape = broadcast_batch_shapes([self.u.shape, self.v.shape])
        batch_shape = broadcast_batch_shapes([self.base_operator.batch_shape, uv_shape[:-2]])
        self.base_operator.domain_dimension.assert_is_compatible_with(uv_shape.dims[-2])
        if self._diag_update is not None:
            uv_shape.dims[-1].assert_is_compatible_with(self._diag_update.shape.dims[-1])
            broadcast_batch_shapes([batch_shape, self._diag_update.shape[:-1]])

    @property
    def u(self):
        return self._u

    @property
    def v(self):
        return self._v

    @property
    def is_diag_update_positive(self):
        return self._is_diag_update_positive

    @property
    def diag_update(self):
        return self._diag_update

    @property
    def diag_operator(self):
        return self._diag_operator

    @property
    def base_operator(self):
        return self._base_operator

    def _assert_self_adjoint(self):
        if self.u is self.v and self.diag_update is None:
            return self.base_operator.assert_self_adjoint()
        return super()._assert_self_adjoint()

    def _shape(self):
        batch = broadcast_batch_shapes([self.base_operator.batch_shape, self.diag_operator.batch_shape,
                                        self.u.shape[:-2], self.v.shape[:-2]])
        return batch.concatenate(self.base_operator.shape[-2:])

    def _shape_tensor(self):
        zeros = (array_ops.zeros(self.base_operator.batch_shape_tensor())
                 + array_ops.zeros(self.diag_operator.batch_shape_tensor())
                 + array_ops.zeros(array_ops.shape_v1(self.u)[:-2])
                 + array_ops.zeros(array_ops.shape_v1(self.v)[:-2]))
        return array_ops.concat([array_ops.shape_v1(zeros), self.base_operator.shape_tensor()[-2:]], axis=0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        u, v = self.u, self.v
        leading_term = self.base_operator.matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        left, right = (v, u) if adjoint else (u, v)
        rh_x = math_ops.matmul(right, x, adjoint_a=True, adjoint_b=adjoint_arg)
        d_rh_x = self.diag_operator.matmul(rh_x, adjoint=adjoint)
        return leading_term + math_ops.matmul(left, d_rh_x)

    def _make_capacitance(self, u, v):
        linv_u = self.base_operator.solve(u)
        vh_linv_u = math_ops.matmul(v, linv_u, adjoint_a=True)
        return self._diag_operator.inverse().add_to_tensor(vh_linv_u)

    def _determinant(self):
        if self.is_positive_definite:
            return math_ops.exp(self.log_abs_determinant())
        det_c = linalg_ops.matrix_determinant(self._make_capacitance(u=self.u, v=self.v))
        return det_c * self.diag_operator.determinant() * self.base_operator.determinant()

    def _log_abs_determinant(self):
        log_abs_det_d = self.diag_operator.log_abs_determinant()
        log_abs_det_l = self.base_operator.log_abs_determinant()
        if self._use_cholesky:
            chol_cap_diag = matrix_diag_part(linalg_ops.cholesky(self._make_capacitance(u=self.u, v=self.v)))
            log_abs_det_c = 2 * math_ops.reduce_sum(math_ops.log(chol_cap_diag), axis=[-1])
        else:
            det_c = linalg_ops.matrix_determinant(self._make_capacitance(u=self.u, v=self.v))
            log_abs_det_c = math_ops.log(math_ops.abs(det_c))
            if self.dtype.is_complex:
                log_abs_det_c = array_ops.cast(log_abs_det_c, dtype=self.dtype)
        return log_abs_det_c + log_abs_det_d + log_abs_det_l

    def _diag_part(self):
        product = self.u * conj(self.v)
        if self.diag_update is not None:
            product *= array_ops.expand_dims(self.diag_update, axis=-2)
        return math_ops.reduce_sum(product, axis=-1) + self.base_operator.diag_part()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self.base_operator.is_non_singular is False:
            raise ValueError("Solve not implemented unless this is a perturbation of a non-singular "
                             "LinearOperator.")
        base = self.base_operator
        # the capacitance is the operator's own; an adjoint solve swaps U and V around it and solves it
        # adjoint
        capacitance = self._make_capacitance(u=self.u, v=self.v)
        u, v = (self.v, self.u) if adjoint else (self.u, self.v)
        linv_rhs = base.solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        vh_linv_rhs = math_ops.matmul(v, linv_rhs, adjoint_a=True)
        if self._use_cholesky:
            capinv_vh_linv_rhs = linalg_ops.cholesky_solve(linalg_ops.cholesky(capacitance), vh_linv_rhs)
        else:
            capinv_vh_linv_rhs = matrix_solve_with_broadcast(capacitance, vh_linv_rhs, adjoint=adjoint)
        linv_u_capinv_vh_linv_rhs = base.solve(math_ops.matmul(u, capinv_vh_linv_rhs), adjoint=adjoint)
        return linv_rhs - linv_u_capinv_vh_linv_rhs
