"""``tf.train.RMSPropOptimizer`` (ApplyRMSProp / ApplyCenteredRMSProp).

Slots: ``rms`` (``<var>/RMSProp``, starts at ones as in TF 1.x), ``mg`` when centered, and
``momentum``; each named ``<var>/RMSProp``, ``<var>/RMSProp_1``, ... in creation order.
"""

from __future__ import annotations

from engine.ops import sparse_training_ops, training_ops
from engine.train.optimizer import Optimizer


class RMSPropOptimizer(Optimizer):
    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._ones_slot(v, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._decay_tensor = self._hyper(self._decay, "decay")
        self._momentum_tensor = self._hyper(self._momentum, "momentum")
        self._epsilon_tensor = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        c = self._cast_like
        hyper = (c(self._learning_rate_tensor, var), c(self._decay_tensor, var),
                 c(self._momentum_tensor, var), c(self._epsilon_tensor, var))
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.apply_centered_rms_prop(var, mg, rms, mom, *hyper, grad,
                                                        use_locking=self._use_locking).op
        return training_ops.apply_rms_prop(var, rms, mom, *hyper, grad, use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        c = self._cast_like
        hyper = [c(self._learning_rate_tensor, var), c(self._decay_tensor, var),
                 c(self._momentum_tensor, var), c(self._epsilon_tensor, var), grad.values, grad.indices]
        if self._centered:
            mg = self.get_slot(var, "mg")
            return sparse_training_ops.sparse_apply("SparseApplyCenteredRMSProp", [var, mg, rms, mom], hyper,
                                                    use_locking=self._use_locking)
        return sparse_training_ops.sparse_apply("SparseApplyRMSProp", [var, rms, mom], hyper,
                                                use_locking=self._use_locking)
