"""`tf.nn` functions TF builds from other ops (`tensorflow/python/ops/nn_impl.py`): moments, batch
normalization, L2 normalization, conv1d, crelu, swish, xw_plus_b, relu_layer, zero_fraction and two losses.
No op types of their own, so no kernels or gradients here: their
gradients are those of the ops they are made of, as in TF."""

from __future__ import annotations

import math

from engine.framework import dtypes, ops
from engine.ops import array_ops, constant_op, conv_ops, fused_batch_norm_ops, math_ops, nn_ops


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
    input=None,  # noqa: A002
    dilations=None,
):
    """``tf.nn.conv1d``: a Conv2D over `value` (NWC, or NCW) with a height-1 axis added before the width,
    squeezed out again.  As TF on CPU, an NCW convolution builds but raises TF's error when it runs."""
    if input is not None:
        if value is not None:
            raise ValueError("Cannot specify both 'value' and 'input'")
        value = input
    if data_format in (None, "NWC", "NHWC"):
        layout, spatial_start = "NHWC", -3
    elif data_format in ("NCW", "NCHW"):
        layout, spatial_start = "NCHW", -2
    else:
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")
    with ops.name_scope(name, "conv1d", [value, filters]) as scope:
        value = array_ops.expand_dims(value, spatial_start)
        filters = array_ops.expand_dims(filters, 0)
        stride = _one_spatial(stride, "stride")
        dilation = 1 if dilations is None else _one_spatial(dilations, "dilations")
        result = conv_ops.conv2d(
            value,
            filters,
            strides=[1, 1, stride, 1] if layout == "NHWC" else [1, 1, 1, stride],
            padding=padding,
            use_cudnn_on_gpu=True if use_cudnn_on_gpu is None else use_cudnn_on_gpu,
            data_format=layout,
            dilations=[1, 1, dilation, 1] if layout == "NHWC" else [1, 1, 1, dilation],
            name=scope,
        )
        return array_ops.squeeze(result, [spatial_start])


def crelu(features, name=None, axis=-1):
    """``tf.nn.crelu``: relu of `features` concatenated with `-features` along `axis`."""
    with ops.name_scope(name, "CRelu", [features]) as scope:
        features = ops.convert_to_tensor(features, name="features")
        c = array_ops.concat([features, -features], axis, name=scope)
        return nn_ops.relu(c)


def swish(features, beta=1.0):
    """``tf.nn.swish``: `features * sigmoid(beta * features)` (TF fuses the gradient; the engine's is the
    composite's, with the same values)."""
    with ops.name_scope(None, "swish", [features]):
        features = ops.convert_to_tensor(features, name="features")
        return features * math_ops.sigmoid(beta * features)


def xw_plus_b(x, weights, biases, name=None):
    """``tf.nn.xw_plus_b``: `matmul(x, weights) + biases` (a BiasAdd named `name`)."""
    with ops.name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        weights = ops.convert_to_tensor(weights, name="weights")
        biases = ops.convert_to_tensor(biases, name="biases")
        mm = math_ops.matmul(x, weights)
        return nn_ops.bias_add(mm, biases, name=scope)


def relu_layer(x, weights, biases, name=None):
    """``tf.nn.relu_layer``: `relu(matmul(x, weights) + biases)`."""
    with ops.name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        weights = ops.convert_to_tensor(weights, name="weights")
        biases = ops.convert_to_tensor(biases, name="biases")
        xw_plus_b_t = nn_ops.bias_add(math_ops.matmul(x, weights), biases)
        return nn_ops.relu(xw_plus_b_t, name=scope)


