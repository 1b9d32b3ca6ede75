"""Complex numbers: Complex, Real, Imag, Conj, Angle, ComplexAbs (``tf.complex``, ``tf.real``, ``tf.imag``,
``tf.conj``, ``tf.angle``, and ``tf.abs`` of a complex tensor): kernels, shape rules, registrations, wrappers
and TF's gradients (python/ops/math_grad.py)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, registry
from engine.framework.registry import register_gradient
from engine.ops import array_ops, grad_util, math_ops
from engine.ops.constant_op import constant
from engine.ops.op_util import infer_broadcast, make_tensor

_REAL = ("float32", "float64")
_COMPLEX = ("complex64", "complex128")
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}
_REAL_OF = {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}


def _infer_complex(op):
    ((_, out_shape),) = infer_broadcast(op)
    return [(dtypes.as_dtype(op.get_attr("Tout")), out_shape)]


def _compile_complex(op, runtime):
    out = dtypes.as_dtype(op.get_attr("Tout")).as_numpy_dtype
    return lambda real, imag: (np.asarray(real) + 1j * np.asarray(imag)).astype(out)


registry.register_op(
    "Complex",
    infer=_infer_complex,
    compile=_compile_complex,
    attrs={"Tout": dtypes.complex64},
    inputs=("real: T", "imag: T"),
    allowed={"T": _REAL},
)


def complex(real, imag, name=None):  # noqa: A001 - TF's name
    """``tf.complex``: real + imag * 1j, elementwise (float32 gives complex64, float64 complex128)."""
    real = ops.convert_to_tensor(real, name="real")
    imag = ops.convert_to_tensor(imag, name="imag")
    in_type = real.dtype.base_dtype
    if in_type not in _COMPLEX_OF:
        raise TypeError(f"real and imag have incorrect types: {real.dtype.name} {imag.dtype.name}")
    return make_tensor(
        "Complex", [real, imag], name=name or "Complex", attrs={"T": in_type, "Tout": _COMPLEX_OF[in_type]}
    )


def _infer_to_real(op):
    return [(dtypes.as_dtype(op.get_attr("Tout")), op.inputs[0].shape)]


def _part(fn):
    def compile_(op, runtime):
        out = dtypes.as_dtype(op.get_attr("Tout")).as_numpy_dtype
        return lambda x: fn(np.asarray(x)).astype(out)

    return compile_


for _op_type, _fn, _input in (
    ("Real", np.real, "input: T"),
    ("Imag", np.imag, "input: T"),
    ("Angle", np.angle, "input: T"),
    ("ComplexAbs", np.abs, "x: T"),
):
    registry.register_op(
        _op_type,
        infer=_infer_to_real,
        compile=_part(_fn),
        attrs={"Tout": dtypes.float32},
        inputs=(_input,),
        allowed={"T": _COMPLEX},
    )
registry.register_op(
    "Conj",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    kernel=np.conj,
    inputs=("input: T",),
    allowed={"T": _COMPLEX + ("variant",)},
)


def _to_real(op_type, x, name):
    return make_tensor(
        op_type,
        [x],
        name=name or op_type,
        attrs={"T": x.dtype.base_dtype, "Tout": _REAL_OF[x.dtype.base_dtype]},
    )


def real(input, name=None):  # noqa: A002 - TF's argument name
    """``tf.real``: the real part (a real tensor is returned as it is, as TF)."""
    with ops.name_scope(name, "Real", [input]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        return _to_real("Real", x, scope) if x.dtype.is_complex else x


def imag(input, name=None):  # noqa: A002
    """``tf.imag``: the imaginary part (zeros for a real tensor, as TF)."""
    with ops.name_scope(name, "Imag", [input]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        return _to_real("Imag", x, scope) if x.dtype.is_complex else array_ops.zeros_like(x)


def angle(input, name=None):  # noqa: A002
    """``tf.angle``: the argument of each complex number (for reals: 0, or pi where negative)."""
    with ops.name_scope(name, "Angle", [input]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        if x.dtype.is_complex:
            return _to_real("Angle", x, scope)
        pi = constant(np.pi, dtype=x.dtype.base_dtype)
        return array_ops.where_v2(math_ops.less(x, 0), pi * array_ops.ones_like(x), array_ops.zeros_like(x))


def conj(x, name=None):
    """``tf.conj``: the complex conjugate; real and integer tensors are returned as they are (TF)."""
    with ops.name_scope(name, "Conj", [x]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        if x.dtype.is_complex or x.dtype.base_dtype == dtypes.variant:
            return make_tensor("Conj", [x], name=scope, attrs={"T": x.dtype.base_dtype})
        if x.dtype.is_floating or x.dtype.is_integer:
            return x
        raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}")


def complex_abs(x, name=None):
    """``tf.abs`` of a complex tensor: the modulus (ComplexAbs)."""
    x = ops.convert_to_tensor(x, name="x")
    return _to_real("ComplexAbs", x, name)


@register_gradient("Complex")
def _complex_grad(op, grad):
    return grad_util.unbroadcast(op, real(grad), imag(grad))


@register_gradient("Real")
def _real_grad(_, grad):
    return [complex(grad, constant(0, dtype=grad.dtype.base_dtype))]


@register_gradient("Imag")
def _imag_grad(_, grad):
    return [complex(constant(0, dtype=grad.dtype.base_dtype), grad)]


@register_gradient("Conj")
def _conj_grad(_, grad):
    return [conj(grad)]


@register_gradient("Angle")
def _angle_grad(op, grad):
    """-grad / (imag + real * 1j) (TF's _AngleGrad)."""
    x = op.inputs[0]
    z = math_ops.reciprocal(complex(imag(x), real(x)))
    complex_grad = complex(grad, constant(0, dtype=grad.dtype.base_dtype))
    return [-complex_grad * z]


@register_gradient("ComplexAbs")
def _complex_abs_grad(op, grad):
    """grad * x / |x|, 0 where x is 0 (TF's _ComplexAbsGrad)."""
    y = op.outputs[0]
    return [
        math_ops.div_no_nan(
            complex(grad, array_ops.zeros_like(grad)) * op.inputs[0], complex(y, array_ops.zeros_like(y))
        )
    ]
