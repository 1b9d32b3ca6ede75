"""``tf.train.FtrlOptimizer`` (McMahan et al., 2013) as TF 1.x builds it: ApplyFtrl, or ApplyFtrlV2 when
``l2_shrinkage_regularization_strength`` is positive.

Slots ``accum`` (``<var>/Ftrl``, or ``<var>/<accum_name>``; starts at ``initial_accumulator_value``) and
``linear`` (``<var>/Ftrl_1``, or ``<var>/<linear_name>``; zeros).  The L2 strength the kernel gets is
``l2 + beta / (2 * max(learning_rate, 1e-36))``, built from ops under ``Ftrl/`` as TF does.
"""

from __future__ import annotations

from engine.ops import array_ops, math_ops, sparse_training_ops, training_ops
from engine.train.optimizer import Optimizer


def _check_non_negative(value, what, ending="positive or zero"):
    if value < 0.0:
        raise ValueError(f"{what} {value:f} needs to be {ending}")


class FtrlOptimizer(Optimizer):
    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
                 name="Ftrl", accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0,
                 beta=None):
        super().__init__(use_locking, name)
        _check_non_negative(initial_accumulator_value, "initial_accumulator_value")
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power:f} needs to be negative or zero")
        _check_non_negative(l1_regularization_strength, "l1_regularization_strength")
        _check_non_negative(l2_regularization_strength, "l2_regularization_strength")
        _check_non_negative(l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength",
                            "positive or zero")
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            def accum_initial_value(v=v):
                ones = array_ops.ones(v.get_shape().as_list(), dtype=v.dtype.base_dtype)
                return ones * self._initial_accumulator_value

            self._get_or_make_slot(v, accum_initial_value, "accum", self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper(self._l1_regularization_strength, "l1_regularization_strength")
        # TF adds beta's share to L2 with graph ops even when beta is 0 (Ftrl/Maximum ... Ftrl/add)
        self._adjusted_l2_tensor = self._l2_regularization_strength + self._beta / (
            2.0 * math_ops.maximum(self._call_if_callable(self._learning_rate), 1e-36))
        self._beta_tensor = self._hyper(self._beta, "beta")
        self._l2_shrinkage_tensor = self._hyper(self._l2_shrinkage_regularization_strength,
                                                "l2_shrinkage_regularization_strength")
        self._learning_rate_power_tensor = self._hyper(self._learning_rate_power, "learning_rate_power")

    def _inputs(self, var):
        """The slots and the hyper-parameters (cast to var's dtype) that both kernels take."""
        c = self._cast_like
        return (self.get_slot(var, "accum"), self.get_slot(var, "linear"), c(self._learning_rate_tensor, var),
                c(self._l1_tensor, var), c(self._adjusted_l2_tensor, var),
                c(self._learning_rate_power_tensor, var))

    def _apply_dense(self, grad, var):
        accum, linear, lr, l1, l2, power = self._inputs(var)
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_ops.apply_ftrl(var, accum, linear, grad, lr, l1, l2, power,
                                           use_locking=self._use_locking)
        shrinkage = self._cast_like(self._l2_shrinkage_tensor, var)
        return training_ops.apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, shrinkage, power,
                                          use_locking=self._use_locking)

    def _apply_sparse(self, grad, var):
        accum, linear, lr, l1, l2, power = self._inputs(var)
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return sparse_training_ops.sparse_apply(
                "SparseApplyFtrl", [var, accum, linear], [grad.values, grad.indices, lr, l1, l2, power],
                use_locking=self._use_locking)
        shrinkage = self._cast_like(self._l2_shrinkage_tensor, var)
        return sparse_training_ops.sparse_apply(
            "SparseApplyFtrlV2", [var, accum, linear],
            [grad.values, grad.indices, lr, l1, l2, shrinkage, power], use_locking=self._use_locking)
