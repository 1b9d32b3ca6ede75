"""Neural-network activations and helpers: relu, relu6, elu, selu, softplus, softsign, leaky_relu,
softmax, log_softmax, bias_add, dropout (`tf.nn.*`).

Each op's kernel, shape rule, wrapper and gradient are here, with the ``*Grad`` ops its gradient builds
(``ReluGrad``, ``BiasAddGrad``, ...) and their own gradients (second derivatives).
"""

from __future__ import annotations

import numbers

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, random_seed, registry, tensor_shape
from engine.framework.registry import register_gradient
from engine.framework.tensor_shape import TensorShape
from engine.ops import array_ops, constant_op, math_ops, op_util, random_ops
from engine.ops.math_ops.reductions import sum_rows
from engine.ops.op_util import dims, infer_broadcast, infer_same, make_tensor, shape, shape_error

_convert = ops.convert_to_tensor

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _relu(x):
    return np.maximum(x, np.zeros((), dtype=np.asarray(x).dtype))


def _relu6(x):
    dt = np.asarray(x).dtype
    return np.minimum(np.maximum(x, dt.type(0)), dt.type(6))


def _elu(x):
    x = np.asarray(x)
    return np.where(x > 0, x, np.expm1(x)).astype(x.dtype)


def _selu(x):
    x = np.asarray(x)
    dt = x.dtype.type
    return (dt(_SELU_SCALE) * np.where(x > 0, x, dt(_SELU_ALPHA) * np.expm1(x))).astype(x.dtype)


def _softplus(x):
    x = np.asarray(x)
    return np.logaddexp(x.dtype.type(0), x).astype(x.dtype)


def _softsign(x):
    return x / (1 + np.abs(x))


def _softmax(x):
    x = np.asarray(x)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return (e / np.sum(e, axis=-1, keepdims=True)).astype(x.dtype)


def _log_softmax(x):
    x = np.asarray(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return (shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))).astype(x.dtype)


def _bind_relu(op, runtime, known, donated):
    """A relu into its donated input (registry `forward`)."""
    if donated is None:
        return None
    return lambda x: np.maximum(x, x.dtype.type(0), out=x)


registry.register_op("Relu", infer=infer_same, kernel=_relu, bind=_bind_relu, fresh=True, forward=(0,),
                     inputs=("features: T",), allowed={"T": groups.REAL_NUMBER_TYPES + ("qint8",)})
for _type, (_kernel, _allowed) in {
    "Relu6": (_relu6, groups.REAL_NUMBER_TYPES),
    "Elu": (_elu, groups.FLOATING_POINT),
    "Selu": (_selu, groups.FLOATING_POINT),
    "Softplus": (_softplus, groups.FLOATING_POINT),
    "Softsign": (_softsign, groups.FLOATING_POINT),
}.items():
    registry.register_op(_type, infer=infer_same, kernel=_kernel, inputs=("features: T",),
                         allowed={"T": _allowed})


def _infer_softmax(op):
    x = op.inputs[0]
    if x.shape.ndims == 0:
        raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
    return [(x.dtype.base_dtype, x.shape)]


for _type, _kernel in {"Softmax": _softmax, "LogSoftmax": _log_softmax}.items():
    registry.register_op(_type, infer=_infer_softmax, kernel=_kernel, inputs=("logits: T",),
                         allowed={"T": groups.FLOATING_POINT})


def _compile_leaky_relu(op, runtime):
    alpha = op._attrs.get("alpha", 0.2)

    def kernel(x):
        x = np.asarray(x)
        return np.where(x > 0, x, x * x.dtype.type(alpha)).astype(x.dtype)

    return kernel


registry.register_op("LeakyRelu", infer=infer_same, compile=_compile_leaky_relu, attrs={"alpha": 0.2},
                     inputs=("features: T",), allowed={"T": groups.FLOATING_POINT})


