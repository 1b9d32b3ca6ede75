"""Modified Bessel functions of the first kind: BesselI0, BesselI0e, BesselI1, BesselI1e
(``tf.math.bessel_i0`` ...; kernels on scipy.special, shape rule, registrations, wrappers and TF's
gradients from python/ops/math_grad.py). ``tf.signal.kaiser_window`` is built on them."""

from __future__ import annotations

import numpy as np
import scipy.special

from engine.framework import ops, registry
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.op_util import infer_same, make_tensor

_KERNELS = {"BesselI0": scipy.special.i0, "BesselI0e": scipy.special.i0e, "BesselI1": scipy.special.i1,
            "BesselI1e": scipy.special.i1e}


def _dtype_keeping(fn):
    def kernel(x):
        x = np.asarray(x)
        return fn(x).astype(x.dtype)

    return kernel


for _op_type, _fn in _KERNELS.items():
    registry.register_op(_op_type, infer=infer_same, kernel=_dtype_keeping(_fn), fresh=True, inputs=("x: T",),
                         allowed={"T": ("bfloat16", "float16", "float32", "float64")})


def _bessel(op_type, default_name, x, name):
    with ops.name_scope(name, default_name, [x]):
        x = ops.convert_to_tensor(x, name="x")
        return make_tensor(op_type, [x], name=op_type, attrs={"T": x.dtype.base_dtype})


def bessel_i0(x, name=None):
    """``tf.math.bessel_i0``: I0(x)."""
    return _bessel("BesselI0", "bessel_i0", x, name)


def bessel_i0e(x, name=None):
    """``tf.math.bessel_i0e``: exp(-|x|) I0(x), which does not overflow."""
    return _bessel("BesselI0e", "bessel_i0e", x, name)


def bessel_i1(x, name=None):
    """``tf.math.bessel_i1``: I1(x)."""
    return _bessel("BesselI1", "bessel_i1", x, name)


def bessel_i1e(x, name=None):
    """``tf.math.bessel_i1e``: exp(-|x|) I1(x)."""
    return _bessel("BesselI1e", "bessel_i1e", x, name)


@register_gradient("BesselI0")
def _bessel_i0_grad(op, grad):
    return [grad * bessel_i1(op.inputs[0])]


@register_gradient("BesselI0e")
def _bessel_i0e_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    return [grad * (bessel_i1e(x) - math_ops.sign(x) * y)]


@register_gradient("BesselI1")
def _bessel_i1_grad(op, grad):
    """I1' = I0 - I1 / x, and 1 at 0 as TF takes it (the true slope there is 1/2)."""
    x, y = op.inputs[0], op.outputs[0]
    dy_dx = array_ops.where_v2(math_ops.equal(x, 0.0), array_ops.cast(1.0, x.dtype),
                               bessel_i0(x) - math_ops.div(y, x))
    return [grad * dy_dx]


@register_gradient("BesselI1e")
def _bessel_i1e_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    dy_dx = array_ops.where_v2(math_ops.equal(x, 0.0), array_ops.cast(0.5, x.dtype),
                               bessel_i0e(x) - y * (math_ops.sign(x) + math_ops.reciprocal(x)))
    return [grad * dy_dx]
