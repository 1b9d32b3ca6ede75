"""Neural-network activations and helpers: relu, relu6, elu, selu, softplus, softmax, log_softmax,
bias_add, dropout (`tf.nn.*`)."""

from __future__ import annotations

import numbers

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, random_seed, registry, tensor_shape
from engine.ops import array_ops, math_ops, random_ops
from engine.ops.op_util import dims, infer_same, make_tensor, shape, shape_error

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
        return value + bias

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
