"""``tf.train.AdamOptimizer`` (Kingma & Ba) exactly as TF 1.x builds it.

Slots ``<var>/Adam`` (m) and ``<var>/Adam_1`` (v); non-slot variables ``beta1_power`` and
``beta2_power`` (colocated with the first variable by name), multiplied by beta1/beta2 after all
``ApplyAdam`` updates of a step (``Adam/mul``, ``Adam/Assign``, ``Adam/mul_1``, ``Adam/Assign_1``).
"""

from __future__ import annotations

from engine.framework import ops
from engine.ops import array_ops, control_flow_ops, math_ops, scatter_ops, training_ops
from engine.train.optimizer import Optimizer


class AdamOptimizer(Optimizer):
    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False,
                 name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self, graph=None):
        return (self._get_non_slot_variable("beta1_power", graph=graph),
                self._get_non_slot_variable("beta2_power", graph=graph))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda v: v.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", first_var)
        self._create_non_slot_variable(self._beta2, "beta2_power", first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._lr, "learning_rate")
        self._beta1_t = self._hyper(self._beta1, "beta1")
        self._beta2_t = self._hyper(self._beta2, "beta2")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        beta1_power, beta2_power = self._get_beta_accumulators(var.graph)
        c = self._cast_like
        return training_ops.apply_adam(
            var, m, v, c(beta1_power.value(), var), c(beta2_power.value(), var), c(self._lr_t, var),
            c(self._beta1_t, var), c(self._beta2_t, var), c(self._epsilon_t, var), grad,
            use_locking=self._use_locking).op

    def _finish(self, update_ops, name_scope):
        with ops.control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators()
            with ops.colocate_with(beta1_power):
                update_beta1 = beta1_power.assign(beta1_power.value() * self._beta1_t,
                                                  use_locking=self._use_locking)
                update_beta2 = beta2_power.assign(beta2_power.value() * self._beta2_t,
                                                  use_locking=self._use_locking)
        return control_flow_ops.group(*update_ops, update_beta1, update_beta2, name=name_scope)

    def _apply_sparse(self, grad, var):
        """TF's sparse Adam: m and v decay on every row (``m.assign(m * beta1)``), then the scaled
        gradient rows are added with ScatterAdd, and the whole variable moves by ``lr * m / (sqrt(v) +
        epsilon)`` (an AssignSub), with ``lr = lr_t * sqrt(1 - beta2_power) / (1 - beta1_power)``."""
        beta1_power, beta2_power = self._get_beta_accumulators()
        dtype = var.dtype.base_dtype
        beta1_power = array_ops.cast(beta1_power.value(), dtype)
        beta2_power = array_ops.cast(beta2_power.value(), dtype)
        lr_t, beta1_t, beta2_t, epsilon_t = (array_ops.cast(t, dtype) for t in (
            self._lr_t, self._beta1_t, self._beta2_t, self._epsilon_t))
        lr = lr_t * math_ops.sqrt(1 - beta2_power) / (1 - beta1_power)
        m = self.get_slot(var, "m")
        m_scaled_g_values = grad.values * (1 - beta1_t)
        m_t = m.assign(m.value() * beta1_t, use_locking=self._use_locking)
        with ops.control_dependencies([m_t]):
            m_t = scatter_ops.scatter_add(m, grad.indices, m_scaled_g_values, use_locking=self._use_locking)
        v = self.get_slot(var, "v")
        v_scaled_g_values = (grad.values * grad.values) * (1 - beta2_t)
        v_t = v.assign(v.value() * beta2_t, use_locking=self._use_locking)
        with ops.control_dependencies([v_t]):
            v_t = scatter_ops.scatter_add(v, grad.indices, v_scaled_g_values, use_locking=self._use_locking)
        v_sqrt = math_ops.sqrt(v_t)
        var_update = var.assign_sub(lr * m_t / (v_sqrt + epsilon_t), use_locking=self._use_locking)
        return control_flow_ops.group(var_update, m_t, v_t)
