"""The Tensor operator overloads: ``a + b`` builds an AddV2 op named ``add``, ``a[1:]`` a StridedSlice,
``a & b`` a LogicalAnd or BitwiseAnd, as in TF."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.ops import bitwise_ops
from engine.ops.math_ops.arithmetic import (
    _truediv,
    add,
    floordiv,
    floormod,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    multiply,
    pow,  # noqa: A004 - TF's name
    subtract,
)
from engine.ops.math_ops.matmul import matmul
from engine.ops.math_ops.unary import abs  # noqa: A004
from engine.ops.op_util import (
    make_tensor,
)

_convert = ops.convert_to_tensor


def _binary_operator(fn, name):
    """`x <op> y` and `y <op> x` as TF's `binary_op_wrapper` / `r_binary_op_wrapper` build them.

    Forward: the right operand goes to `fn` unconverted, so the op's own error stands (`t - 2.5` is
    "Expected int32 passed to parameter 'y' of op 'Sub' ...", `t & 1.5` names BitwiseAnd); only when the op
    refuses it does a right operand that defines the reflected operator get a try (an error there re-raises
    the op's error, so `t - np.float64(2.5)` reads as `t - 2.5`).  Reflected: the left operand is converted
    to the tensor's dtype first (`2.5 - t` is the conversion's own TypeError), then `fn` runs.
    """
    reflected = f"__r{name}__"

    def forward(x, y):
        with ops.name_scope(None, name, [x, y]) as scope:
            try:
                return fn(x, y, name=scope)
            except (TypeError, ValueError) as error:
                if not hasattr(type(y), reflected):
                    raise
                try:
                    out = getattr(y, reflected)(x)
                except (TypeError, ValueError):
                    raise error from None
                if out is NotImplemented:
                    raise
                return out

    def reverse(y, x):
        with ops.name_scope(None, name, [x, y]) as scope:
            x = _convert(x, dtype=y.dtype.base_dtype, name="x")
            return fn(x, y, name=scope)

    return forward, reverse


def and_(x, y, name=None):
    """`x & y`: LogicalAnd named `name` for bool, else BitwiseAnd inside it (`and_1/BitwiseAnd`), as TF."""
    if x.dtype.base_dtype == dtypes.bool:
        return logical_and(x, y, name=name)
    return bitwise_ops.bitwise_and(x, y)


def or_(x, y, name=None):
    if x.dtype.base_dtype == dtypes.bool:
        return logical_or(x, y, name=name)
    return bitwise_ops.bitwise_or(x, y)


def xor_(x, y, name=None):
    if x.dtype.base_dtype == dtypes.bool:
        return logical_xor(x, y, name=name)
    return bitwise_ops.bitwise_xor(x, y)


def invert_(x, name=None):
    """`~x`: LogicalNot for bool, else Invert (integers only)."""
    if x.dtype.base_dtype == dtypes.bool:
        return logical_not(x, name=name)
    return bitwise_ops.invert(x, name=name)


_OPERATORS = {
    "add": add,
    "sub": subtract,
    "mul": multiply,
    "truediv": _truediv,
    "div": _truediv,
    "floordiv": floordiv,
    "mod": floormod,
    "pow": pow,
    "matmul": matmul,
    "and": and_,
    "or": or_,
    "xor": xor_,
}
for _name, _fn in _OPERATORS.items():
    _fwd, _rev = _binary_operator(_fn, _name)
    setattr(ops.Tensor, f"__{_name}__", _fwd)
    setattr(ops.Tensor, f"__r{_name}__", _rev)


def _compare_operator(fn):
    def method(x, y):
        return fn(x, y)

    return method


ops.Tensor.__lt__ = _compare_operator(less)
ops.Tensor.__le__ = _compare_operator(less_equal)
ops.Tensor.__gt__ = _compare_operator(greater)
ops.Tensor.__ge__ = _compare_operator(greater_equal)
ops.Tensor.__neg__ = lambda x: make_tensor("Neg", [x], name="Neg", attrs={"T": x.dtype.base_dtype})
ops.Tensor.__abs__ = lambda x: abs(x)
ops.Tensor.__invert__ = lambda x: invert_(x)
