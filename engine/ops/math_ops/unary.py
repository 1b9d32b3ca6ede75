"""Elementwise one-operand math: Neg, Abs, Square, Sqrt, Rsqrt, Exp, Log, trigonometric and hyperbolic
functions, Sigmoid, Tanh, rounding, IsNan/IsInf/IsFinite, with their kernels, shape rules, wrappers and
gradients, and the ``SigmoidGrad``/``TanhGrad``/``SqrtGrad``/``RsqrtGrad``/``ReciprocalGrad`` ops those
gradients build (with their own gradients, the second derivatives).
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, ops, registry
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops import array_ops, constant_op, math_ops, op_util
from engine.ops.op_util import (
    infer_same,
    make_tensor,
    ufunc_bind,
)

_convert = ops.convert_to_tensor


def _rsqrt(x):
    return np.reciprocal(np.sqrt(x))


def _sigmoid(x):
    x = np.asarray(x)
    if x.dtype.kind != "f" or not x.ndim:
        # exp of -|x| never overflows: 1 / (1 + exp(-|x|)) for x >= 0, exp(x) / (1 + exp(x)) below.
        e = np.exp(-np.abs(x))
        if x.dtype.kind != "f":
            return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)
        return np.asarray(np.maximum(e, x >= 0) / (1 + e))
    # Real float arrays: 1 / (1 + exp(-x)) in four passes over one array (an LSTM step takes 150
    # sigmoids).  Where exp(-x) overflows (x below -88.7 in float32) the quotient is 0, as TF's: its
    # kernels flush the denormals exp(x) would give there to zero; NaN stays NaN, -inf gives 0, inf 1.
    # Kernels run with floating-point warnings off (straight_line.py, dataflow.py).
    e = np.negative(x)
    np.exp(e, out=e)
    e += 1
    return np.reciprocal(e, out=e)


_UNARY = {
    "Neg": np.negative,
    "Abs": np.abs,
    "Sign": np.sign,
    "Square": np.square,
    "Sqrt": np.sqrt,
    "Rsqrt": _rsqrt,
    "Exp": np.exp,
    "Expm1": np.expm1,
    "Log": np.log,
    "Log1p": np.log1p,
    "Reciprocal": np.reciprocal,
    "Floor": np.floor,
    "Ceil": np.ceil,
    "Round": np.round,
    "Rint": np.rint,
    "Sin": np.sin,
    "Cos": np.cos,
    "Tan": np.tan,
    "Asin": np.arcsin,
    "Acos": np.arccos,
    "Atan": np.arctan,
    "Sinh": np.sinh,
    "Cosh": np.cosh,
    "Tanh": np.tanh,
    "Sigmoid": _sigmoid,
    "IsNan": np.isnan,
    "IsInf": np.isinf,
    "IsFinite": np.isfinite,
    "LogicalNot": np.logical_not,
}
# Allowed dtypes of T where not UNARY_COMPLEX (None: LogicalNot takes a bool, no type attr).
_UNARY_ALLOWED = {
    "Neg": groups.UNARY_SIGNED,
    "Abs": groups.ABS_TYPES,
    "Sign": groups.UNARY_SIGNED,
    "Square": groups.SQUARE_TYPES,
    "Reciprocal": groups.UNARY_SIGNED,
    "Floor": groups.UNARY_REAL,
    "Ceil": groups.UNARY_REAL,
    "Round": groups.UNARY_SIGNED,
    "Rint": groups.UNARY_REAL,
    "IsNan": groups.UNARY_REAL,
    "IsInf": groups.UNARY_REAL,
    "IsFinite": groups.UNARY_REAL,
    "LogicalNot": None,
}
for _type, _kernel in _UNARY.items():
    _allowed = _UNARY_ALLOWED.get(_type, groups.UNARY_COMPLEX)
    _typed = {"inputs": ("x: T",), "allowed": _allowed and {"T": _allowed}}
    if _type in ("IsNan", "IsInf", "IsFinite"):
        registry.register_op(_type, infer=lambda op: [(dtypes.bool, op.inputs[0].shape)], kernel=_kernel,
                             **_typed)
    elif isinstance(_kernel, np.ufunc) and "f->f" in _kernel.types:  # as above: one dtype-keeping ufunc
        registry.register_op(_type, infer=infer_same, kernel=_kernel, bind=ufunc_bind(_kernel), fresh=True,
                             forward=(0,), **_typed)
    else:
        registry.register_op(_type, infer=infer_same, kernel=_kernel, **_typed)


# --- Python wrappers ------------------------------------------------------------------------------


def _unary(op_type, x, name, default_name=None):
    with ops.name_scope(name, default_name or op_type, [x]) as scope:
        x = _convert(x, name="x")
        return make_tensor(op_type, [x], name=scope, attrs={"T": x.dtype.base_dtype})


def _make_unary(op_type, default_name=None):
    def fn(x, name=None):
        return _unary(op_type, x, name, default_name)

    fn.__name__ = op_type.lower()
    fn.__doc__ = f"Elementwise {op_type} (TF op `{op_type}`)."
    return fn


negative = _make_unary("Neg")
sign = _make_unary("Sign")
square = _make_unary("Square")
sqrt = _make_unary("Sqrt")
rsqrt = _make_unary("Rsqrt")
exp = _make_unary("Exp")
expm1 = _make_unary("Expm1")
log = _make_unary("Log")
log1p = _make_unary("Log1p")
reciprocal = _make_unary("Reciprocal")
floor = _make_unary("Floor")
ceil = _make_unary("Ceil")
rint = _make_unary("Rint")
sin = _make_unary("Sin")
cos = _make_unary("Cos")
tan = _make_unary("Tan")
asin = _make_unary("Asin")
acos = _make_unary("Acos")
atan = _make_unary("Atan")
sinh = _make_unary("Sinh")
cosh = _make_unary("Cosh")
tanh = _make_unary("Tanh")
sigmoid = _make_unary("Sigmoid")
is_nan = _make_unary("IsNan")
is_inf = _make_unary("IsInf")
is_finite = _make_unary("IsFinite")


def round(x, name=None):  # noqa: A001 - TF's name
    """Rounds half to even, as TF does."""
    return _unary("Round", x, name)


def abs(x, name=None):  # noqa: A001
    """``tf.abs``; of a complex tensor, its modulus: ComplexAbs (registered with the complex ops,
    engine/ops/complex_ops.py), as TF's wrapper picks it."""
    if not isinstance(x, ops.Tensor) and np.iscomplexobj(x):
        x = ops.convert_to_tensor(x, name="x")
    if isinstance(x, ops.Tensor) and x.dtype.is_complex:
        real_type = dtypes.float32 if x.dtype.base_dtype == dtypes.complex64 else dtypes.float64
        return op_util.make_tensor("ComplexAbs", [x], name=name or "ComplexAbs",
                                   attrs={"T": x.dtype.base_dtype, "Tout": real_type})
    return _unary("Abs", x, name, "Abs")

