"""Elementwise two-operand math: arithmetic (AddV2, Sub, Mul, RealDiv, FloorDiv, Pow, Maximum, ...),
comparisons, logical and/or/not/xor, AddN, with their kernels, shape rules, wrappers and gradients.

Every gradient undoes broadcasting with `grad_util.unbroadcast`.  Comparisons, logical ops, FloorDiv and
TruncateDiv are not differentiable (TF registers them with ``NotDifferentiable`` or a gradient of None).
"""

from __future__ import annotations

import operator

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry
from engine.framework.indexed_slices import IndexedSlices
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops import array_ops, constant_op, grad_util, math_ops
from engine.ops.op_util import (
    check_same_dtype,
    convert_input,
    infer_broadcast,
    infer_compare,
    make_tensor,
    ufunc_bind,
)

_convert = ops.convert_to_tensor


def _real_div(x, y):
    return np.true_divide(x, y)


def _int_trunc_div(x, y):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.dtype.kind in "iu":
        if np.any(y == 0):
            raise errors.InvalidArgumentError(None, None, "Integer division by zero")
        q = np.abs(x) // np.abs(y)
        return (np.sign(x) * np.sign(y) * q).astype(x.dtype)
    return np.true_divide(x, y)


def _floor_div(x, y):
    if np.asarray(y).dtype.kind in "iu" and np.any(np.asarray(y) == 0):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")
    return np.floor_divide(x, y)


def _floor_mod(x, y):
    if np.asarray(y).dtype.kind in "iu" and np.any(np.asarray(y) == 0):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")
    return np.mod(x, y)


