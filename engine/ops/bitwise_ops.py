"""`tf.bitwise`: BitwiseAnd, BitwiseOr, BitwiseXor, LeftShift, RightShift and Invert on integer tensors.

Each op takes one type `T` in int8..uint64 (another dtype is TF's "Value passed to parameter 'x' has
DataType float32 not in list of allowed values" TypeError), broadcasts like the arithmetic ops, and has no
gradient (TF registers none). They also back the `&`, `|`, `^`, `~` operators of integer tensors
(`engine.ops.math_ops`).
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import ops, registry
from engine.ops.op_util import convert_input, infer_broadcast, infer_same, make_tensor


def _clamped_shift(x, y):
    """TF clamps the shift amount to [0, bits - 1] (numpy leaves larger shifts to the C compiler)."""
    x = np.asarray(x)
    return np.clip(y, 0, x.dtype.itemsize * 8 - 1).astype(x.dtype)


def _left_shift(x, y):
    return np.left_shift(x, _clamped_shift(x, y))


def _right_shift(x, y):
    return np.right_shift(x, _clamped_shift(x, y))  # arithmetic (sign-filling) for signed types, as in TF


_BINARY = {
    "BitwiseAnd": np.bitwise_and,
    "BitwiseOr": np.bitwise_or,
    "BitwiseXor": np.bitwise_xor,
    "LeftShift": _left_shift,
    "RightShift": _right_shift,
}
for _type, _kernel in _BINARY.items():
    registry.register_op(_type, infer=infer_broadcast, kernel=_kernel, inputs=("x: T", "y: T"),
                         allowed={"T": groups.INTEGER_TYPES})
    registry.register_not_differentiable(_type)

registry.register_op("Invert", infer=infer_same, kernel=np.invert, inputs=("x: T",),
                     allowed={"T": groups.INTEGER_TYPES})
registry.register_not_differentiable("Invert")


def _integer_input(op_type, x):
    """`x` as a tensor; TF's TypeError names its dtype if `op_type` refuses it (before `y` is converted)."""
    x = ops.convert_to_tensor(x, name="x")
    registry.get_op_def(op_type).check_inputs([x])
    return x


def _binary(op_type, x, y, name):
    with ops.name_scope(name, op_type, [x, y]) as scope:
        x = _integer_input(op_type, x)
        y = convert_input(op_type, "y", y, x.dtype.base_dtype, inferred_from="x")
        return make_tensor(op_type, [x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def bitwise_and(x, y, name=None):
    return _binary("BitwiseAnd", x, y, name)


def bitwise_or(x, y, name=None):
    return _binary("BitwiseOr", x, y, name)


def bitwise_xor(x, y, name=None):
    return _binary("BitwiseXor", x, y, name)


def left_shift(x, y, name=None):
    """x << y; a shift outside [0, bits - 1] is clamped into it (TF's kernel)."""
    return _binary("LeftShift", x, y, name)


def right_shift(x, y, name=None):
    """x >> y, sign-filling for signed types; a shift outside [0, bits - 1] is clamped into it."""
    return _binary("RightShift", x, y, name)


def invert(x, name=None):
    """~x, every bit flipped."""
    with ops.name_scope(name, "Invert", [x]) as scope:
        x = _integer_input("Invert", x)
        return make_tensor("Invert", [x], name=scope, attrs={"T": x.dtype.base_dtype})
