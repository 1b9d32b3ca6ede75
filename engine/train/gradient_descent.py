"""``tf.train.GradientDescentOptimizer``: ``var -= learning_rate * grad`` (op ApplyGradientDescent)."""

from __future__ import annotations

from engine.framework import indexed_slices
from engine.ops import training_ops
from engine.train.optimizer import Optimizer


class GradientDescentOptimizer(Optimizer):
    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(
            var, self._cast_like(self._learning_rate_tensor, var), grad, use_locking=self._use_locking).op

    def _apply_sparse_duplicate_indices(self, grad, var):
        """``var[indices] -= learning_rate * values`` with one ScatterSub: repeated indices subtract in
        turn, which is the update of their sum, so TF skips the summing here."""
        delta = indexed_slices.IndexedSlices(
            grad.values * self._cast_like(self._learning_rate_tensor, var), grad.indices, grad.dense_shape)
        return var.scatter_sub(delta, use_locking=self._use_locking)