def _infer_bias_add(op):
    value, bias = op.inputs
    fmt = op._attrs.get("data_format", "NHWC")
    d, b = dims(value), dims(bias)
    if b is not None and len(b) != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {len(b)}")
    if d is not None and len(d) < 2:
        raise shape_error(op, f"Shape must be at least rank 2 but is rank {len(d)}")
    if d is None or b is None:
        return [(value.dtype.base_dtype, value.shape)]
    channel = 1 if fmt == "NCHW" else len(d) - 1
    out = list(d)
    if d[channel] is not None and b[0] is not None and d[channel] != b[0]:
        raise shape_error(op, f"Dimensions must be equal, but are {d[channel]} and {b[0]}")
    if out[channel] is None:
        out[channel] = b[0]
    return [(value.dtype.base_dtype, shape(tuple(out)))]


def _compile_bias_add(op, runtime):
    nchw = op._attrs.get("data_format", "NHWC") == "NCHW"

    def kernel(value, bias):
        value = np.asarray(value)
        if nchw:
            bias = np.reshape(bias, (-1,) + (1,) * (value.ndim - 2))
        if np.shape(bias)[0] != value.shape[1 if nchw else -1]:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Must provide as many biases as the last dimension of the input tensor: "
                f"{list(np.shape(bias))} vs. {list(value.shape)}",
            )
        wide = None if nchw else op_util.widened_rows(value, bias)
        if wide is None:
            return value + bias
        out = np.empty_like(value)  # the same sums through long rows (a conv's few channels)
        np.add(wide[0], wide[1], out=out.reshape(wide[0].shape))
        return out

    return kernel


registry.register_op(
    "BiasAdd", infer=_infer_bias_add, compile=_compile_bias_add, attrs={"data_format": "NHWC"},
    inputs=("value: T", "bias: T"), allowed={"T": groups.NUMBER_TYPES},
)


def _gen_unary(op_type, features, name):
    x = _convert(features, name="features")
    return make_tensor(op_type, [x], name=name or op_type, attrs={"T": x.dtype.base_dtype})


def relu(features, name=None):
    """max(features, 0)."""
    return _gen_unary("Relu", features, name)


def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    with ops.name_scope(name, "Relu6", [features]) as scope:
        features = _convert(features, name="features")
        return make_tensor("Relu6", [features], name=scope, attrs={"T": features.dtype.base_dtype})


def elu(features, name=None):
    return _gen_unary("Elu", features, name)


def selu(features, name=None):
    return _gen_unary("Selu", features, name)


def softplus(features, name=None):
    """log(exp(features) + 1), computed without overflow."""
    return _gen_unary("Softplus", features, name)


def softsign(features, name=None):
    return _gen_unary("Softsign", features, name)


def leaky_relu(features, alpha=0.2, name=None):
    with ops.name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = _convert(features, name="features")
        return make_tensor(
            "LeakyRelu", [features], name=scope, attrs={"T": features.dtype.base_dtype, "alpha": float(alpha)}
        )


def _softmax_along(op_type, logits, axis, name):
    logits = _convert(logits)
    if axis is None or axis == -1 or (logits.shape.ndims is not None and axis == logits.shape.ndims - 1):
        return make_tensor(op_type, [logits], name=name or op_type, attrs={"T": logits.dtype.base_dtype})
    # Other axes: move the axis last, apply, move it back (TF swaps with the last axis the same way).
    n = logits.shape.ndims
    if n is None:
        raise ValueError("softmax over a non-last axis needs a tensor of known rank")
    axis %= n
    perm = list(range(n))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    swapped = array_ops.transpose(logits, perm)
    out = make_tensor(op_type, [swapped], name=None, attrs={"T": logits.dtype.base_dtype})
    return array_ops.transpose(out, perm, name=name)


def softmax(logits, axis=None, name=None, dim=None):
    """exp(logits) / sum(exp(logits)) along `axis` (default: last)."""
    return _softmax_along("Softmax", logits, axis if axis is not None else dim, name)


