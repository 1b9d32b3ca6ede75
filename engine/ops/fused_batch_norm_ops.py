"""FusedBatchNormV3 and FusedBatchNormGradV3: ``tf.nn.fused_batch_norm`` as TF builds it, one op.

Training normalises with the batch's statistics (the biased variance) and returns the Bessel-corrected
variance (n / (n - 1)), blended into `mean`/`variance` by ``exponential_avg_factor`` when it is not 1;
the batch mean and biased variance are also kept as ``reserve_space_1``/``_2`` for the gradient. Inference
normalises with `mean`/`variance` and returns them. Both layouts (channels last, or second: ``NCHW``,
``NCDHW``) compute, as TF's CPU kernels do. The arithmetic is float32 (TF's ``U``) whatever ``T`` is.
The gradient of the gradient is TF's: the gradient graph of the same backward pass written with
primitive ops (`_batch_norm_grad_primitives`).
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, registry
from engine.framework.registry import register_gradient
from engine.framework.tensor_shape import TensorShape, unknown_shape
from engine.ops import array_ops, math_ops, op_util

_LAYOUTS = ("NHWC", "NCHW", "NDHWC", "NCDHW")
_ATTRS = {"epsilon": 0.0001, "data_format": "NHWC", "is_training": True}


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _channel_axis(data_format, rank):
    return 1 if _text(data_format).startswith("NC") else rank - 1


def _per_channel(v, rank, channel):
    shape = [1] * rank
    shape[channel] = -1
    return np.reshape(v, shape)


def _statistics(x, channel):
    axes = tuple(a for a in range(x.ndim) if a != channel)
    mean = x.mean(axis=axes)
    centered = x - _per_channel(mean, x.ndim, channel)
    return axes, mean, (centered * centered).mean(axis=axes)


def _compile_forward(op, runtime):
    epsilon = np.float32(op.get_attr("epsilon"))
    factor = np.float32(op._get_attr_or("exponential_avg_factor", 1.0))
    training = bool(op.get_attr("is_training"))
    data_format = _text(op.get_attr("data_format"))

    def kernel(x, scale, offset, mean, variance):
        xf = x.astype(np.float32)
        channel = _channel_axis(data_format, x.ndim)
        if training:
            _, batch_mean, batch_var = _statistics(xf, channel)
            use_mean, use_var = batch_mean, batch_var
            n = xf.size // max(xf.shape[channel], 1)
            corrected = batch_var * np.float32(n / max(n - 1, 1))
            if factor != 1:
                out_mean = (1 - factor) * mean + factor * batch_mean
                out_var = (1 - factor) * variance + factor * corrected
            else:
                out_mean, out_var = batch_mean, corrected
        else:
            use_mean, use_var = mean, variance
            out_mean, out_var = mean, variance
        inv = 1 / np.sqrt(use_var + epsilon)
        y = (xf - _per_channel(use_mean, x.ndim, channel)) * _per_channel(inv * scale, x.ndim, channel)
        y += _per_channel(offset, x.ndim, channel)
        f32 = np.float32
        return (y.astype(x.dtype), out_mean.astype(f32), out_var.astype(f32), use_mean.astype(f32),
                use_var.astype(f32), np.zeros((), f32))

    return kernel


def _channels(op):
    x = op.inputs[0]
    if x.shape.ndims is not None:
        return x.shape.as_list()[_channel_axis(op.get_attr("data_format"), x.shape.ndims)]
    scale = op.inputs[1].shape
    return scale.as_list()[0] if scale.ndims == 1 else None


def _infer_forward(op):
    if _text(op.get_attr("data_format")) not in _LAYOUTS:
        raise ValueError(f"Invalid data format: {_text(op.get_attr('data_format'))}")
    x = op.inputs[0]
    if x.shape.ndims is not None and x.shape.ndims not in (4, 5):
        raise op_util.shape_error(op, f"Shape must be rank 4 but is rank {x.shape.ndims}")
    vector = TensorShape([_channels(op)])
    u = op.inputs[1].dtype.base_dtype
    return [(x.dtype.base_dtype, x.shape), (u, vector), (u, vector), (u, vector), (u, vector),
            (u, unknown_shape())]


registry.register_op(
    "FusedBatchNormV3", infer=_infer_forward, compile=_compile_forward, fresh=True,
    attrs={**_ATTRS, "exponential_avg_factor": 1.0},
    inputs=("x: T", "scale: U", "offset: U", "mean: U", "variance: U"),
    allowed={"T": ("float16", "bfloat16", "float32"), "U": ("bfloat16", "float32")},
)


def _compile_backward(op, runtime):
    epsilon = np.float32(op.get_attr("epsilon"))
    training = bool(op.get_attr("is_training"))
    data_format = _text(op.get_attr("data_format"))

    def kernel(dy, x, scale, mean, variance, _):
        xf, dyf = x.astype(np.float32), dy.astype(np.float32)
        channel = _channel_axis(data_format, x.ndim)
        axes = tuple(a for a in range(x.ndim) if a != channel)
        inv = 1 / np.sqrt(variance + epsilon)
        x_hat = (xf - _per_channel(mean, x.ndim, channel)) * _per_channel(inv, x.ndim, channel)
        d_offset = dyf.sum(axis=axes)
        d_scale = (dyf * x_hat).sum(axis=axes)
        if training:
            n = np.float32(xf.size // max(xf.shape[channel], 1))
            centered = dyf - _per_channel(d_offset / n, x.ndim, channel)
            centered -= x_hat * _per_channel(d_scale / n, x.ndim, channel)
            dx = centered * _per_channel(scale * inv, x.ndim, channel)
        else:
            dx = dyf * _per_channel(scale * inv, x.ndim, channel)
        f32 = np.float32
        return dx.astype(x.dtype), d_scale.astype(f32), d_offset.astype(f32), np.zeros((0,), f32), \
            np.zeros((0,), f32)

    return kernel


def _infer_backward(op):
    x = op.inputs[1]
    channels = op.inputs[2].shape.as_list()[0] if op.inputs[2].shape.ndims == 1 else None
    u = op.inputs[2].dtype.base_dtype
    return [(x.dtype.base_dtype, x.shape), (u, TensorShape([channels])), (u, TensorShape([channels])),
            (u, TensorShape([0])), (u, TensorShape([0]))]


registry.register_op(
    "FusedBatchNormGradV3", infer=_infer_backward, compile=_compile_backward, fresh=True, attrs=dict(_ATTRS),
    inputs=("y_backprop: T", "x: T", "scale", "reserve_space_1: U", "reserve_space_2: U",
            "reserve_space_3: U"),
    allowed={"T": ("float16", "bfloat16", "float32"), "U": ("float32",)},
)


def fused_batch_norm_v3(x, scale, offset, mean, variance, epsilon=0.0001, exponential_avg_factor=1.0,
                        data_format="NHWC", is_training=True, name=None):
    """TF's ``gen_nn_ops.fused_batch_norm_v3``: the six outputs of one FusedBatchNormV3 op."""
    with ops.name_scope(name, "FusedBatchNormV3", [x, scale, offset, mean, variance]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        named = ((scale, "scale"), (offset, "offset"), (mean, "mean"), (variance, "variance"))
        inputs = [x] + [ops.convert_to_tensor(v, dtype=dtypes.float32, name=n) for v, n in named]
        attrs = {"T": x.dtype.base_dtype, "U": inputs[1].dtype.base_dtype, "epsilon": float(epsilon),
                 "exponential_avg_factor": float(exponential_avg_factor), "data_format": data_format,
                 "is_training": bool(is_training)}
        return op_util.make_op("FusedBatchNormV3", inputs, name=scope, attrs=attrs).outputs


def fused_batch_norm_grad_v3(y_backprop, x, scale, reserve_space_1, reserve_space_2, reserve_space_3,
                             epsilon=0.0001, data_format="NHWC", is_training=True, name=None):
    """TF's ``gen_nn_ops.fused_batch_norm_grad_v3``: (x, scale, offset backprops, two empty reserves)."""
    inputs = [y_backprop, x, scale, reserve_space_1, reserve_space_2, reserve_space_3]
    attrs = {"T": x.dtype.base_dtype, "U": reserve_space_1.dtype.base_dtype, "epsilon": float(epsilon),
             "data_format": data_format, "is_training": bool(is_training)}
    return op_util.make_op("FusedBatchNormGradV3", inputs, name=name or "FusedBatchNormGradV3",
                           attrs=attrs).outputs


@register_gradient("FusedBatchNormV3")
def _fused_batch_norm_v3_grad(op, *grads):
    """TF's: FusedBatchNormGradV3 from the saved batch statistics (training), or from the population
    ones given as inputs (inference, computed channels-last: NCHW is transposed there and back)."""
    x, scale = op.inputs[0], op.inputs[1]
    grad_y = grads[0]
    epsilon = op.get_attr("epsilon")
    data_format = _text(op.get_attr("data_format"))
    if op.get_attr("is_training"):
        dx, dscale, doffset, _, _ = fused_batch_norm_grad_v3(
            grad_y, x, scale, op.outputs[3], op.outputs[4], op.outputs[5], epsilon=epsilon,
            data_format=data_format, is_training=True)
        return dx, dscale, doffset, None, None
    perms = {"NCHW": ([0, 2, 3, 1], [0, 3, 1, 2]), "NCDHW": ([0, 2, 3, 4, 1], [0, 4, 1, 2, 3])}
    perm = perms.get(data_format)
    if perm is not None:
        x, grad_y = array_ops.transpose(x, perm[0]), array_ops.transpose(grad_y, perm[0])
    target = "NDHWC" if "D" in data_format else "NHWC"
    dx, dscale, doffset, _, _ = fused_batch_norm_grad_v3(
        grad_y, x, scale, op.inputs[3], op.inputs[4], op.outputs[5], epsilon=epsilon, data_format=target,
        is_training=False)
    if perm is not None:
        dx = array_ops.transpose(dx, perm[1])
    return dx, dscale, doffset, None, None


def _batch_norm_grad_primitives(grad_y, x, scale, pop_mean, pop_var, epsilon, data_format, is_training):
    """FusedBatchNormGradV3's outputs built from primitive ops (TF's `_BatchNormGrad`), so that they can
    be differentiated."""
    x_dtype = x.dtype.base_dtype
    if x_dtype != dtypes.float32:
        x, grad_y = array_ops.cast(x, dtypes.float32), array_ops.cast(grad_y, dtypes.float32)
    rank = x.shape.ndims
    channels_first = data_format.startswith("NC")
    reduce_axis = [a for a in range(rank) if a != (1 if channels_first else rank - 1)]
    shape = [1, -1] + [1] * (rank - 2)
    if is_training:
        if channels_first:
            scale = array_ops.reshape(scale, shape)
        mean_grad_y = math_ops.reduce_mean(grad_y, reduce_axis, keepdims=channels_first)
        mean_x = math_ops.reduce_mean(x, reduce_axis, keepdims=channels_first)
        squared = math_ops.squared_difference(x, array_ops.stop_gradient(mean_x))
        var_x = math_ops.reduce_mean(squared, reduce_axis, keepdims=channels_first)
        grad_y_offset = grad_y - mean_grad_y
        x_offset = x - mean_x
        mean = math_ops.reduce_mean(grad_y * x_offset, axis=reduce_axis, keepdims=True)
        grad_x = scale * math_ops.rsqrt(var_x + epsilon) * (
            grad_y_offset - math_ops.reciprocal(var_x + epsilon) * mean * x_offset)
        grad_scale = math_ops.rsqrt(var_x + epsilon) * math_ops.reduce_sum(
            grad_y * x_offset, axis=reduce_axis, keepdims=channels_first)
        if channels_first:
            grad_scale = array_ops.squeeze(grad_scale)
        grad_offset = math_ops.reduce_sum(grad_y, axis=reduce_axis)
        return array_ops.cast(grad_x, x_dtype), grad_scale, grad_offset
    if channels_first:
        pop_mean, pop_var = array_ops.reshape(pop_mean, shape), array_ops.reshape(pop_var, shape)
        scale = array_ops.reshape(scale, shape)
    grad_offset = math_ops.reduce_sum(grad_y, axis=reduce_axis)
    var_rsqrt = math_ops.rsqrt(pop_var + epsilon)
    grad_scale = math_ops.reduce_sum(grad_y * (x - pop_mean) * var_rsqrt, axis=reduce_axis)
    grad_x = grad_y * scale * var_rsqrt
    return array_ops.cast(grad_x, x_dtype), grad_scale, grad_offset


@register_gradient("FusedBatchNormGradV3")
def _fused_batch_norm_grad_v3_grad(op, *grads):
    """TF's `_BatchNormGradGrad`: the gradient of the primitive backward pass, seeded with the incoming
    gradients of the x, scale and offset backprops."""
    from engine import gradients

    # Fresh identities stand for the inputs, as TF's GradientTape watches them: the gradient then stays
    # inside the primitive pass (grad_y itself depends on x through the forward op, a path not to take).
    grad_y, x, scale = (array_ops.identity(t) for t in op.inputs[:3])
    pop_mean, pop_var = op.inputs[3:5]
    outputs = _batch_norm_grad_primitives(grad_y, x, scale, pop_mean, pop_var, op.get_attr("epsilon"),
                                          _text(op.get_attr("data_format")), bool(op.get_attr("is_training")))
    seeds = [g if g is not None else array_ops.zeros_like(o) for g, o in zip(grads[:3], outputs, strict=True)]
    grad_grad_y, grad_x, grad_scale = gradients.gradients(list(outputs), [grad_y, x, scale], grad_ys=seeds)
    return grad_grad_y, grad_x, grad_scale, None, None, None