def zero_fraction(value, name=None):
    """``tf.nn.zero_fraction``: the fraction of zeros in `value`, as float32."""
    with ops.name_scope(name, "zero_fraction", [value]):
        value = ops.convert_to_tensor(value, name="value")
        zero = array_ops.zeros([], dtype=value.dtype.base_dtype)
        is_zero = array_ops.cast(math_ops.equal(value, zero), dtypes.float32)
        return math_ops.reduce_mean(is_zero, name="fraction")


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None, targets=None):
    """``tf.nn.weighted_cross_entropy_with_logits``: sigmoid cross entropy with positives weighted by
    `pos_weight`, in TF's stable form `(1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + relu(-x))`."""
    if labels is not None and targets is not None:
        raise ValueError("Cannot specify both 'labels' and 'targets'")
    labels = targets if labels is None else labels
    with ops.name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = ops.convert_to_tensor(logits, name="logits")
        labels = ops.convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs {labels.shape})")
        log_weight = 1 + (pos_weight - 1) * labels
        return math_ops.add(
            (1 - labels) * logits,
            log_weight * (math_ops.log1p(math_ops.exp(-math_ops.abs(logits))) + nn_ops.relu(-logits)),
            name=scope,
        )


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """``tf.nn.log_poisson_loss``: `exp(log_input) - log_input * targets`, plus Stirling's approximation of
    `log(targets!)` where targets > 1 when `compute_full_loss`."""
    with ops.name_scope(name, "log_poisson_loss", [log_input, targets]):
        log_input = ops.convert_to_tensor(log_input, name="log_input")
        targets = ops.convert_to_tensor(targets, name="targets")
        if not log_input.shape.is_compatible_with(targets.shape):
            raise ValueError(
                f"log_input and targets must have the same shape ({log_input.shape} vs {targets.shape})"
            )
        result = math_ops.exp(log_input) - log_input * targets
        if compute_full_loss:
            point_five = constant_op.constant(0.5, dtype=targets.dtype.base_dtype)
            two_pi = constant_op.constant(2 * math.pi, dtype=targets.dtype.base_dtype)
            stirling_approx = (
                (targets * math_ops.log(targets)) - targets + (point_five * math_ops.log(two_pi * targets))
            )
            zeros = array_ops.zeros_like(targets, dtype=targets.dtype.base_dtype)
            ones = array_ops.ones_like(targets, dtype=targets.dtype.base_dtype)
            cond = math_ops.logical_and(targets >= zeros, targets <= ones)
            result += array_ops.where(cond, zeros, stirling_approx)
        return result


def conv2d_transpose(
    value=None,
    filter=None,  # noqa: A002
    output_shape=None,
    strides=None,
    padding="SAME",
    data_format="NHWC",
    name=None,
    input=None,  # noqa: A002
    filters=None,
    dilations=None,
):
    """``tf.nn.conv2d_transpose``: the gradient of conv2d with respect to its input (a Conv2DBackpropInput
    of `output_shape`), with `filter` of shape (height, width, output_channels, in_channels).  NCHW builds
    and, as TF on CPU, raises TF's InvalidArgumentError when it runs."""
    value = input if value is None else value
    filter = filters if filter is None else filter  # noqa: A001
    with ops.name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        # converted in the order and under the names of TF's op inputs: input_sizes, filter, out_backprop
        output_shape_t = ops.convert_to_tensor(output_shape, dtype=None, name="input_sizes")
        if output_shape_t.shape.ndims is not None and not output_shape_t.shape.is_compatible_with([4]):
            raise ValueError(f"output_shape must have shape (4,), got {output_shape_t.shape}")
        # the channels are checked by Conv2DBackpropInput's shape function, in the op's layout
        return conv_ops.conv2d_backprop_input(
            output_shape_t,
            filter,
            value,
            strides=strides,
            padding=padding,
            dilations=[1, 1, 1, 1] if dilations is None else dilations,
            data_format=data_format,
            name=scope,
        )


def atrous_conv2d(value, filters, rate, padding, name=None):
    """``tf.nn.atrous_conv2d``: conv2d with the filter dilated by `rate` (a Conv2D with `dilations`)."""
    if rate < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    with ops.name_scope(name, "convolution", [value, filters]) as scope:
        return conv_ops.conv2d(
            value, filters, strides=[1, 1, 1, 1], padding=padding, dilations=[1, rate, rate, 1], name=scope
        )