def _pow(x, y):
    if np.asarray(x).dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise errors.InvalidArgumentError(None, None, "Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _div_no_nan(x, y):
    r = np.true_divide(x, y)
    if np.ndim(y) == 0:  # the usual case: a loss divided by a count
        return r if y != 0 else np.zeros_like(r)
    return np.where(np.asarray(y) == 0, np.zeros((), dtype=np.result_type(r)), r)


def _squared_difference(x, y):
    d = np.subtract(x, y)
    return np.multiply(d, d)


# (op type, numpy kernel, allowed dtypes of T) for binary elementwise ops with broadcasting.  Bool
# tensors are refused by Mul and the rest, as TF 1.x refused them (TF 2.21's `x * y` casts bools first).
_BINARY = {
    "AddV2": (np.add, groups.ADD_V2_TYPES),
    "Add": (np.add, groups.ADD_TYPES),
    "Sub": (np.subtract, groups.SUB_TYPES),
    "Mul": (np.multiply, groups.BINARY_MORE),
    "RealDiv": (_real_div, groups.BINARY_MORE),
    "Div": (_int_trunc_div, groups.BINARY_MORE),
    "FloorDiv": (_floor_div, groups.BINARY_MORE),
    "FloorMod": (_floor_mod, groups.FLOOR_MOD_TYPES),
    "Pow": (_pow, groups.POW_TYPES),
    "Maximum": (np.maximum, groups.MAXIMUM_TYPES),
    "Minimum": (np.minimum, groups.MAXIMUM_TYPES),
    "SquaredDifference": (_squared_difference, groups.SQUARED_DIFFERENCE_TYPES),
    "DivNoNan": (_div_no_nan, groups.DIV_NO_NAN_TYPES),
    "TruncateDiv": (_int_trunc_div, groups.BINARY_MORE),
    "Atan2": (np.arctan2, groups.UNARY_REAL),
}
# One ufunc call, which always allocates its result (`fresh`) and keeps a float input's dtype, so the
# result may go into a dead input's buffer instead (`forward`; "Add" also concatenates strings).
_FORWARDING_UFUNC_OPS = ("AddV2", "Sub", "Mul", "Maximum", "Minimum")
# The ufunc kernels Python's operators compute on numpy scalars (registry flag `on_scalars`).
_OPERATORS = {np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
              np.equal: operator.eq, np.not_equal: operator.ne, np.less: operator.lt,
              np.less_equal: operator.le, np.greater: operator.gt, np.greater_equal: operator.ge,
              np.logical_and: operator.and_, np.logical_or: operator.or_}  # bools only: logical = bitwise
for _type, (_kernel, _allowed) in _BINARY.items():
    _inputs = ("y: T", "x: T") if _type == "Atan2" else ("x: T", "y: T")
    _typed = {"inputs": _inputs, "allowed": {"T": _allowed}, "on_scalars": _OPERATORS.get(_kernel)}
    _typed["adds"] = _type in ("AddV2", "Add")
    if _type in _FORWARDING_UFUNC_OPS:
        registry.register_op(_type, infer=infer_broadcast, kernel=_kernel, bind=ufunc_bind(_kernel),
                             fresh=True, forward=(0, 1), **_typed)
    else:
        registry.register_op(_type, infer=infer_broadcast, kernel=_kernel, **_typed)

_COMPARE = {
    "Equal": np.equal,
    "NotEqual": np.not_equal,
    "Less": np.less,
    "LessEqual": np.less_equal,
    "Greater": np.greater,
    "GreaterEqual": np.greater_equal,
    "LogicalAnd": np.logical_and,  # bool inputs only (the wrappers check), so no T attr as in TF
    "LogicalOr": np.logical_or,
}
for _type, _kernel in _COMPARE.items():
    _attrs = _allowed = None
    if _type in ("Equal", "NotEqual"):  # any T (strings, bools too)
        # TF 2.x's Equal/NotEqual carry `incompatible_shape_error` (true: mismatched shapes are an error).
        _attrs = {"incompatible_shape_error": True}
    elif _type not in ("LogicalAnd", "LogicalOr"):
        _allowed = {"T": groups.REAL_NUMBER_TYPES}
    registry.register_op(_type, infer=infer_compare, kernel=_kernel, attrs=_attrs, inputs=("x: T", "y: T"),
                         allowed=_allowed, on_scalars=_OPERATORS[_kernel])


def _infer_add_n(op):
    out = None
    for t in op.inputs:
        out = t.shape if out is None else out.merge_with(t.shape)
    return [(op.inputs[0].dtype.base_dtype, out)]


def _add_n_kernel(*xs):
    if len(xs) == 1:
        return np.array(xs[0], copy=True)
    total = np.add(xs[0], xs[1])  # summed left to right, into the one new array (an LSTM step adds 100 pairs)
    if len(xs) > 2:
        total = np.asarray(total)  # two scalars add up to a numpy scalar
        for x in xs[2:]:
            np.add(total, x, out=total)
    return total


registry.register_op("AddN", infer=_infer_add_n, kernel=_add_n_kernel, fresh=True, inputs=("inputs: N*T",),
                     allowed={"T": groups.ADD_N_TYPES})


# --- Python wrappers ------------------------------------------------------------------------------


def _binary(op_type, x, y, name, default_name):
    """A generated two-input op as TF's `op_def_library` builds it: `x` sets the type attr and `y` must
    convert to it (`convert_input` gives TF's errors for a Python value or a Tensor that does not)."""
    with ops.name_scope(name, default_name, [x, y]) as scope:
        x = _convert(x, name="x")
        registry.get_op_def(op_type).check_inputs([x])  # before `y`, as TF: "a" - 1 names x's dtype
        y = convert_input(op_type, "y", y, x.dtype.base_dtype, inferred_from="x")
        return make_tensor(op_type, [x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def add(x, y, name=None):
    """x + y elementwise (AddV2; `Add` for strings)."""
    with ops.name_scope(name, "Add", [x]) as scope:
        x = _convert(x, name="x")
        y = _convert(y, preferred_dtype=x.dtype.base_dtype, name="y")
        op_type = "Add" if x.dtype == dtypes.string else "AddV2"
        registry.get_op_def(op_type).check_inputs([x])
        check_same_dtype(op_type, x, y)
        return make_tensor(op_type, [x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def subtract(x, y, name=None):
    return _binary("Sub", x, y, name, "Sub")


def multiply(x, y, name=None):
    return _binary("Mul", x, y, name, "Mul")


# TF's `_TRUEDIV_TABLE` keys, in its order (the error text lists them).
_TRUEDIV_DTYPES = (
    "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
    "bfloat16", "float16", "float32", "float64", "complex64", "complex128",
)


def _truediv_float(dtype):
    """The float dtype TF's truediv casts integer `dtype` operands to; None for other dtypes."""
    if dtype in (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16):
        return dtypes.float32
    if dtype in (dtypes.int32, dtypes.uint32, dtypes.int64, dtypes.uint64):
        return dtypes.float64
    return None


def _truediv(x, y, name=None):
    with ops.name_scope(name, "truediv", [x, y]) as scope:
        x = _convert(x, name="x")
        y = _convert(y, preferred_dtype=x.dtype.base_dtype, name="y")
        x_dtype = x.dtype.base_dtype
        y_dtype = y.dtype.base_dtype
        if x_dtype != y_dtype:
            raise TypeError(
                f"`x` and `y` must have the same dtype, got tf.{x_dtype.name} != tf.{y_dtype.name}."
            )
        if x_dtype.name not in _TRUEDIV_DTYPES:
            raise TypeError(
                f"Invalid dtype tf.{x_dtype.name} in __truediv__. Expected one of "
                f"{{{', '.join(f'tf.{n}' for n in _TRUEDIV_DTYPES)}}}."
            )
        target = _truediv_float(x_dtype)
        if target is not None:
            x = array_ops.cast(x, target)
            y = array_ops.cast(y, target)
        return make_tensor("RealDiv", [x, y], name=scope, attrs={"T": x.dtype.base_dtype})


def truediv(x, y, name=None):
    """x / y with Python 3 semantics (ints become floats); op RealDiv named `truediv`."""
    return _truediv(x, y, name)


def divide(x, y, name=None):
    """`x / y` (TF1: uses `truediv` unless a name is given)."""
    if name is not None:
        return div(x, y, name=name)
    return x / y if isinstance(x, ops.Tensor) else _truediv(x, y)


def div(x, y, name=None):
    """TF1 `tf.div`: Python 2 division (integer division for ints) - op Div."""
    return _binary("Div", x, y, name, "div")


def floordiv(x, y, name=None):
    return _binary("FloorDiv", x, y, name, "floordiv")


def floor_div(x, y, name=None):
    """``tf.floor_div``: the generated-op spelling of ``floordiv`` (op and default name FloorDiv)."""
    return _binary("FloorDiv", x, y, name, "FloorDiv")


def realdiv(x, y, name=None):
    """``tf.realdiv``: the generated RealDiv op on two inputs of one float type (no int-to-float cast)."""
    return _binary("RealDiv", x, y, name, "RealDiv")


def floormod(x, y, name=None):
    return _binary("FloorMod", x, y, name, "FloorMod")


mod = floormod


def pow(x, y, name=None):  # noqa: A001 - TF's name
    return _binary("Pow", x, y, name, "Pow")


def maximum(x, y, name=None):
    return _binary("Maximum", x, y, name, "Maximum")


def minimum(x, y, name=None):
    return _binary("Minimum", x, y, name, "Minimum")


def squared_difference(x, y, name=None):
    return _binary("SquaredDifference", x, y, name, "SquaredDifference")


def div_no_nan(x, y, name=None):
    """x / y, but 0 where y is 0."""
    return _binary("DivNoNan", x, y, name, "div_no_nan")


def atan2(y, x, name=None):
    return _binary("Atan2", y, x, name, "Atan2")


def equal(x, y, name=None):
    return _binary("Equal", x, y, name, "Equal")


def not_equal(x, y, name=None):
    return _binary("NotEqual", x, y, name, "NotEqual")


def less(x, y, name=None):
    return _binary("Less", x, y, name, "Less")


def less_equal(x, y, name=None):
    return _binary("LessEqual", x, y, name, "LessEqual")


def greater(x, y, name=None):
    return _binary("Greater", x, y, name, "Greater")


def greater_equal(x, y, name=None):
    return _binary("GreaterEqual", x, y, name, "GreaterEqual")


def _logical(op_type, inputs, name):
    """A LogicalAnd/Or/Not op: every input must be bool (TF's fixed-type input errors otherwise)."""
    with ops.name_scope(name, op_type, list(inputs.values())) as scope:
        tensors = [convert_input(op_type, arg, value, dtypes.bool) for arg, value in inputs.items()]
        return make_tensor(op_type, tensors, name=scope)


def logical_and(x, y, name=None):
    return _logical("LogicalAnd", {"x": x, "y": y}, name)


def logical_or(x, y, name=None):
    return _logical("LogicalOr", {"x": x, "y": y}, name)


def logical_not(x, name=None):
    return _logical("LogicalNot", {"x": x}, name)


def logical_xor(x, y, name="LogicalXor"):
    """(x | y) & ~(x & y), built from primitives as TF does: only the last op is named `name`, the
    others sit in the current name scope (`LogicalOr`, `LogicalAnd_1`, ...)."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def add_n(inputs, name=None):
    """Sum of a list of same-shaped tensors (one AddN op; a single input becomes an Identity)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError(
            "inputs must be a list of at least one Tensor/IndexedSlices with the same dtype and shape"
        )
    if any(isinstance(x, IndexedSlices) for x in inputs):
        return _add_n_densifying(inputs, name)
    inputs = ops.convert_n_to_tensor(inputs)
    if len(inputs) == 1:
        if name:
            return array_ops.identity(inputs[0], name=name)
        return inputs[0]
    return make_tensor(
        "AddN", inputs, name=name or "AddN", attrs={"N": len(inputs), "T": inputs[0].dtype.base_dtype}
    )


def _add_n_densifying(inputs, name):
    """`add_n` over IndexedSlices (and Tensors): as TF's, a lone IndexedSlices is converted; several are
    converted where the AddN op converts its inputs, in its scope (``AddN/inputs_1`` ...)."""
    if len(inputs) == 1:
        dense = ops.convert_to_tensor(inputs[0])
        return array_ops.identity(dense, name=name) if name else dense
    with ops.name_scope(name, "AddN") as scope:
        inputs = ops.convert_n_to_tensor(inputs, name="inputs")
        return make_tensor("AddN", inputs, name=scope,
                           attrs={"N": len(inputs), "T": inputs[0].dtype.base_dtype})


def scalar_mul(scalar, x, name=None):
    with ops.name_scope(name, "scalar_mul", [x]) as scope:
        return multiply(scalar, x, name=scope)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, lo), hi), built as Minimum then Maximum inside `clip_by_value/` as TF1 does."""
    with ops.name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = _convert(t.values if isinstance(t, IndexedSlices) else t, name="t")
        t_min = minimum(values, clip_value_max)
        t_min.shape.assert_is_compatible_with(values.shape)
        t_max = maximum(t_min, clip_value_min, name=scope)
        # as TF: an IndexedSlices (a sparse gradient) is clipped by its values and stays sparse
        return IndexedSlices(t_max, t.indices, t.dense_shape) if isinstance(t, IndexedSlices) else t_max

# --- gradients ------------------------------------------------------------------------------------


@register_gradient("AddV2")
@register_gradient("Add")
def _add_grad(op, grad):
    if grad_util.shapes_static_and_equal(op.inputs[0], op.inputs[1], grad):
        return [grad, grad]
    return grad_util.unbroadcast(op, grad, grad)


def _sub_grad(op, grad):
    if grad_util.shapes_static_and_equal(op.inputs[0], op.inputs[1], grad):
        return [grad, math_ops.negative(grad)]
    return grad_util.unbroadcast(op, grad, math_ops.negative(grad))


register_gradient("Sub")(_sub_grad)


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    if x.dtype.is_complex:  # TF's _MulGrad: the other factor conjugated (Conj lives in complex_ops.py)
        x, y = (make_tensor("Conj", [t], name="Conj", attrs={"T": t.dtype.base_dtype}) for t in (x, y))
    if grad_util.shapes_static_and_equal(x, y, grad) and grad.dtype.base_dtype in (dtypes.int32,
                                                                                     dtypes.float32):
        return [math_ops.multiply(grad, y), math_ops.multiply(grad, x)]  # TF's fast path, grad first
    gx, gy = math_ops.multiply(grad, y), math_ops.multiply(x, grad)
    if grad_util.shapes_static_and_equal(x, y, grad):
        return [gx, gy]
    return grad_util.unbroadcast(op, gx, gy)


def _div_grad(op, grad):
    x, y = op.inputs
    gx = math_ops.truediv(grad, y)
    gy = math_ops.multiply(grad, math_ops.truediv(math_ops.truediv(math_ops.negative(x), y), y))
    return grad_util.unbroadcast(op, gx, gy)


register_gradient("RealDiv")(_div_grad)
register_gradient("Div")(_div_grad)


@register_gradient("DivNoNan")
def _div_no_nan_grad(op, grad):
    x, y = op.inputs
    gx = math_ops.div_no_nan(grad, y)
    inner = math_ops.div_no_nan(math_ops.div_no_nan(math_ops.negative(x), y), y)
    gy = math_ops.multiply(grad, inner, name="mul")
    return grad_util.unbroadcast(op, gx, gy)


@register_gradient("FloorMod")
def _floor_mod_grad(op, grad):
    x, y = op.inputs
    floor_xy = math_ops.floordiv(x, y)
    return grad_util.unbroadcast(op, grad, math_ops.multiply(grad, math_ops.negative(floor_xy)))


@register_gradient("Pow")
def _pow_grad(op, grad):
    x, y = op.inputs
    z = op.outputs[0]
    one = constant_op.constant(1, dtype=y.dtype.base_dtype)
    gx = math_ops.multiply(math_ops.multiply(grad, y), math_ops.pow(x, math_ops.subtract(y, one)))
    # d/dy x^y = x^y log x, defined as 0 where x <= 0 (as TensorFlow does for real types).
    zero = array_ops.zeros_like(x)
    positive = math_ops.greater(x, zero)
    safe_x = array_ops.where(positive, x, array_ops.ones_like(x))
    log_x = array_ops.where(positive, math_ops.log(safe_x), zero)
    gy = math_ops.multiply(math_ops.multiply(grad, z), log_x)
    return grad_util.unbroadcast(op, gx, gy)


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs
    with grad.graph.control_dependencies([grad]):
        two = constant_op.constant(2, dtype=grad.dtype.base_dtype, name="scalar")
        gx = math_ops.multiply(math_ops.multiply(two, grad), math_ops.subtract(x, y, name="sub"), name="mul")
    if grad_util.shapes_static_and_equal(x, y, grad):
        return [gx, math_ops.negative(gx)]
    return grad_util.unbroadcast(op, gx, math_ops.negative(gx))


def _select_by(mask_fn):
    def grad_fn(op, grad):
        x, y = op.inputs
        mask = mask_fn(x, y)
        zeros = array_ops.zeros_like(grad)
        return grad_util.unbroadcast(op, array_ops.where(mask, grad, zeros),
                                     array_ops.where(mask, zeros, grad))

    return grad_fn


register_gradient("Maximum")(_select_by(greater_equal))
register_gradient("Minimum")(_select_by(less_equal))


@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


@register_gradient("Atan2")
def _atan2_grad(op, grad):
    y, x = op.inputs
    inv = math_ops.reciprocal(math_ops.add(math_ops.square(x), math_ops.square(y)))
    gy = math_ops.multiply(grad, math_ops.multiply(x, inv))
    gx = math_ops.multiply(grad, math_ops.negative(math_ops.multiply(y, inv)))
    return grad_util.unbroadcast(op, gy, gx)


for _t in ("Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr",
           "FloorDiv", "TruncateDiv"):
    register_not_differentiable(_t)


# --- Xlogy: the worked example of docs/engine.md "Adding an op" ------------------------------------


def _xlogy_kernel(x, y):
    """x * log(y), and 0 wherever x is 0 (even where y is 0 or negative), as TF's kernel."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.multiply(x, np.log(y))
    return np.where(x == 0, np.zeros((), out.dtype), out)


registry.register_op(
    "Xlogy",
    infer=infer_broadcast,  # the broadcast shape of x and y; TF's error text when they cannot broadcast
    kernel=_xlogy_kernel,
    fresh=True,  # np.where always allocates: a plan may reuse the result's buffer
    inputs=("x: T", "y: T"),  # TF's OpDef input names, both typed by attr T
    allowed={"T": groups.FLOATING_POINT + ("complex64", "complex128")},  # TF's order (its error lists it)
)


def xlogy(x, y, name=None):
    """``tf.math.xlogy(x, y)``: x * log(y), 0 where x is 0."""
    return _binary("Xlogy", x, y, name, "Xlogy")


@register_gradient("Xlogy")
def _xlogy_grad(op, grad):
    """d/dx = log(y) where x != 0 (else 0), d/dy = x / y; broadcasting undone by `unbroadcast`.  Deviation:
    d/dy is built with DivNoNan (0 where y is 0) where TF uses Xdivy (0 where x is 0, else x / y)."""
    x, y = op.inputs
    dtype = x.dtype.base_dtype
    x_nonzero = array_ops.cast(not_equal(x, constant_op.constant(0, dtype=dtype)), dtype)
    gx = multiply(xlogy(x_nonzero, y), grad)
    gy = multiply(div_no_nan(x, y), grad)
    return grad_util.unbroadcast(op, gx, gy)
