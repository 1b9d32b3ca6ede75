"""Op types that only gradients create: TensorFlow's ``*Grad`` ops.

Each is a numpy kernel plus a static shape rule, registered under TensorFlow's op type so gradient
graphs read (and import into TensorFlow) like TF's own.  The wrappers take TF's argument order.
Gradients of these ops (second derivatives) are in the ``*_grad`` modules.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import registry
from engine.framework.tensor_shape import TensorShape
from engine.ops import op_util

SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


# --- elementwise backprop ops ------------------------------------------------------------------------


def _relu_grad(g, x):
    return np.multiply(g, x > 0)


def _relu6_grad(g, x):
    return np.multiply(g, (x > 0) & (x < 6))


def _elu_grad(g, y):
    return np.where(y < 0, g * (y + 1), g)


def _selu_grad(g, y):
    t = y.dtype.type
    return np.where(y < 0, g * (y + t(SELU_SCALE * SELU_ALPHA)), g * t(SELU_SCALE))


def _softplus_grad(g, x):
    # g * sigmoid(x), written so that large |x| neither overflows nor loses the tail.
    e = np.exp(-np.abs(x))
    sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return g * sig


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


def _bind_relu_grad(op, runtime, known, donated):
    """ReluGrad into its donated input, the gradient or the features (registry `forward`)."""
    if donated is None or known:
        return None
    if donated == 0:
        return lambda g, x: np.multiply(g, x > 0, out=g)
    return lambda g, x: np.multiply(g, x > 0, out=x)


registry.register_op("ReluGrad", infer=op_util.infer_broadcast, kernel=_relu_grad, bind=_bind_relu_grad,
                     fresh=True, forward=(0, 1),
                     inputs=("gradients: T", "features: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES})
_ELEMENTWISE = {  # op type: kernel, TF's input names (both typed by T), T's allowed dtypes
    "Relu6Grad": (_relu6_grad, ("gradients", "features"), groups.REAL_NUMBER_TYPES),
    "EluGrad": (_elu_grad, ("gradients", "outputs"), groups.FLOATING_POINT),
    "SeluGrad": (_selu_grad, ("gradients", "outputs"), groups.FLOATING_POINT),
    "SoftplusGrad": (_softplus_grad, ("gradients", "features"), groups.FLOATING_POINT),
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


relu_grad = _binary("ReluGrad", "ReluGrad")
relu6_grad = _binary("Relu6Grad", "Relu6Grad")
elu_grad = _binary("EluGrad", "EluGrad")
selu_grad = _binary("SeluGrad", "SeluGrad")
softplus_grad = _binary("SoftplusGrad", "SoftplusGrad")
sigmoid_grad = _binary("SigmoidGrad", "SigmoidGrad")
tanh_grad = _binary("TanhGrad", "TanhGrad")
sqrt_grad = _binary("SqrtGrad", "SqrtGrad")
rsqrt_grad = _binary("RsqrtGrad", "RsqrtGrad")
reciprocal_grad = _binary("ReciprocalGrad", "ReciprocalGrad")


# --- BiasAddGrad -------------------------------------------------------------------------------------


def _bias_add_grad_infer(op):
    shape = op.inputs[0].shape
    last = None if shape.ndims is None else shape.as_list()[-1]
    return [(op.inputs[0].dtype.base_dtype, TensorShape([last]))]


def _bias_add_grad_compile(op, runtime):
    if op.get_attr("data_format") not in (b"NHWC", "NHWC"):
        def kernel_nchw(g):
            axes = tuple(i for i in range(g.ndim) if i != 1)
            return g.sum(axis=axes)

        return kernel_nchw

    def kernel(g):
        return g.reshape(-1, g.shape[-1]).sum(axis=0)

    return kernel


registry.register_op("BiasAddGrad", infer=_bias_add_grad_infer, compile=_bias_add_grad_compile,
                     attrs={"data_format": "NHWC"},
                     inputs=("out_backprop: T",),
                     allowed={"T": groups.NUMBER_TYPES})


def bias_add_grad(out_backprop, data_format="NHWC", name=None):
    return op_util.make_tensor("BiasAddGrad", [out_backprop], name=name or "BiasAddGrad",
                               attrs={"T": out_backprop.dtype.base_dtype, "data_format": data_format})


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