def log_softmax(logits, axis=None, name=None, dim=None):
    return _softmax_along("LogSoftmax", logits, axis if axis is not None else dim, name)


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, with bias a vector along the channel dimension."""
    with ops.name_scope(name, "BiasAdd", [value, bias]) as scope:
        value = _convert(value, name="input")
        bias = _convert(bias, dtype=value.dtype.base_dtype, name="bias")
        return make_tensor(
            "BiasAdd",
            [value, bias],
            name=scope,
            attrs={"T": value.dtype.base_dtype, "data_format": data_format or "NHWC"},
        )


def _noise_shape(x, noise_shape):
    """TF's `_get_noise_shape`: x's shape, or `noise_shape` with unknown dims filled from x's."""
    if noise_shape is None:
        return array_ops.shape_v1(x)
    if isinstance(noise_shape, ops.Tensor):
        return noise_shape
    try:
        given = tensor_shape.as_shape(noise_shape)
    except (TypeError, ValueError):
        return noise_shape
    if x.shape.dims is not None and given.dims is not None and len(x.shape.dims) == len(given.dims):
        return [
            xd.value if nd.value is None and xd.value is not None else nd.value
            for xd, nd in zip(x.shape.dims, given.dims, strict=True)
        ]
    return noise_shape


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Zeroes elements with probability `rate` (= 1 - keep_prob) and scales the rest by 1 / (1 - rate).

    Built as TF 2.x builds `tf.compat.v1.nn.dropout`: x * (1 / keep) (or x / (1 - rate) for a tensor
    rate), a `random_uniform` mask `>= rate`, and `SelectV2(mask, scaled, 0)`, so the output is named
    `dropout/SelectV2:0` and the mask is TF's own random stream.
    """
    try:
        rate_from_keep_prob = 1.0 - keep_prob if keep_prob is not None else None
    except TypeError:
        raise ValueError(
            f"`keep_prob` must be a floating point number or Tensor. Received: keep_prob={keep_prob}"
        ) from None
    if rate is not None and rate_from_keep_prob is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'.")
    rate = rate if rate is not None else rate_from_keep_prob
    if rate is None:
        raise ValueError(f"`rate` must be provided. Received: rate={rate}")
    with ops.name_scope(name, "dropout", [x]):
        is_rate_number = isinstance(rate, numbers.Real)
        if is_rate_number and (rate < 0 or rate >= 1):
            raise ValueError(
                f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}"
            )
        x = _convert(x, name="x")
        x_dtype = x.dtype.base_dtype
        if not x_dtype.is_floating:
            raise ValueError(
                "`x.dtype` must be a floating point tensor as `x` will be scaled. "
                f"Received: x_dtype={x_dtype}"
            )
        if is_rate_number and rate == 0:
            random_seed.get_seed(seed)  # TF still takes a seed, which moves the op-derived seeds on
            return x
        if not isinstance(rate, ops.Tensor):
            if not is_rate_number:
                raise ValueError(f"`rate` must be a scalar or scalar tensor. Received: rate={rate}")
            scale = _convert(1 / (1 - rate), dtype=x_dtype)
            ret = make_tensor("Mul", [x, scale], name="Mul", attrs={"T": x_dtype})
        else:
            rate.get_shape().assert_has_rank(0)
            if rate.dtype.base_dtype != x_dtype:
                if not rate.dtype.is_compatible_with(x_dtype):
                    raise ValueError(
                        "`x.dtype` must be compatible with `rate.dtype`. "
                        f"Received: x.dtype={x_dtype} and rate.dtype={rate.dtype.base_dtype}"
                    )
                rate = array_ops.cast(rate, x_dtype, name="rate")
            one = _convert(1, dtype=x_dtype)
            keep = make_tensor("Sub", [one, rate], name="Sub", attrs={"T": x_dtype})
            ret = make_tensor("RealDiv", [x, keep], name="RealDiv", attrs={"T": x_dtype})
        noise_shape = _noise_shape(x, noise_shape)
        random_tensor = random_ops.random_uniform(noise_shape, seed=seed, dtype=x_dtype)
        keep_mask = random_tensor >= rate
        zero = _convert(0, dtype=x_dtype)
        ret = make_tensor("SelectV2", [keep_mask, ret, zero], name="SelectV2", attrs={"T": x_dtype})
        ret.set_shape(x.get_shape())
        return ret


def sigmoid(x, name=None):
    return math_ops.sigmoid(x, name=name)


def tanh(x, name=None):
    return math_ops.tanh(x, name=name)


# --- backprop ops: what the activations' gradients build (TF's *Grad op types) ----------------------


def _np_relu_grad(g, x):
    return np.multiply(g, x > 0)


def _np_relu6_grad(g, x):
    return np.multiply(g, (x > 0) & (x < 6))


def _np_elu_grad(g, y):
    return np.where(y < 0, g * (y + 1), g)


def _np_selu_grad(g, y):
    t = y.dtype.type
    return np.where(y < 0, g * (y + t(_SELU_SCALE * _SELU_ALPHA)), g * t(_SELU_SCALE))


def _np_softplus_grad(g, x):
    # g * sigmoid(x), written so that large |x| neither overflows nor loses the tail.
    e = np.exp(-np.abs(x))
    sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return g * sig



def _bind_relu_grad(op, runtime, known, donated):
    """ReluGrad into its donated input, the gradient or the features (registry `forward`)."""
    if donated is None or known:
        return None
    if donated == 0:
        return lambda g, x: np.multiply(g, x > 0, out=g)
    return lambda g, x: np.multiply(g, x > 0, out=x)


registry.register_op("ReluGrad", infer=infer_broadcast, kernel=_np_relu_grad, bind=_bind_relu_grad,
                     fresh=True, forward=(0, 1),
                     inputs=("gradients: T", "features: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES})
_ELEMENTWISE = {  # op type: kernel, TF's input names (both typed by T), T's allowed dtypes
    "Relu6Grad": (_np_relu6_grad, ("gradients", "features"), groups.REAL_NUMBER_TYPES),
    "EluGrad": (_np_elu_grad, ("gradients", "outputs"), groups.FLOATING_POINT),
    "SeluGrad": (_np_selu_grad, ("gradients", "outputs"), groups.FLOATING_POINT),
    "SoftplusGrad": (_np_softplus_grad, ("gradients", "features"), groups.FLOATING_POINT),
}
_BACKPROP = op_util.register_elementwise_backprop(_ELEMENTWISE)
relu6_grad = _BACKPROP["Relu6Grad"]
elu_grad = _BACKPROP["EluGrad"]
selu_grad = _BACKPROP["SeluGrad"]
softplus_grad = _BACKPROP["SoftplusGrad"]


def relu_grad(gradients, features, name=None):
    return make_tensor("ReluGrad", [gradients, features], name=name or "ReluGrad",
                       attrs={"T": gradients.dtype.base_dtype})



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
        return sum_rows(np.ascontiguousarray(g).reshape(-1, g.shape[-1]))

    return kernel


registry.register_op("BiasAddGrad", infer=_bias_add_grad_infer, compile=_bias_add_grad_compile,
                     attrs={"data_format": "NHWC"},
                     row_sums=lambda op: op.get_attr("data_format") in (b"NHWC", "NHWC"),
                     inputs=("out_backprop: T",),
                     allowed={"T": groups.NUMBER_TYPES})


def bias_add_grad(out_backprop, data_format="NHWC", name=None):
    return make_tensor("BiasAddGrad", [out_backprop], name=name or "BiasAddGrad",
                               attrs={"T": out_backprop.dtype.base_dtype, "data_format": data_format})


# --- gradients -------------------------------------------------------------------------------------


@register_gradient("Relu")
def _relu_grad(op, grad):
    return [relu_grad(grad, op.outputs[0])]


@register_gradient("Relu6")
def _relu6_grad(op, grad):
    return [relu6_grad(grad, op.inputs[0])]


@register_gradient("Elu")
def _elu_grad(op, grad):
    return [elu_grad(grad, op.outputs[0])]


@register_gradient("Selu")
def _selu_grad(op, grad):
    return [selu_grad(grad, op.outputs[0])]


@register_gradient("Softplus")
def _softplus_grad(op, grad):
    return [softplus_grad(grad, op.inputs[0])]


@register_gradient("Softmax")
def _softmax_grad(op, grad):
    """(grad - sum(grad * softmax, -1)) * softmax."""
    y = op.outputs[0]
    s = math_ops.reduce_sum(math_ops.multiply(grad, y), -1, keepdims=True)
    return [math_ops.multiply(math_ops.subtract(grad, s), y)]


@register_gradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    """grad - sum(grad, -1) * softmax, with softmax = exp(log_softmax)."""
    softmax = math_ops.exp(op.outputs[0])
    return [math_ops.subtract(grad, math_ops.multiply(math_ops.reduce_sum(grad, -1, keepdims=True), softmax))]


@register_gradient("BiasAdd")
def _bias_add_grad(op, grad):
    fmt = op.get_attr("data_format")
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    return [grad, bias_add_grad(grad, data_format=fmt or "NHWC")]



@register_gradient("LeakyRelu")
def _leaky_relu_grad(op, grad):
    x = op.inputs[0]
    alpha = constant_op.constant(op.get_attr("alpha"), dtype=x.dtype.base_dtype)
    positive = math_ops.greater(x, array_ops.zeros_like(x))
    return [array_ops.where(positive, grad, math_ops.multiply(alpha, grad))]


@register_gradient("Softsign")
def _softsign_grad(op, grad):
    x = op.inputs[0]
    one = constant_op.constant(1, dtype=x.dtype.base_dtype)
    return [math_ops.truediv(grad, math_ops.square(math_ops.add(one, math_ops.abs(x))))]


# --- second derivatives of the backprop ops ----------------------------------------------------------


@register_gradient("ReluGrad")
def _relu_grad_grad(op, grad):
    return [relu_grad(grad, op.inputs[1]), array_ops.zeros_like(op.inputs[1])]


@register_gradient("Relu6Grad")
def _relu6_grad_grad(op, grad):
    return [relu6_grad(grad, op.inputs[1]), array_ops.zeros_like(op.inputs[1])]


def _negative_part(op, grad):
    """For EluGrad/SeluGrad: d/dy of the y < 0 branch is grad * g."""
    g, y = op.inputs
    zero = array_ops.zeros_like(y)
    return array_ops.where(math_ops.less(y, zero), math_ops.multiply(grad, g), zero)


@register_gradient("EluGrad")
def _elu_grad_grad(op, grad):
    return [elu_grad(grad, op.inputs[1]), _negative_part(op, grad)]


@register_gradient("SeluGrad")
def _selu_grad_grad(op, grad):
    return [selu_grad(grad, op.inputs[1]), _negative_part(op, grad)]


@register_gradient("SoftplusGrad")
def _softplus_grad_grad(op, grad):
    g, x = op.inputs
    sig = math_ops.sigmoid(x)
    one = constant_op.constant(1, dtype=x.dtype.base_dtype)
    dx = math_ops.multiply(math_ops.multiply(grad, g), math_ops.multiply(sig, math_ops.subtract(one, sig)))
    return [softplus_grad(grad, x), dx]

@register_gradient("BiasAddGrad")
def _bias_add_grad_grad(op, grad):
    fmt = op.get_attr("data_format")
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    if fmt == "NHWC":
        return [math_ops.add(array_ops.zeros_like(op.inputs[0]), grad)]
    rank = len(op.inputs[0].shape.as_list())
    shaped = array_ops.reshape(grad, [1, -1] + [1] * (rank - 2))
    return [math_ops.add(array_ops.zeros_like(op.inputs[0]), shaped)]


# The random ops' marks, as TF's random_grad.py has them (RandomUniformInt has no gradient at all there).
# They belong in random_ops.py, which another branch is rewriting; they sit here, next to the one wrapper
# of this family that builds a random op, until that merge.
for _t in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal"):
    registry.register_not_differentiable(_t)
