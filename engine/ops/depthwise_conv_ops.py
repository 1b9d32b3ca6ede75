"""Depthwise convolution: DepthwiseConv2dNative (`tf.nn.depthwise_conv2d`, the first half of
`tf.nn.separable_conv2d`) and its two backprop ops, each differentiable as TF's nn_grad.py has them:
kernels, shape rules, registrations, wrappers and gradients. The kernels are NHWC, as TF's on CPU: NCHW
ops build with their shapes and raise TF's CPU error when they run (conv_ops' `_CPU_REFUSES_NCHW`).

Each input channel c is convolved with its own `channel_multiplier` filters: output channel c * M + m is
`sum_ij x[oh * s + i * d, ow * s + j * d, c] * filter[i, j, c, m]`."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework.registry import register_gradient
from engine.framework.tensor_shape import TensorShape
from engine.ops import array_ops, constant_op, conv_ops, grad_util, op_util
from engine.ops.conv3d_ops import _geometry, _pad, _scatter_windows, _windows  # any number of spatial axes
from engine.ops.conv_ops import _attrs, _dims, _from_nhwc, _nhwc_dims, _nhwc_kernels_only, _spatial_out

_DEPTHWISE_TYPES = ("float16", "bfloat16", "float32", "float64")
_ATTR_NAMES = ("strides", "padding", "dilations")


def _check_strides(strides):
    if strides[1] != strides[2]:
        raise errors.InvalidArgumentError(
            None,
            None,
            "Current implementation only supports equal length strides in the row and column dimensions.",
        )


def np_depthwise_conv2d(x, f, strides, padding, dilations):
    _check_strides(strides)
    kh, kw, c, m = f.shape
    (oh, ow), pads = _geometry(x.shape, (kh, kw), strides, dilations, padding)
    cols = _windows(_pad(x, pads), (kh, kw), (oh, ow), strides, dilations)  # [N, OH, OW, KH, KW, C]
    return np.einsum("nhwijc,ijcm->nhwcm", cols, f).reshape(x.shape[0], oh, ow, c * m)


def np_depthwise_backprop_filter(x, filter_shape, dy, strides, padding, dilations):
    kh, kw, c, m = filter_shape
    (oh, ow), pads = _geometry(x.shape, (kh, kw), strides, dilations, padding)
    cols = _windows(_pad(x, pads), (kh, kw), (oh, ow), strides, dilations)
    return np.einsum("nhwijc,nhwcm->ijcm", cols, dy.reshape(dy.shape[:3] + (c, m)))


def np_depthwise_backprop_input(input_shape, f, dy, strides, padding, dilations):
    kh, kw, c, m = f.shape
    (oh, ow), pads = _geometry(input_shape, (kh, kw), strides, dilations, padding)
    dcols = np.einsum("nhwcm,ijcm->nhwijc", dy.reshape(dy.shape[:3] + (c, m)), f)
    return _scatter_windows(dcols, input_shape, (kh, kw), (oh, ow), pads, strides, dilations)


def _infer_depthwise(op):
    strides, padding, dilations = _attrs(op, *_ATTR_NAMES)
    n, h, w, c = _nhwc_dims(op, op.inputs[0].shape)
    strides, dilations = _nhwc_dims(op, None, strides), _nhwc_dims(op, None, dilations)
    kh, kw, fc, m = _dims(op.inputs[1].shape, 4)
    if c is not None and fc is not None and c != fc:
        raise op_util.shape_error(op, f"Dimensions must be equal, but are {c} and {fc}")
    c = c if c is not None else fc
    out_c = c * m if c is not None and m is not None else None
    out = [
        n,
        _spatial_out(h, kh, strides[1], dilations[1], padding),
        _spatial_out(w, kw, strides[2], dilations[2], padding),
        out_c,
    ]
    return [(op.inputs[0].dtype.base_dtype, TensorShape(_from_nhwc(op, out)))]


def _compile_depthwise(op, runtime):
    strides, padding, dilations = _attrs(op, *_ATTR_NAMES)
    return lambda x, f: np_depthwise_conv2d(np.asarray(x), np.asarray(f), strides, padding, dilations)


def _compile_backprop_input(op, runtime):
    strides, padding, dilations = _attrs(op, *_ATTR_NAMES)

    def kernel(sizes, f, dy):
        shape = tuple(int(d) for d in np.asarray(sizes).reshape(-1))
        return np_depthwise_backprop_input(shape, np.asarray(f), np.asarray(dy), strides, padding, dilations)

    return kernel


def _compile_backprop_filter(op, runtime):
    strides, padding, dilations = _attrs(op, *_ATTR_NAMES)

    def kernel(x, sizes, dy):
        shape = tuple(int(d) for d in np.asarray(sizes).reshape(-1))
        return np_depthwise_backprop_filter(np.asarray(x), shape, np.asarray(dy), strides, padding, dilations)

    return kernel


_ALL_ATTRS = {"dilations": [1, 1, 1, 1], "data_format": "NHWC", "explicit_paddings": []}
registry.register_op(
    "DepthwiseConv2dNative",
    infer=_infer_depthwise,
    compile=_nhwc_kernels_only(_compile_depthwise),
    fresh=True,
    attrs=_ALL_ATTRS,
    inputs=("input: T", "filter: T"),
    allowed={"T": _DEPTHWISE_TYPES},
)
registry.register_op(
    "DepthwiseConv2dNativeBackpropInput",
    compile=_nhwc_kernels_only(_compile_backprop_input),
    fresh=True,
    attrs=_ALL_ATTRS,
    infer=lambda op: [(op.inputs[1].dtype.base_dtype, conv_ops._shape_from_const_input(op, 0, 4))],
    inputs=("input_sizes", "filter: T", "out_backprop: T"),
    allowed={"T": _DEPTHWISE_TYPES},
)
registry.register_op(
    "DepthwiseConv2dNativeBackpropFilter",
    compile=_nhwc_kernels_only(_compile_backprop_filter),
    fresh=True,
    attrs=_ALL_ATTRS,
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, conv_ops._shape_from_const_input(op, 1, 4))],
    inputs=("input: T", "filter_sizes", "out_backprop: T"),
    allowed={"T": _DEPTHWISE_TYPES},
)


def _op_attrs(strides, padding, dilations, data_format, dtype):
    return {
        "T": dtype,
        "strides": conv_ops._list4(strides, "strides", data_format),
        "padding": conv_ops._padding(padding),
        "dilations": conv_ops._list4(dilations, "dilations", data_format),
        "data_format": conv_ops._text(data_format),
        "explicit_paddings": [],
    }


def depthwise_conv2d_native(
    input,  # noqa: A002
    filter,  # noqa: A002
    strides,
    padding,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
):
    """``tf.nn.depthwise_conv2d_native``: one DepthwiseConv2dNative op."""
    with ops.name_scope(name, "DepthwiseConv2dNative", [input, filter]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        f = ops.convert_to_tensor(filter, name="filter")
        attrs = _op_attrs(strides, padding, dilations, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("DepthwiseConv2dNative", [x, f], name=scope, attrs=attrs)


def _backprop_input(input_sizes, f, dy, **attrs):
    attrs = _op_attrs(
        attrs["strides"], attrs["padding"], attrs["dilations"], attrs["data_format"], f.dtype.base_dtype
    )
    sizes = ops.convert_to_tensor(input_sizes, name="input_sizes")
    return op_util.make_tensor(
        "DepthwiseConv2dNativeBackpropInput",
        [sizes, f, dy],
        name="DepthwiseConv2dNativeBackpropInput",
        attrs=attrs,
    )


def _backprop_filter(x, filter_sizes, dy, **attrs):
    attrs = _op_attrs(
        attrs["strides"], attrs["padding"], attrs["dilations"], attrs["data_format"], x.dtype.base_dtype
    )
    sizes = ops.convert_to_tensor(filter_sizes, name="filter_sizes")
    return op_util.make_tensor(
        "DepthwiseConv2dNativeBackpropFilter",
        [x, sizes, dy],
        name="DepthwiseConv2dNativeBackpropFilter",
        attrs=attrs,
    )


def _rate_dilations(rate, dilations):
    """The spatial dilations of `rate` or `dilations` (one or two values, or four in the op's order)."""
    if rate is not None and dilations is not None:
        raise ValueError("Cannot specify both 'rate' and 'dilations'")
    value = rate if rate is not None else dilations
    if value is None:
        return [1, 1]
    value = [value, value] if isinstance(value, int) else list(value)
    if any(int(v) < 1 for v in value):
        raise ValueError(f"rate must be positive, got {value}")
    return [int(value[0]), int(value[-1])] if len(value) in (1, 2) else value


def _space_to_batch_constants(filter, rate):  # noqa: A002
    """The two constants TF's `with_space_to_batch` leaves in the graph around a rate-1 depthwise op (the
    filter's Shape and the dilation_rate); a rate above 1 becomes the op's dilations here, where TF wraps
    the op in SpaceToBatchND/BatchToSpaceND."""
    array_ops.shape_v1(filter)
    constant_op.constant(list(rate), dtypes.int32, name="dilation_rate")


def depthwise_conv2d(
    input,  # noqa: A002
    filter,  # noqa: A002
    strides,
    padding,
    rate=None,
    name=None,
    data_format=None,
    dilations=None,
):
    """``tf.nn.depthwise_conv2d``: a DepthwiseConv2dNative named `depthwise`.  NCHW builds and, as TF on
    CPU, raises TF's UnimplementedError when it runs."""
    with ops.name_scope(name, "depthwise", [input, filter]) as scope:
        x = ops.convert_to_tensor(input, name="tensor_in")
        f = ops.convert_to_tensor(filter, name="filter_in")
        rate = _rate_dilations(rate, dilations)
        _space_to_batch_constants(f, rate)
        return depthwise_conv2d_native(
            x, f, strides, padding, data_format=data_format or "NHWC", dilations=rate, name=scope
        )


def separable_conv2d(
    input,  # noqa: A002
    depthwise_filter,
    pointwise_filter,
    strides,
    padding,
    rate=None,
    name=None,
    data_format=None,
    dilations=None,
):
    """``tf.nn.separable_conv2d``: a depthwise convolution, then a 1x1 Conv2D mixing the channels (both
    NCHW when `data_format` is: they build and, as TF on CPU, refuse to run)."""
    with ops.name_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) as scope:
        x = ops.convert_to_tensor(input, name="tensor_in")
        depthwise_filter = ops.convert_to_tensor(depthwise_filter, name="depthwise_filter")
        pointwise_filter = ops.convert_to_tensor(pointwise_filter, name="pointwise_filter")
        pointwise = pointwise_filter.shape
        if pointwise.ndims is not None and (pointwise.ndims != 4 or pointwise.as_list()[:2] != [1, 1]):
            raise ValueError(f"Pointwise filter must be of shape [1, 1, in, out], got {pointwise}")
        rate = _rate_dilations(rate, dilations)
        _space_to_batch_constants(depthwise_filter, rate)
        depthwise = depthwise_conv2d_native(
            x,
            depthwise_filter,
            strides,
            padding,
            data_format=data_format or "NHWC",
            dilations=rate,
            name="depthwise",
        )
        return conv_ops.conv2d(
            depthwise,
            pointwise_filter,
            [1, 1, 1, 1],
            padding="VALID",
            data_format=data_format or "NHWC",
            name=scope,
        )


def _grad_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "dilations", "data_format")}


@register_gradient("DepthwiseConv2dNative")
def _depthwise_grad(op, grad):
    x, f = op.inputs
    attrs = _grad_attrs(op)
    return [
        _backprop_input(grad_util.shape(x), f, grad, **attrs),
        _backprop_filter(x, grad_util.shape(f), grad, **attrs),
    ]


@register_gradient("DepthwiseConv2dNativeBackpropInput")
def _depthwise_backprop_input_grad(op, grad):
    _, f, dy = op.inputs
    attrs = _grad_attrs(op)
    return [
        None,
        _backprop_filter(grad, grad_util.shape(f), dy, **attrs),
        depthwise_conv2d_native(grad, f, **attrs),
    ]


@register_gradient("DepthwiseConv2dNativeBackpropFilter")
def _depthwise_backprop_filter_grad(op, grad):
    x, _, dy = op.inputs
    attrs = _grad_attrs(op)
    return [
        _backprop_input(grad_util.shape(x), grad, dy, **attrs),
        None,
        depthwise_conv2d_native(x, grad, **attrs),
    ]
