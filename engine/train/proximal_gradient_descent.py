"""``tf.train.ProximalGradientDescentOptimizer``: a gradient step, then the L1/L2 proximal step
(ApplyProximalGradientDescent). No slots."""

from __future__ import annotations

from engine.ops import sparse_training_ops, training_ops
from engine.train.optimizer import Optimizer


class ProximalGradientDescentOptimizer(Optimizer):
    def __init__(self, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper(self._l1_regularization_strength, "l1_regularization_strength")
        self._l2_tensor = self._hyper(self._l2_regularization_strength, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        return training_ops.apply_proximal_gradient_descent(
            var, self._learning_rate_tensor, self._l1_tensor, self._l2_tensor, grad,
            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return sparse_training_ops.sparse_apply(
            "SparseApplyProximalGradientDescent", [var],
            [self._learning_rate_tensor, self._l1_tensor, self._l2_tensor, grad.values, grad.indices],
            use_locking=self._use_locking).op
