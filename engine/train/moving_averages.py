"""`tf.train.ExponentialMovingAverage`: shadow variables ``<var>/<name>`` that track variables' averages.

``apply(var_list)`` makes one shadow per variable (a slot, initialized from the variable's value, recorded
in ``MOVING_AVERAGE_VARIABLES``) and returns the grouped op that moves each shadow towards its variable:
``shadow -= (1 - decay) * (shadow - var)``, with ``decay = min(decay, (1 + n) / (10 + n))`` when
``num_updates`` is given. ``variables_to_restore()`` maps shadow names to variables, so a Saver loads the
averages into the model's variables for evaluation. Deviation: TF also averages plain tensors (in
zero-initialized shadows, optionally ``zero_debias``-ed); here ``apply`` takes variables only.
"""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.ops import array_ops, control_flow_ops, math_ops, state_ops
from engine.train.optimizer import _create_slot_var

_AVERAGED_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def assign_moving_average(variable, value, decay, name=None):
    """``variable -= (1 - decay) * (variable - value)``; returns the updated value."""
    with ops.name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        decay = ops.convert_to_tensor(1.0 - decay, name="decay")
        if decay.dtype != variable.dtype.base_dtype:
            decay = array_ops.cast(decay, variable.dtype.base_dtype)
        return state_ops.assign_sub(variable, (variable - value) * decay, name=scope)


class ExponentialMovingAverage:
    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._zero_debias = zero_debias  # as in TF, it only changes averages of tensors, which apply refuses
        self._decay = decay
        self._num_updates = num_updates
        self._name = name
        self._averages = {}  # id(variable) -> (variable, shadow)

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Creates the shadows of `var_list` (default: the trainable variables) not averaged yet, and
        returns the op (named after this average) that updates all of them."""
        from engine import variables

        if var_list is None:
            var_list = variables.trainable_variables()
        var_list = list(var_list)
        for var in var_list:
            if var.dtype.base_dtype not in _AVERAGED_DTYPES:
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if not isinstance(var, variables.Variable):
                raise TypeError(f"ExponentialMovingAverage.apply averages variables only, got {var!r}")
            if id(var) not in self._averages:
                shadow = _create_slot_var(var, var.initialized_value, self._name)
                ops.add_to_collection(ops.GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                self._averages[id(var)] = (var, shadow)
        with ops.name_scope(self._name) as scope:
            decay = ops.convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                num_updates = array_ops.cast(self._num_updates, dtypes.float32, name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = [assign_moving_average(self._averages[id(var)][1], var, decay) for var in var_list]
            return control_flow_ops.group(*updates, name=scope)

    def average(self, var):
        """The shadow variable of `var`, or None if `apply` did not average it."""
        entry = self._averages.get(id(var))
        return None if entry is None else entry[1]

    def average_name(self, var):
        """The shadow's op name: what `apply` named it, or would name it (without making it)."""
        shadow = self.average(var)
        if shadow is not None:
            return shadow.op.name
        return ops.get_default_graph().unique_name(f"{var.op.name}/{self._name}", mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables=None):
        """{name in the checkpoint: variable}: the averages' names for `moving_avg_variables` (default: the
        trainable and moving-average variables), every other global variable under its own name."""
        from engine import variables

        if moving_avg_variables is None:
            moving_avg_variables = variables.trainable_variables() + variables.moving_average_variables()
        averaged = {id(v): v for v in moving_avg_variables}
        name_map = {self.average_name(v): v for v in averaged.values()}
        for v in variables.global_variables():
            if id(v) not in averaged and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map
