"""`tf.linalg.experimental`: `conjugate_gradient`, TF's conjugate-gradient solver for a self-adjoint
positive-definite LinearOperator, built as TF builds it: a `tf.while_loop` over a `CGState` until every
residual's norm is below `tol` times the right-hand side's or `max_iter` steps were taken."""

from __future__ import annotations

import collections

from engine.framework import dtypes, ops
from engine.linalg.linear_operator import broadcast_batch_shapes
from engine.ops import array_ops, constant_op, math_ops
from engine.ops.norm_ops import norm
from engine.ops.while_loop import while_loop

CGState = collections.namedtuple("CGState", ["i", "x", "r", "p", "gamma"])


def _dot(x, y):
    """The (conjugate) inner product of the last axes of x and y."""
    return array_ops.squeeze(math_ops.matmul(x[..., None], y[..., None], adjoint_a=True), axis=[-1, -2])


def conjugate_gradient(operator, rhs, preconditioner=None, x=None, tol=1e-5, max_iter=20,
                       name="conjugate_gradient"):
    """``tf.linalg.experimental.conjugate_gradient``: a `CGState(i, x, r, p, gamma)` whose `x` solves
    `operator @ x = rhs` (optionally preconditioned: `preconditioner` approximates the inverse).
    Deviation: the batch shapes of `rhs` and the operators broadcast statically here."""
    if not (operator.is_self_adjoint and operator.is_positive_definite):
        raise ValueError("Expected a self-adjoint, positive definite operator.")

    def stopping_criterion(i, state):
        return math_ops.logical_and(i < max_iter, math_ops.reduce_any(norm(state.r, axis=-1) > tol))

    def cg_step(i, state):
        z = operator.matvec(state.p)
        alpha = state.gamma / _dot(state.p, z)
        x = state.x + alpha[..., None] * state.p
        r = state.r - alpha[..., None] * z
        q = r if preconditioner is None else preconditioner.matvec(r)
        gamma = _dot(r, q)
        beta = gamma / state.gamma
        p = q + beta[..., None] * state.p
        return i + 1, CGState(i + 1, x, r, p, gamma)

    with ops.name_scope(name):
        rhs = ops.convert_to_tensor(rhs, name="rhs")
        shapes = [rhs.shape[:-1], operator.batch_shape]
        if preconditioner is not None:
            shapes.append(preconditioner.batch_shape)
        batch = broadcast_batch_shapes(shapes)
        target = batch.concatenate(rhs.shape[-1:])
        r0 = rhs if target.as_list() == rhs.shape.as_list() else array_ops.broadcast_to(rhs, target.as_list())
        tol *= norm(r0, axis=-1)
        if x is None:
            x = array_ops.zeros(target.as_list(), dtype=rhs.dtype.base_dtype)
        else:
            r0 = rhs - operator.matvec(x)
        p0 = r0 if preconditioner is None else preconditioner.matvec(r0)
        gamma0 = _dot(r0, p0)
        i = constant_op.constant(0, dtype=dtypes.int32)
        state = CGState(i=i, x=x, r=r0, p=p0, gamma=gamma0)
        _, state = while_loop(stopping_criterion, cg_step, [i, state])
        return CGState(state.i, x=state.x, r=state.r, p=state.p, gamma=state.gamma)


__all__ = ["conjugate_gradient"]