# --- backprop ops: what the gradients build (TF's *Grad op types) ---------------------------------


def _np_sigmoid_grad(y, dy):
    out = dy * y  # TF's order, dy * y * (1 - y), with one temporary fewer (an LSTM step takes 150)
    if out.__class__ is not np.ndarray or out.shape != np.shape(y):
        return out * (1 - y)
    out *= 1 - y
    return out


def _np_tanh_grad(y, dy):
    out = y * y  # dy * (1 - y * y) in one array: products commute exactly, so (1 - y * y) * dy is it
    if out.__class__ is not np.ndarray or out.shape != np.shape(dy):
        return dy * (1 - out)
    np.subtract(1, out, out=out)
    out *= dy
    return out


def _np_sqrt_grad(y, dy):
    return dy * y.dtype.type(0.5) / y


def _np_rsqrt_grad(y, dy):
    return dy * y.dtype.type(-0.5) * y * y * y


def _np_reciprocal_grad(y, dy):
    return -dy * y * y


_ELEMENTWISE = {  # op type: kernel, TF's input names (both typed by T), T's allowed dtypes
    "SigmoidGrad": (_np_sigmoid_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "TanhGrad": (_np_tanh_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "SqrtGrad": (_np_sqrt_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "RsqrtGrad": (_np_rsqrt_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "ReciprocalGrad": (_np_reciprocal_grad, ("y", "dy"), groups.UNARY_COMPLEX),
}
_BACKPROP = op_util.register_elementwise_backprop(_ELEMENTWISE)
sigmoid_grad = _BACKPROP["SigmoidGrad"]
tanh_grad = _BACKPROP["TanhGrad"]
sqrt_grad = _BACKPROP["SqrtGrad"]
rsqrt_grad = _BACKPROP["RsqrtGrad"]
reciprocal_grad = _BACKPROP["ReciprocalGrad"]


# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Neg")
def _neg_grad(op, grad):
    return [math_ops.negative(grad)]


@register_gradient("Square")
def _square_grad(op, grad):
    x = op.inputs[0]
    # TF makes 2*x wait for the incoming gradient (a control input on its Const), so graphs match TF's.
    with ops.control_dependencies([grad]):
        two = constant_op.constant(2, dtype=x.dtype.base_dtype)
        return [math_ops.multiply(grad, math_ops.multiply(x, two))]


@register_gradient("Sqrt")
def _sqrt_grad(op, grad):
    return [sqrt_grad(op.outputs[0], grad)]


@register_gradient("Rsqrt")
def _rsqrt_grad(op, grad):
    return [rsqrt_grad(op.outputs[0], grad)]


@register_gradient("Reciprocal")
def _reciprocal_grad(op, grad):
    return [reciprocal_grad(op.outputs[0], grad)]


@register_gradient("Exp")
def _exp_grad(op, grad):
    return [math_ops.multiply(grad, op.outputs[0])]


@register_gradient("Log")
def _log_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.reciprocal(op.inputs[0]))]


@register_gradient("Log1p")
def _log1p_grad(op, grad):
    x = op.inputs[0]
    one = constant_op.constant(1, dtype=x.dtype.base_dtype)
    return [math_ops.multiply(grad, math_ops.reciprocal(math_ops.add(one, x)))]


@register_gradient("Abs")
def _abs_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.sign(op.inputs[0]))]


