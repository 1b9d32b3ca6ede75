"""``tf.train.MomentumOptimizer``: ``accum = momentum * accum + grad; var -= lr * accum`` (ApplyMomentum;
with ``use_nesterov=True`` ``var -= lr * grad + lr * momentum * accum``).  Slot ``<var>/Momentum``."""

from __future__ import annotations

from engine.ops import sparse_training_ops, training_ops
from engine.train.optimizer import Optimizer


class MomentumOptimizer(Optimizer):
    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        mom = self.get_slot(var, "momentum")
        return training_ops.apply_momentum(
            var, mom, self._cast_like(self._learning_rate_tensor, var), grad,
            self._cast_like(self._momentum_tensor, var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op

    def _apply_sparse(self, grad, var):
        mom = self.get_slot(var, "momentum")
        return sparse_training_ops.sparse_apply(
            "SparseApplyMomentum", [var, mom],
            [self._cast_like(self._learning_rate_tensor, var), grad.values, grad.indices,
             self._cast_like(self._momentum_tensor, var)],
            use_locking=self._use_locking, use_nesterov=self._use_nesterov).op
