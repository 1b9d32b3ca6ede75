"""``tf.train.AdagradOptimizer``: ``accum += grad^2; var -= lr * grad / sqrt(accum)`` (ApplyAdagrad).
Slot ``<var>/Adagrad`` starts at ``initial_accumulator_value``."""

from __future__ import annotations

from engine.ops import sparse_training_ops, training_ops
from engine.train.optimizer import Optimizer


class AdagradOptimizer(Optimizer):
    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_adagrad(var, acc, self._cast_like(self._learning_rate_tensor, var), grad,
                                          use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return sparse_training_ops.sparse_apply(
            "SparseApplyAdagrad", [var, acc],
            [self._cast_like(self._learning_rate_tensor, var), grad.values, grad.indices],
            use_locking=self._use_locking)
