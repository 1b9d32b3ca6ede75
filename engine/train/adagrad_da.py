"""``tf.train.AdagradDAOptimizer``: Adagrad dual averaging (ApplyAdagradDA), for sparse linear models.

It needs the ``global_step`` at construction: the kernel gets ``global_step + 1`` (``AdagradDA/add``,
copied per variable as ``update_<var>/Identity``), and ``minimize`` should be given the same step so it
advances.  Slots ``<var>/AdagradDA`` (``gradient_accumulator``, zeros) and ``<var>/AdagradDA_1``
(``gradient_squared_accumulator``, ``initial_gradient_squared_accumulator_value``).
"""

from __future__ import annotations

from engine.framework import ops
from engine.ops import array_ops, constant_op, sparse_training_ops, training_ops
from engine.train.optimizer import Optimizer


class AdagradDAOptimizer(Optimizer):
    def __init__(self, learning_rate, global_step, initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
                 name="AdagradDA"):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError("initial_gradient_squared_accumulator_value must be positive: "
                             f"{initial_gradient_squared_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_gradient_squared_accumulator_value = initial_gradient_squared_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._global_step = global_step

    def _create_slots(self, var_list):
        for v in var_list:
            shape, dtype = v.get_shape().as_list(), v.dtype.base_dtype
            with ops.colocate_with(v):
                g_val = constant_op.constant(0.0, shape=shape, dtype=dtype)
                gg_val = constant_op.constant(self._initial_gradient_squared_accumulator_value, shape=shape,
                                              dtype=dtype)
            self._get_or_make_slot(v, g_val, "gradient_accumulator", self._name)
            self._get_or_make_slot(v, gg_val, "gradient_squared_accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        with ops.colocate_with(self._learning_rate_tensor):
            self._global_step_on_worker = array_ops.identity(self._global_step) + 1

    def _apply_dense(self, grad, var):
        g_acc = self.get_slot(var, "gradient_accumulator")
        gg_acc = self.get_slot(var, "gradient_squared_accumulator")
        global_step = array_ops.identity(self._global_step_on_worker)
        dtype = var.dtype.base_dtype
        return training_ops.apply_adagrad_da(
            var, g_acc, gg_acc, grad, self._cast_like(self._learning_rate_tensor, var),
            array_ops.cast(self._l1_regularization_strength, dtype),
            array_ops.cast(self._l2_regularization_strength, dtype), global_step,
            use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        g_acc = self.get_slot(var, "gradient_accumulator")
        gg_acc = self.get_slot(var, "gradient_squared_accumulator")
        global_step = array_ops.identity(self._global_step_on_worker)
        dtype = var.dtype.base_dtype
        return sparse_training_ops.sparse_apply(
            "SparseApplyAdagradDA", [var, g_acc, gg_acc],
            [grad.values, grad.indices, self._cast_like(self._learning_rate_tensor, var),
             array_ops.cast(self._l1_regularization_strength, dtype),
             array_ops.cast(self._l2_regularization_strength, dtype), global_step],
            use_locking=self._use_locking)
