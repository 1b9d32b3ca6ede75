"""CheckNumerics (``tf.check_numerics``) and the checks built on it: ``verify_tensor_all_finite``
(``tf.debugging.assert_all_finite``) and ``add_check_numerics_ops``. Kernel, shape rule, wrapper and
gradient together.

CheckNumerics passes its input through unchanged, and fails the run with TF's InvalidArgumentError
("<message> : Tensor had NaN values") when the input holds a NaN or an infinity.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework.registry import register_gradient
from engine.ops import array_ops, control_flow_ops
from engine.ops.op_util import infer_same, make_tensor

_CHECKED_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def _compile_check_numerics(op, runtime):
    message = op.get_attr("message")
    message = message.decode() if isinstance(message, bytes) else message

    def kernel(tensor):
        values = np.asarray(tensor)
        has_nan, has_inf = bool(np.isnan(values).any()), bool(np.isinf(values).any())
        if has_nan or has_inf:
            found = "Inf and NaN" if has_nan and has_inf else ("NaN" if has_nan else "Inf")
            raise errors.InvalidArgumentError(None, None, f"{message} : Tensor had {found} values")
        return tensor

    return kernel


registry.register_op(
    "CheckNumerics",
    infer=infer_same,
    compile=_compile_check_numerics,
    stateful=True,  # TF's OpDef says so: never folded away, even on a constant input
    inputs=("tensor: T",),
    allowed={"T": ("bfloat16", "float16", "float32", "float64")},
)


def check_numerics(tensor, message, name=None):
    """``tf.check_numerics``: `tensor` unchanged, failing the run if it holds NaN or Inf."""
    with ops.name_scope(name, "CheckNumerics", [tensor]) as scope:
        tensor = ops.convert_to_tensor(tensor, name="tensor")
        registry.get_op_def("CheckNumerics").check_inputs([tensor])
        return make_tensor("CheckNumerics", [tensor], name=scope,
                           attrs={"T": tensor.dtype.base_dtype, "message": message})


@register_gradient("CheckNumerics")
def _check_numerics_grad(op, grad):
    """The gradient is checked too. The message formats the attr's bytes as TF's does (``b'...'``)."""
    message = op.get_attr("message")
    message = message if isinstance(message, bytes) else message.encode()
    text = f"Not a number (NaN) or infinity (Inf) values detected in gradient. {message}"
    return [check_numerics(grad, text)]


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """`t` (or `x`) behind a control dependency on its CheckNumerics: the value is only read once checked."""
    x = t if x is None else x
    message = msg if message is None else message
    with ops.name_scope(name, "VerifyFinite", [x]):
        x = ops.convert_to_tensor(x, name="x")
        with ops.colocate_with(x):
            verify_input = check_numerics(x, message=message)
            with ops.name_scope(None, "control_dependency", [verify_input, x]) as dep_name:
                with ops.control_dependencies([verify_input]):
                    return array_ops.identity(x, name=dep_name)


def add_check_numerics_ops():
    """A CheckNumerics on every float output of the default graph, chained by control dependencies and
    grouped into one op; the messages name the output (``op_name:index``)."""
    check_op = []
    for op in ops.get_default_graph().get_operations():
        for output in op.outputs:
            if output.dtype.base_dtype in _CHECKED_DTYPES:
                with ops.control_dependencies(check_op):
                    check_op = [check_numerics(output, message=f"{op.name}:{output.value_index}")]
    return control_flow_ops.group(*check_op)
