"""TF 2.x's switches back to TF 1.x behaviour: `tf.compat.v1.disable_v2_behavior()` and its parts.

The engine *is* TF 1.x graph mode (reference variables, no eager execution), so each switch TF1 scripts
call to get there is accepted and leaves it as it is; the ones asking for TF2 behaviour refuse with a
clear error rather than pretending.
"""

from __future__ import annotations

__all__ = [
    "control_flow_v2_enabled",
    "disable_control_flow_v2",
    "disable_tensor_equality",
    "disable_v2_tensorshape",
    "executing_eagerly_outside_functions",
    "disable_eager_execution",
    "disable_resource_variables",
    "disable_v2_behavior",
    "enable_resource_variables",
    "executing_eagerly",
    "resource_variables_enabled",
]

_REFERENCE_ONLY = "This engine implements TF 1.x reference variables only (use_resource=False)."


def disable_v2_behavior():
    """Graph mode, reference variables, TF1 shapes and control flow: what the engine always runs."""
    disable_eager_execution()
    disable_resource_variables()
    disable_tensor_equality()
    disable_v2_tensorshape()
    disable_control_flow_v2()


def disable_eager_execution():
    """Ops build graph nodes run by a Session; there is no eager mode to leave."""


def executing_eagerly():
    """False: ops always build graph nodes here (TF 1.x graph mode)."""
    return False


def disable_resource_variables():
    """`tf.Variable` and `get_variable` make reference variables (`VariableV2`), as they already do."""


def enable_resource_variables():
    """TF would make resource variables (`VarHandleOp`) by default from now on; the engine cannot."""
    raise ValueError(_REFERENCE_ONLY)


def resource_variables_enabled():
    """False: variables are TF 1.x reference variables."""
    return False


def executing_eagerly_outside_functions():
    """False: outside any function, ops build graph nodes too."""
    return False


def disable_tensor_equality():
    """`t1 == t2` compares the Tensor objects (TF1) rather than building an Equal op, as it already does."""


def disable_v2_tensorshape():
    """`TensorShape` dims are `Dimension` objects (TF1), as they already are."""


def disable_control_flow_v2():
    """tf.cond / tf.while_loop build TF1's Switch/Merge control flow (or none yet), not functional ops."""


def control_flow_v2_enabled():
    """False: control flow is TF 1.x's."""
    return False