def fused_batch_norm(
    x,
    scale,
    offset,
    mean=None,
    variance=None,
    epsilon=0.001,
    data_format="NHWC",
    is_training=True,
    name=None,
    exponential_avg_factor=1.0,
):
    """``tf.nn.fused_batch_norm``: `(y, batch_mean, batch_variance)` of one FusedBatchNormV3 op (see
    engine/ops/fused_batch_norm_ops.py), its inputs named and made as TF's v1 wrapper makes them."""
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or variance is None):
        raise ValueError(
            "Both 'mean' and 'variance' must be a 1D tensor when is_training is False or "
            f"exponential_avg_factor != 1.0. Got mean: {mean} and variance: {variance}"
        )
    x = ops.convert_to_tensor(x, name="input")
    scale = ops.convert_to_tensor(scale, name="scale")
    offset = ops.convert_to_tensor(offset, name="offset")
    if mean is None:
        mean = constant_op.constant([])
    if variance is None:
        variance = constant_op.constant([])
    epsilon = epsilon if epsilon > 1.001e-5 else 1.001e-5  # TF raises smaller values to cuDNN's minimum
    y, running_mean, running_var, _, _, _ = fused_batch_norm_ops.fused_batch_norm_v3(
        x, scale, offset, mean, variance, epsilon=epsilon, exponential_avg_factor=exponential_avg_factor,
        data_format=data_format, is_training=is_training, name=name)
    return y, running_mean, running_var


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """``tf.nn.sufficient_statistics``: `(count, sum(x - shift), sum((x - shift) ** 2), shift)` over `axes`;
    the count is a Const when those dimensions are known."""
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
    keep = bool(keepdims if keepdims is not None else keep_dims)
    axes = list(axes)
    with ops.name_scope(name, "sufficient_statistics", [x, shift]):
        x = ops.convert_to_tensor(x, name="x")
        dims = x.shape.as_list() if x.shape.ndims is not None else None
        if dims is not None and all(dims[d] is not None for d in axes):
            count = 1
            for d in axes:
                count *= dims[d]
            counts = constant_op.constant(count, dtype=x.dtype.base_dtype)
        else:
            x_dims = array_ops.gather(array_ops.cast(array_ops.shape_v1(x), x.dtype.base_dtype), axes)
            counts = math_ops.reduce_prod(x_dims, name="count")
        if shift is not None:
            shift = ops.convert_to_tensor(shift, name="shift")
            m_ss = math_ops.subtract(x, shift)
            v_ss = math_ops.squared_difference(x, shift)
        else:
            m_ss = x
            v_ss = math_ops.square(x)
        m_ss = math_ops.reduce_sum(m_ss, axes, keepdims=keep, name="mean_ss")
        v_ss = math_ops.reduce_sum(v_ss, axes, keepdims=keep, name="var_ss")
        return counts, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """``tf.nn.normalize_moments``: mean and variance from `sufficient_statistics`' sums."""
    with ops.name_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        divisor = math_ops.reciprocal(counts, name="divisor")
        if shift is not None:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="shifted_mean")
            mean = math_ops.add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="mean")
            mean = shifted_mean
        variance = math_ops.subtract(
            math_ops.multiply(variance_ss, divisor), math_ops.square(shifted_mean), name="variance"
        )
        return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """``tf.nn.weighted_moments``: the mean and variance of `x` over `axes`, each value counted
    `frequency_weights` times (weights broadcast against x)."""
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
    keep = bool(keepdims if keepdims is not None else keep_dims)
    with ops.name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = ops.convert_to_tensor(x, name="x")
        weights = ops.convert_to_tensor(frequency_weights, name="frequency_weights")
        needs_cast = x.dtype.base_dtype == dtypes.float16
        if needs_cast:
            x = array_ops.cast(x, dtypes.float32)
        if weights.dtype.base_dtype != x.dtype.base_dtype:
            weights = array_ops.cast(weights, x.dtype.base_dtype)
        weighted_input_sum = math_ops.reduce_sum(weights * x, axes, name="weighted_input_sum", keepdims=True)
        broadcast_weights = weights + array_ops.zeros_like(x)
        sum_of_weights = math_ops.reduce_sum(broadcast_weights, axes, name="sum_of_weights", keepdims=True)
        divisor = math_ops.reciprocal(sum_of_weights, name="inv_weight_sum")
        weighted_mean = math_ops.multiply(weighted_input_sum, divisor)
        weighted_distsq = math_ops.reduce_sum(
            weights * math_ops.squared_difference(x, weighted_mean),
            axes,
            name="weighted_distsq",
            keepdims=True,
        )
        weighted_variance = math_ops.multiply(weighted_distsq, divisor)
        if not keep:
            weighted_mean = array_ops.squeeze(weighted_mean, axes)
            weighted_variance = array_ops.squeeze(weighted_variance, axes)
        if needs_cast:
            weighted_mean = array_ops.cast(weighted_mean, dtypes.float16)
            weighted_variance = array_ops.cast(weighted_variance, dtypes.float16)
        return weighted_mean, weighted_variance


