"""Op types that only gradients create: TensorFlow's ``*Grad`` ops.

Each is a numpy kernel plus a static shape rule, registered under TensorFlow's op type so gradient
graphs read (and import into TensorFlow) like TF's own.  The wrappers take TF's argument order.
Gradients of these ops (second derivatives) are in the ``*_grad`` modules.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import registry
from engine.framework.registry import register_gradient
from engine.ops import constant_op, math_ops, op_util


def _sigmoid_grad(y, dy):
    return dy * y * (1 - y)


def _tanh_grad(y, dy):
    return dy * (1 - y * y)


def _sqrt_grad(y, dy):
    return dy * y.dtype.type(0.5) / y


def _rsqrt_grad(y, dy):
    return dy * y.dtype.type(-0.5) * y * y * y


def _reciprocal_grad(y, dy):
    return -dy * y * y



_ELEMENTWISE = {  # op type: kernel, TF's input names (both typed by T), T's allowed dtypes
    "SigmoidGrad": (_sigmoid_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "TanhGrad": (_tanh_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "SqrtGrad": (_sqrt_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "RsqrtGrad": (_rsqrt_grad, ("y", "dy"), groups.UNARY_COMPLEX),
    "ReciprocalGrad": (_reciprocal_grad, ("y", "dy"), groups.UNARY_COMPLEX),
}
for _op_type, (_fn, _names, _allowed) in _ELEMENTWISE.items():
    registry.register_op(_op_type, infer=op_util.infer_broadcast, kernel=_fn,
                         inputs=tuple(f"{n}: T" for n in _names), allowed={"T": _allowed})


def _binary(op_type, default_name):
    def wrapper(a, b, name=None):
        attrs = {"T": a.dtype.base_dtype}
        return op_util.make_tensor(op_type, [a, b], name=name or default_name, attrs=attrs)

    wrapper.__name__ = default_name
    return wrapper


sigmoid_grad = _binary("SigmoidGrad", "SigmoidGrad")
tanh_grad = _binary("TanhGrad", "TanhGrad")
sqrt_grad = _binary("SqrtGrad", "SqrtGrad")
rsqrt_grad = _binary("RsqrtGrad", "RsqrtGrad")
reciprocal_grad = _binary("ReciprocalGrad", "ReciprocalGrad")

# --- StridedSliceGrad --------------------------------------------------------------------------------

_STRIDED_ATTRS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _strided_slice_grad_compile(op, runtime):
    from engine.ops.array_ops import _strided_index  # the forward op's own index rules

    attrs = {k: op.get_attr(k) for k in _STRIDED_ATTRS}

    def kernel(shape, begin, end, strides, dy):
        out = np.zeros([int(d) for d in np.reshape(shape, -1)], dtype=np.asarray(dy).dtype)
        index = _strided_index(np.reshape(begin, -1), np.reshape(end, -1), np.reshape(strides, -1), attrs)
        out[index] = dy
        return out

    return kernel


def _strided_slice_grad_infer(op):
    from engine.framework import tensor_util

    return [(op.inputs[4].dtype.base_dtype, tensor_util.constant_value_as_shape(op.inputs[0]))]


registry.register_op("StridedSliceGrad", infer=_strided_slice_grad_infer, compile=_strided_slice_grad_compile,
                     attrs={k: 0 for k in _STRIDED_ATTRS},
                     inputs=("shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"),
                     allowed={"Index": groups.INDEX_TYPES})


def strided_slice_grad(shape, begin, end, strides, dy, name=None, **masks):
    attrs = {"T": dy.dtype.base_dtype, "Index": begin.dtype.base_dtype, **{k: int(masks.get(k, 0))
                                                                            for k in _STRIDED_ATTRS}}
    return op_util.make_tensor("StridedSliceGrad", [shape, begin, end, strides, dy],
                               name=name or "StridedSliceGrad", attrs=attrs)



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