@register_gradient("Sign")
def _sign_grad(op, grad):
    return [array_ops.zeros_like(op.inputs[0])]


@register_gradient("Sigmoid")
def _sigmoid_grad(op, grad):
    return [sigmoid_grad(op.outputs[0], grad)]


@register_gradient("Tanh")
def _tanh_grad(op, grad):
    return [tanh_grad(op.outputs[0], grad)]


def _const_like(x, value):
    return constant_op.constant(value, dtype=x.dtype.base_dtype)


@register_gradient("Sin")
def _sin_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.cos(op.inputs[0]))]


@register_gradient("Cos")
def _cos_grad(op, grad):
    return [math_ops.negative(math_ops.multiply(grad, math_ops.sin(op.inputs[0])))]


@register_gradient("Tan")
def _tan_grad(op, grad):
    sec = math_ops.reciprocal(math_ops.cos(op.inputs[0]))
    return [math_ops.multiply(grad, math_ops.square(sec))]


def _one_minus_square_rsqrt(x):
    return math_ops.rsqrt(math_ops.subtract(_const_like(x, 1), math_ops.square(x)))


@register_gradient("Asin")
def _asin_grad(op, grad):
    return [math_ops.multiply(grad, _one_minus_square_rsqrt(op.inputs[0]))]


@register_gradient("Acos")
def _acos_grad(op, grad):
    return [math_ops.negative(math_ops.multiply(grad, _one_minus_square_rsqrt(op.inputs[0])))]


@register_gradient("Atan")
def _atan_grad(op, grad):
    x = op.inputs[0]
    return [math_ops.multiply(grad, math_ops.reciprocal(math_ops.add(_const_like(x, 1), math_ops.square(x))))]


@register_gradient("Sinh")
def _sinh_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.cosh(op.inputs[0]))]


@register_gradient("Cosh")
def _cosh_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.sinh(op.inputs[0]))]


@register_gradient("Expm1")
def _expm1_grad(op, grad):
    return [math_ops.multiply(grad, math_ops.exp(op.inputs[0]))]


# Rounding and the logical not have no gradient (TF: ``NotDifferentiable`` or a gradient of None);
# IsNan/IsInf/IsFinite have none at all in TF, so a gradient reaching them raises LookupError.
for _t in ("Floor", "Ceil", "Round", "Rint", "LogicalNot"):
    register_not_differentiable(_t)


# --- second derivatives of the backprop ops -------------------------------------------------------


@register_gradient("SigmoidGrad")
def _sigmoid_grad_grad(op, grad):
    y, dy = op.inputs
    one = constant_op.constant(1, dtype=y.dtype.base_dtype)
    two = constant_op.constant(2, dtype=y.dtype.base_dtype)
    gy = math_ops.multiply(math_ops.multiply(grad, dy), math_ops.subtract(one, math_ops.multiply(two, y)))
    return [gy, sigmoid_grad(y, grad)]


@register_gradient("TanhGrad")
def _tanh_grad_grad(op, grad):
    y, dy = op.inputs
    minus_two = constant_op.constant(-2, dtype=y.dtype.base_dtype)
    return [math_ops.multiply(math_ops.multiply(grad, dy), math_ops.multiply(minus_two, y)),
            tanh_grad(y, grad)]


@register_gradient("SqrtGrad")
def _sqrt_grad_grad(op, grad):
    y = op.inputs[0]
    out = op.outputs[0]  # dy * 0.5 / y
    gy = math_ops.negative(math_ops.multiply(grad, math_ops.truediv(out, y)))
    return [gy, sqrt_grad(y, grad)]


@register_gradient("RsqrtGrad")
def _rsqrt_grad_grad(op, grad):
    y, dy = op.inputs
    c = constant_op.constant(-1.5, dtype=y.dtype.base_dtype)
    gy = math_ops.multiply(math_ops.multiply(grad, dy), math_ops.multiply(c, math_ops.square(y)))
    return [gy, rsqrt_grad(y, grad)]


@register_gradient("ReciprocalGrad")
def _reciprocal_grad_grad(op, grad):
    y, dy = op.inputs
    c = constant_op.constant(-2, dtype=y.dtype.base_dtype)
    gy = math_ops.multiply(math_ops.multiply(grad, dy), math_ops.multiply(c, y))
    return [gy, reciprocal_grad(y, grad)]