def _pool1d(pool, default_name, input, ksize, strides, padding, data_format, name):  # noqa: A002
    """A 1-D pooling as TF builds it: a height-1 axis added at 1 (NWC), the 2-D pool, the axis squeezed."""
    if data_format not in ("NWC", "NHWC", None):
        raise ValueError(
            f'data_format must be "NWC" (the engine\'s kernels are NHWC only), got {data_format!r}'
        )
    with ops.name_scope(name, default_name, [input]) as scope:
        expanded = array_ops.expand_dims(input, 1)
        pooled = pool(
            expanded,
            [1, 1, _one_spatial(ksize, "ksize"), 1],
            [1, 1, _one_spatial(strides, "strides"), 1],
            padding,
            name=scope,
        )
        return array_ops.squeeze(pooled, [1])


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """``tf.nn.max_pool1d`` over (batch, width, channels)."""
    return _pool1d(conv_ops.max_pool, "MaxPool1d", input, ksize, strides, padding, data_format, name)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """``tf.nn.avg_pool1d`` over (batch, width, channels)."""
    return _pool1d(conv_ops.avg_pool, "AvgPool1D", input, ksize, strides, padding, data_format, name)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """``tf.nn.max_pool2d``: `tf.nn.max_pool` under its TF 2 name."""
    return conv_ops.max_pool(input, ksize, strides, padding, data_format=data_format, name=name)


def avg_pool2d(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """``tf.nn.avg_pool2d``: `tf.nn.avg_pool` under its TF 2 name."""
    return conv_ops.avg_pool(
        value if input is None else input, ksize, strides, padding, data_format=data_format, name=name
    )


def conv1d_transpose(
    input,  # noqa: A002
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NWC",
    dilations=None,
    name=None,
):
    """``tf.nn.conv1d_transpose``: a Conv2DBackpropInput over a unit axis added before the width (NWC), or
    before it as NCHW's height (NCW: it builds and, as TF on CPU, refuses to run), squeezed out again."""
    if data_format in (None, "NWC"):
        layout, spatial_start = "NHWC", 1
    elif data_format == "NCW":
        layout, spatial_start = "NCHW", 2
    else:
        raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")

    def attr(value, attr_name):  # TF's [1] + _get_sequence(value, 1, channel_index, name)
        width = 1 if value is None else _one_spatial(value, attr_name)
        return [1, 1, width, 1] if layout == "NHWC" else [1, 1, 1, width]

    with ops.name_scope(name, "conv1d_transpose", [input, filters, output_shape]) as scope:
        x = array_ops.expand_dims(input, spatial_start)
        f = array_ops.expand_dims(filters, 0)
        if not isinstance(output_shape, ops.Tensor):
            output_shape = list(output_shape)
        output_shape = array_ops.concat([output_shape[:spatial_start], [1], output_shape[spatial_start:]], 0)
        result = conv_ops.conv2d_backprop_input(
            output_shape,
            f,
            x,
            strides=attr(strides, "stride"),
            padding=padding,
            dilations=attr(dilations, "dilations"),
            data_format=layout,
            name=scope,
        )
        return array_ops.squeeze(result, spatial_start)
