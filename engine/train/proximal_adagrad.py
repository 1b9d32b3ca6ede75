"""``tf.train.ProximalAdagradOptimizer``: an Adagrad step, then the L1/L2 proximal step at Adagrad's
per-element rate (ApplyProximalAdagrad). Slot ``<var>/ProximalAdagrad`` (``accumulator``) starts at
``initial_accumulator_value``, from a Const made where the slot is (TF's ``Const``, ``Const_1`` ...)."""

from __future__ import annotations

from engine.framework import ops
from engine.ops import constant_op, sparse_training_ops, training_ops
from engine.train.optimizer import Optimizer


class ProximalAdagradOptimizer(Optimizer):
    def __init__(self, learning_rate, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False, name="ProximalAdagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength

    def _create_slots(self, var_list):
        for v in var_list:
            with ops.colocate_with(v):
                val = constant_op.constant(self._initial_accumulator_value, shape=v.get_shape().as_list(),
                                           dtype=v.dtype.base_dtype)
            self._get_or_make_slot(v, val, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper(self._l1_regularization_strength, "l1_regularization_strength")
        self._l2_tensor = self._hyper(self._l2_regularization_strength, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_proximal_adagrad(var, acc, self._learning_rate_tensor, self._l1_tensor,
                                                   self._l2_tensor, grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return sparse_training_ops.sparse_apply(
            "SparseApplyProximalAdagrad", [var, acc],
            [self._learning_rate_tensor, self._l1_tensor, self._l2_tensor, grad.values, grad.indices],
            use_locking=self._use_locking)
