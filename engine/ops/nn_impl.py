"""`tf.nn` functions TF builds from other ops (`tensorflow/python/ops/nn_impl.py`): moments, batch
normalization, L2 normalization, conv1d. No op types of their own, so no kernels or gradients here: their
gradients are those of the ops they are made of, as in TF."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.ops import array_ops, conv_ops, math_ops


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """``tf.nn.moments``: mean and (biased) variance over `axes`; `shift` is accepted and unused, as in TF."""
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
    keep = bool(keepdims if keepdims is not None else keep_dims)
    with ops.name_scope(name, "moments", [x, axes]):
        x = ops.convert_to_tensor(x, name="x")
        # float16 moments are computed in float32 (TF: "to avoid overflow and precision loss").
        y = array_ops.cast(x, dtypes.float32) if x.dtype.base_dtype == dtypes.float16 else x
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(y, array_ops.stop_gradient(mean)),
            axes,
            keepdims=True,
            name="variance",
        )
        if not keep:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        if x.dtype.base_dtype == dtypes.float16:
            return array_ops.cast(mean, dtypes.float16), array_ops.cast(variance, dtypes.float16)
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """``tf.nn.batch_normalization``: `(x - mean) * scale / sqrt(variance + eps) + offset`, in TF's op order
    (`x * inv + (offset - mean * inv)`, inv = rsqrt(variance + eps) * scale)."""
    with ops.name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = ops.convert_to_tensor(x, name="x")
        inv = math_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        inv = array_ops.cast(inv, x.dtype.base_dtype)
        scaled = x * inv
        shift = offset - mean * inv if offset is not None else -mean * inv
        return scaled + array_ops.cast(shift, x.dtype.base_dtype)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``tf.nn.l2_normalize``: `x / sqrt(max(sum(x**2, axis), epsilon))`."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    with ops.name_scope(name, "l2_normalize", [x]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=scope)


def _one_spatial(value, name):
    if isinstance(value, int):
        return value
    value = list(value)
    if len(value) == 1:
        return int(value[0])
    if len(value) == 3:
        return int(value[1])
    raise ValueError(f"{name} should be of length 1 or 3 but was {len(value)}")


def conv1d(
    value=None,
    filters=None,
    stride=None,
    padding=None,
    use_cudnn_on_gpu=None,
    data_format=None,
    name=None,
    input=None,
    dilations=None,
):  # noqa: A002 - TF's argument name
    """``tf.nn.conv1d``: a Conv2D over `value` (NWC) with a height-1 axis added at -3, squeezed out again."""
    if input is not None:
        if value is not None:
            raise ValueError("Cannot specify both 'value' and 'input'")
        value = input
    if data_format not in (None, "NWC", "NHWC"):
        raise ValueError(
            f'data_format must be "NWC" (the engine\'s kernels are NHWC only), got {data_format!r}'
        )
    with ops.name_scope(name, "conv1d", [value, filters]) as scope:
        value = array_ops.expand_dims(value, -3)
        filters = array_ops.expand_dims(filters, 0)
        stride = _one_spatial(stride, "stride")
        dilation = 1 if dilations is None else _one_spatial(dilations, "dilations")
        result = conv_ops.conv2d(
            value,
            filters,
            strides=[1, 1, stride, 1],
            padding=padding,
            use_cudnn_on_gpu=True if use_cudnn_on_gpu is None else use_cudnn_on_gpu,
            dilations=[1, 1, dilation, 1],
            name=scope,
        )
        return array_ops.squeeze(result, [-3])
