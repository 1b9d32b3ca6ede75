"""3-D convolution and pooling: Conv3D, MaxPool3D, AvgPool3D and the backprop ops their gradients build
(Conv3DBackpropInputV2, Conv3DBackpropFilterV2, MaxPool3DGrad, MaxPool3DGradGrad, AvgPool3DGrad), each
differentiable as TF's nn_grad.py has them: kernels, shape rules, registrations, wrappers and gradients.
The kernels, conv_ops' 2-D ones written for any number of spatial axes (strided windows), are NDHWC as
TF's on CPU: NCDHW ops build with their shapes and raise TF's CPU error when they run (conv_ops'
`_CPU_REFUSES_NCHW`)."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from engine.framework import dtype_groups as groups
from engine.framework import ops, registry
from engine.framework.registry import register_gradient
from engine.framework.tensor_shape import TensorShape
from engine.ops import array_ops, conv_ops, grad_util, op_util

_FLOATS = ("float16", "bfloat16", "float32", "float64")
_SPATIAL = 3

# --- numpy kernels over any number of spatial axes ---------------------------------------------------


def _geometry(x_shape, ksize, strides, dilations, padding):
    """Output sizes and (before, after) pads of each spatial axis."""
    out, pads = [], []
    for i, size in enumerate(x_shape[1:-1]):
        o, before, after = conv_ops.out_size_and_pad(
            size, ksize[i], strides[i + 1], dilations[i + 1], padding
        )
        out.append(o)
        pads.append((before, after))
    return out, pads


def _pad(x, pads, value=0):
    if all(p == (0, 0) for p in pads):
        return x
    return np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=value)


def _windows(xp, ksize, out, strides, dilations):
    """View [N, *out, *ksize, C] of the padded input (no copy)."""
    st = xp.strides
    spatial = st[1:-1]
    return as_strided(
        xp,
        shape=(xp.shape[0], *out, *ksize, xp.shape[-1]),
        strides=(
            st[0],
            *(s * strides[i + 1] for i, s in enumerate(spatial)),
            *(s * dilations[i + 1] for i, s in enumerate(spatial)),
            st[-1],
        ),
        writeable=False,
    )


def _scatter_windows(dcols, x_shape, ksize, out, pads, strides, dilations):
    """Adds [N, *out, *ksize, C] window gradients back onto the input (one vector add per kernel tap)."""
    k = len(ksize)
    padded = [size + p[0] + p[1] for size, p in zip(x_shape[1:-1], pads, strict=True)]
    dxp = np.zeros((x_shape[0], *padded, x_shape[-1]), dcols.dtype)
    for tap in itertools.product(*(range(n) for n in ksize)):
        target = tuple(
            slice(
                t * dilations[i + 1], t * dilations[i + 1] + strides[i + 1] * (out[i] - 1) + 1, strides[i + 1]
            )
            for i, t in enumerate(tap)
        )
        dxp[(slice(None), *target, slice(None))] += dcols[(slice(None),) * (1 + k) + tap]
    crop = tuple(slice(p[0], p[0] + size) for p, size in zip(pads, x_shape[1:-1], strict=True))
    return dxp[(slice(None), *crop, slice(None))]


def np_conv3d(x, f, strides, padding, dilations):
    ksize, m = f.shape[:-2], f.shape[-1]
    out, pads = _geometry(x.shape, ksize, strides, dilations, padding)
    cols = _windows(_pad(x, pads), ksize, out, strides, dilations).reshape(-1, f.size // m)
    return (cols @ f.reshape(-1, m)).reshape(x.shape[0], *out, m)


def np_conv3d_backprop_filter(x, filter_shape, dy, strides, padding, dilations):
    ksize, m = filter_shape[:-2], filter_shape[-1]
    out, pads = _geometry(x.shape, ksize, strides, dilations, padding)
    cols = _windows(_pad(x, pads), ksize, out, strides, dilations).reshape(
        -1, int(np.prod(filter_shape)) // m
    )
    return (cols.T @ dy.reshape(-1, m)).reshape(filter_shape)


def np_conv3d_backprop_input(input_shape, f, dy, strides, padding, dilations):
    ksize, c, m = f.shape[:-2], f.shape[-2], f.shape[-1]
    out, pads = _geometry(input_shape, ksize, strides, dilations, padding)
    dcols = (dy.reshape(-1, m) @ f.reshape(-1, m).T).reshape(dy.shape[0], *out, *ksize, c)
    return _scatter_windows(dcols, input_shape, ksize, out, pads, strides, dilations)


_NO_DILATION = (1,) * (_SPATIAL + 2)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _window_argmax(x, ksize, strides, padding):
    """Per output: the flat index within its window of the first maximal input; and the geometry."""
    out, pads = _geometry(x.shape, ksize, strides, _NO_DILATION, padding)
    w = _windows(_pad(x, pads, _lowest(x.dtype)), ksize, out, strides, _NO_DILATION)
    k = len(ksize)
    flat = np.moveaxis(w, -1, 1 + k).reshape(x.shape[0], *out, x.shape[-1], -1)
    return flat.argmax(axis=-1), out, pads


def np_max_pool3d(x, ksize, strides, padding):
    ksize = tuple(ksize[1:-1])
    out, pads = _geometry(x.shape, ksize, strides, _NO_DILATION, padding)
    w = _windows(_pad(x, pads, _lowest(x.dtype)), ksize, out, strides, _NO_DILATION)
    return w.max(axis=tuple(range(1 + _SPATIAL, 1 + 2 * _SPATIAL)))


def np_max_pool3d_grad(x, y, dy, ksize, strides, padding):
    """Routes each output gradient to the first maximal input of its window."""
    ksize = tuple(ksize[1:-1])
    arg, out, pads = _window_argmax(x, ksize, strides, padding)
    onehot = np.zeros(arg.shape + (int(np.prod(ksize)),), dy.dtype)
    np.put_along_axis(onehot, arg[..., None], dy[..., None], axis=-1)
    dcols = np.moveaxis(onehot.reshape(arg.shape + ksize), 1 + _SPATIAL, -1)
    return _scatter_windows(dcols, x.shape, ksize, out, pads, strides, _NO_DILATION)


def np_max_pool3d_grad_grad(x, y, g, ksize, strides, padding):
    """`g` at the first maximal input of each window: the pool's routing applied forwards."""
    ksize = tuple(ksize[1:-1])
    arg, out, pads = _window_argmax(x, ksize, strides, padding)
    gw = _windows(_pad(g, pads), ksize, out, strides, _NO_DILATION)
    gw = np.moveaxis(gw, -1, 1 + _SPATIAL).reshape(arg.shape + (-1,))
    return np.take_along_axis(gw, arg[..., None], axis=-1)[..., 0]


def _avg_counts(x_shape, ksize, out, pads, strides, dtype):
    ones = _pad(np.ones((1, *x_shape[1:-1], 1), dtype), pads)
    w = _windows(ones, ksize, out, strides, _NO_DILATION)
    return w.sum(axis=tuple(range(1 + _SPATIAL, 1 + 2 * _SPATIAL)))


def np_avg_pool3d(x, ksize, strides, padding):
    ksize = tuple(ksize[1:-1])
    out, pads = _geometry(x.shape, ksize, strides, _NO_DILATION, padding)
    w = _windows(_pad(x, pads), ksize, out, strides, _NO_DILATION)
    total = w.sum(axis=tuple(range(1 + _SPATIAL, 1 + 2 * _SPATIAL)))
    return (total / _avg_counts(x.shape, ksize, out, pads, strides, x.dtype)).astype(x.dtype)


def np_avg_pool3d_grad(input_shape, dy, ksize, strides, padding):
    ksize = tuple(ksize[1:-1])
    out, pads = _geometry(input_shape, ksize, strides, _NO_DILATION, padding)
    g = dy / _avg_counts(input_shape, ksize, out, pads, strides, dy.dtype)
    dcols = np.broadcast_to(
        g.reshape(g.shape[:-1] + (1,) * _SPATIAL + g.shape[-1:]), g.shape[:-1] + ksize + g.shape[-1:]
    )
    return _scatter_windows(dcols, tuple(input_shape), ksize, out, pads, strides, _NO_DILATION).astype(
        dy.dtype
    )


# --- op definitions ----------------------------------------------------------------------------------


def _attrs(op, *names):
    return conv_ops._attrs(op, *names)


_LAYOUTS = conv_ops.LAYOUTS_3D


def _spatial(shape, ksize, strides, dilations, padding):
    return [
        conv_ops._spatial_out(shape[i + 1], ksize[i], strides[i + 1], dilations[i + 1], padding)
        for i in range(_SPATIAL)
    ]


def _channels_last(op, shape=None, values=None):
    """The input's dims (or a 5-value attr) in NDHWC order, whatever the op's layout."""
    return conv_ops._nhwc_dims(op, shape, values, _LAYOUTS)


def _conv3d_infer(op):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    x = _channels_last(op, op.inputs[0].shape)
    strides, dilations = _channels_last(op, values=strides), _channels_last(op, values=dilations)
    f = conv_ops._dims(op.inputs[1].shape, 5)
    if x[-1] is not None and f[3] is not None and x[-1] != f[3]:
        raise op_util.shape_error(
            op, f"Depth of input ({x[-1]}) is not a multiple of input depth of filter ({f[3]})"
        )
    out = [x[0], *_spatial(x, f[:3], strides, dilations, padding), f[4]]
    return [(op.inputs[0].dtype.base_dtype, TensorShape(conv_ops._from_nhwc(op, out, _LAYOUTS)))]


def _pool3d_infer(op):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    x = _channels_last(op, op.inputs[0].shape)
    ksize, strides = _channels_last(op, values=ksize), _channels_last(op, values=strides)
    out = [x[0], *_spatial(x, ksize[1:-1], strides, _NO_DILATION, padding), x[-1]]
    return [(op.inputs[0].dtype.base_dtype, TensorShape(conv_ops._from_nhwc(op, out, _LAYOUTS)))]


def _sizes(value):
    return tuple(int(d) for d in np.asarray(value).reshape(-1))


def _compile_conv(kind):
    def compile_(op, runtime):  # NDHWC: an NCDHW op gets conv_ops' refusing kernel
        strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
        if kind == "forward":
            return lambda x, f: np_conv3d(x, f, strides, padding, dilations)
        if kind == "input":
            return lambda s, f, dy: np_conv3d_backprop_input(_sizes(s), f, dy, strides, padding, dilations)
        return lambda x, s, dy: np_conv3d_backprop_filter(x, _sizes(s), dy, strides, padding, dilations)

    return conv_ops._nhwc_kernels_only(compile_, _LAYOUTS)


def _compile_pool(fn):
    def compile_(op, runtime):
        ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
        return lambda *inputs: fn(*inputs, ksize, strides, padding)

    return conv_ops._nhwc_kernels_only(compile_, _LAYOUTS)


def _avg_grad_compile(op, runtime):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    return lambda shape, dy: np_avg_pool3d_grad(_sizes(shape), dy, ksize, strides, padding)


_CONV_ATTRS = {"dilations": [1] * 5, "data_format": "NDHWC"}
_POOL_ATTRS = {"data_format": "NDHWC"}
_shape_input = conv_ops._shape_from_const_input
registry.register_op(
    "Conv3D",
    infer=_conv3d_infer,
    compile=_compile_conv("forward"),
    fresh=True,
    attrs=_CONV_ATTRS,
    inputs=("input: T", "filter: T"),
    allowed={"T": _FLOATS},
)
registry.register_op(
    "Conv3DBackpropInputV2",
    compile=_compile_conv("input"),
    fresh=True,
    attrs={**_CONV_ATTRS, "Tshape": "int32"},
    infer=lambda op: [(op.inputs[1].dtype.base_dtype, _shape_input(op, 0, 5))],
    inputs=("input_sizes: Tshape", "filter: T", "out_backprop: T"),
    allowed={"T": _FLOATS, "Tshape": groups.INDEX_TYPES},
)
registry.register_op(
    "Conv3DBackpropFilterV2",
    compile=_compile_conv("filter"),
    fresh=True,
    attrs=_CONV_ATTRS,
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, _shape_input(op, 1, 5))],
    inputs=("input: T", "filter_sizes", "out_backprop: T"),
    allowed={"T": _FLOATS},
)
registry.register_op(
    "MaxPool3D",
    infer=_pool3d_infer,
    compile=_compile_pool(np_max_pool3d),
    fresh=True,
    attrs=_POOL_ATTRS,
    inputs=("input: T",),
    allowed={"T": ("float16", "bfloat16", "float32")},
)
registry.register_op(
    "AvgPool3D",
    infer=_pool3d_infer,
    compile=_compile_pool(np_avg_pool3d),
    fresh=True,
    attrs=_POOL_ATTRS,
    inputs=("input: T",),
    allowed={"T": _FLOATS},
)
registry.register_op(
    "MaxPool3DGrad",
    compile=_compile_pool(np_max_pool3d_grad),
    fresh=True,
    attrs=_POOL_ATTRS,
    infer=lambda op: [(op.inputs[2].dtype.base_dtype, op.inputs[0].shape)],
    inputs=("orig_input: TInput", "orig_output: TInput", "grad: T"),
    allowed={"T": ("float16", "bfloat16", "float32"), "TInput": ("float16", "bfloat16", "float32")},
)
registry.register_op(
    "MaxPool3DGradGrad",
    compile=_compile_pool(np_max_pool3d_grad_grad),
    fresh=True,
    attrs=_POOL_ATTRS,
    infer=lambda op: [(op.inputs[1].dtype.base_dtype, op.inputs[1].shape)],
    inputs=("orig_input: T", "orig_output: T", "grad: T"),
    allowed={"T": groups.REAL_NUMBER_TYPES},
)
registry.register_op(
    "AvgPool3DGrad",
    compile=conv_ops._nhwc_kernels_only(_avg_grad_compile, _LAYOUTS),
    fresh=True,
    attrs=_POOL_ATTRS,
    infer=lambda op: [(op.inputs[1].dtype.base_dtype, _shape_input(op, 0, 5))],
    inputs=("orig_input_shape", "grad: T"),
    allowed={"T": _FLOATS},
)


# --- wrappers ----------------------------------------------------------------------------------------


def _list5(value, name, data_format="NDHWC"):
    """An int, or 1, 3 or 5 ints, as the 5 values of an attr in `data_format`'s order (TF's
    _get_sequence)."""
    value = [int(v) for v in ([value] if isinstance(value, int) else value)]
    if len(value) in (1, 3):
        spatial = value * 3 if len(value) == 1 else value
        return [1, 1, *spatial] if conv_ops._text(data_format).startswith("NC") else [1, *spatial, 1]
    if len(value) != 5:
        raise ValueError(f"{name} should be of length 1, 3 or 5. Received: {name}={value} of length "
                         f"{len(value)}")
    return value


def _conv_attrs(strides, padding, dilations, data_format, dtype):
    return {
        "T": dtype,
        "strides": _list5(strides, "strides", data_format),
        "padding": conv_ops._padding(padding),
        "dilations": _list5(dilations, "dilations", data_format),
        "data_format": conv_ops._text(data_format),
    }


def conv3d(
    input,  # noqa: A002
    filter=None,  # noqa: A002
    strides=None,
    padding=None,
    data_format="NDHWC",
    dilations=(1, 1, 1, 1, 1),
    name=None,
    filters=None,
):
    """``tf.nn.conv3d``: NDHWC (or NCDHW) input, (depth, height, width, in, out) filter.  As TF on CPU, an
    NCDHW convolution builds (with its shape) but raises TF's InvalidArgumentError when it runs."""
    filter = filters if filter is None else filter  # noqa: A001
    for attr, value in (("strides", strides), ("dilations", dilations)):  # TF's v1 conv3d: the op's attrs
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"Expected list for '{attr}' argument to 'conv3d' Op, not {value}.")
        if len(value) < 5:
            raise ValueError(f"Attr '{attr}' of 'Conv3D' Op passed list of length {len(value)} less than "
                             "minimum 5.")
    with ops.name_scope(name, "Conv3D", [input, filter]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        f = ops.convert_to_tensor(filter, name="filter")
        attrs = _conv_attrs(strides, padding, dilations, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("Conv3D", [x, f], name=scope, attrs=attrs)


def _conv3d_backprop_input(
    sizes, f, dy, strides, padding, dilations, data_format, name="Conv3DBackpropInputV2"
):
    attrs = {
        **_conv_attrs(strides, padding, dilations, data_format, f.dtype.base_dtype),
        "Tshape": sizes.dtype,
    }
    return op_util.make_tensor("Conv3DBackpropInputV2", [sizes, f, dy], name=name, attrs=attrs)


def conv3d_backprop_input(
    input_sizes,
    filter,  # noqa: A002
    out_backprop,
    strides,
    padding,
    dilations=(1, 1, 1, 1, 1),
    data_format="NDHWC",
    name=None,
):
    """The gradient of conv3d with respect to its input (one Conv3DBackpropInputV2 op)."""
    with ops.name_scope(name, "Conv3DBackpropInputV2", [input_sizes, filter, out_backprop]) as scope:
        sizes = ops.convert_to_tensor(input_sizes, name="input_sizes")
        f = ops.convert_to_tensor(filter, name="filter")
        dy = ops.convert_to_tensor(out_backprop, name="out_backprop")
        return _conv3d_backprop_input(sizes, f, dy, strides, padding, dilations, data_format, name=scope)


def conv3d_transpose(
    value,
    filter=None,  # noqa: A002
    output_shape=None,
    strides=None,
    padding="SAME",
    data_format="NDHWC",
    name=None,
    input=None,  # noqa: A002
    filters=None,
    dilations=None,
):
    """``tf.nn.conv3d_transpose``: a Conv3DBackpropInputV2 of `output_shape`; `filter` is
    (depth, height, width, output_channels, in_channels)."""
    value = input if value is None else value
    filter = filters if filter is None else filter  # noqa: A001
    with ops.name_scope(name, "conv3d_transpose", [value, filter, output_shape]) as scope:
        return conv3d_backprop_input(
            output_shape,
            filter,
            value,
            strides,
            padding,
            dilations=(1, 1, 1, 1, 1) if dilations is None else dilations,
            data_format=data_format,
            name=scope,
        )


def _conv3d_backprop_filter(x, sizes, dy, strides, padding, dilations, data_format):
    attrs = _conv_attrs(strides, padding, dilations, data_format, x.dtype.base_dtype)
    return op_util.make_tensor(
        "Conv3DBackpropFilterV2", [x, sizes, dy], name="Conv3DBackpropFilterV2", attrs=attrs
    )


def _pool3d(op_type, input, ksize, strides, padding, data_format, name):  # noqa: A002
    with ops.name_scope(name, op_type, [input]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        attrs = {
            "T": x.dtype.base_dtype,
            "ksize": _list5(ksize, "ksize", data_format),
            "strides": _list5(strides, "strides", data_format),
            "padding": conv_ops._padding(padding),
            "data_format": conv_ops._text(data_format),
        }
        return op_util.make_tensor(op_type, [x], name=scope, attrs=attrs)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """``tf.nn.max_pool3d``."""
    return _pool3d("MaxPool3D", input, ksize, strides, padding, data_format, name)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """``tf.nn.avg_pool3d``: the mean over each window's real (unpadded) inputs."""
    return _pool3d("AvgPool3D", input, ksize, strides, padding, data_format, name)


def _pool_grad_op(op_type, inputs, attrs_from):
    attrs = {k: attrs_from.get_attr(k) for k in ("ksize", "strides", "padding", "data_format")}
    attrs["T"] = inputs[-1].dtype.base_dtype
    if op_type == "MaxPool3DGrad":
        attrs["TInput"] = inputs[0].dtype.base_dtype
    return op_util.make_tensor(op_type, inputs, name=op_type, attrs=attrs)


# --- gradients ---------------------------------------------------------------------------------------


def _conv_grad_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "dilations", "data_format")}


@register_gradient("Conv3D")
def _conv3d_grad(op, grad):
    x, f = op.inputs
    a = _conv_grad_attrs(op)
    x_shape, f_shape = array_ops.shape_n([x, f])  # one op reading both shapes, as TF's gradient
    return [
        _conv3d_backprop_input(x_shape, f, grad, **a),
        _conv3d_backprop_filter(x, f_shape, grad, **a),
    ]


@register_gradient("Conv3DBackpropInputV2")
def _conv3d_backprop_input_grad(op, grad):
    _, f, dy = op.inputs
    a = _conv_grad_attrs(op)
    return [None, _conv3d_backprop_filter(grad, grad_util.shape(f), dy, **a), conv3d(grad, f, **a)]


@register_gradient("Conv3DBackpropFilterV2")
def _conv3d_backprop_filter_grad(op, grad):
    x, _, dy = op.inputs
    a = _conv_grad_attrs(op)
    return [_conv3d_backprop_input(grad_util.shape(x), grad, dy, **a), None, conv3d(x, grad, **a)]


@register_gradient("MaxPool3D")
def _max_pool3d_grad(op, grad):
    return [_pool_grad_op("MaxPool3DGrad", [op.inputs[0], op.outputs[0], grad], op)]


@register_gradient("AvgPool3D")
def _avg_pool3d_grad(op, grad):
    return [_pool_grad_op("AvgPool3DGrad", [grad_util.shape(op.inputs[0]), grad], op)]


@register_gradient("MaxPool3DGrad")
def _max_pool3d_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [
        array_ops.zeros_like(x),
        array_ops.zeros_like(y),
        _pool_grad_op("MaxPool3DGradGrad", [x, y, grad], op),
    ]


@register_gradient("MaxPool3DGradGrad")
def _max_pool3d_grad_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [
        array_ops.zeros_like(x),
        array_ops.zeros_like(y),
        _pool_grad_op("MaxPool3DGrad", [x, y, grad], op),
    ]


@register_gradient("AvgPool3DGrad")
def _avg_pool3d_grad_grad(op, grad):
    return [
        None,
        _pool3d(
            "AvgPool3D",
            grad,
            op.get_attr("ksize"),
            op.get_attr("strides"),
            op.get_attr("padding"),
            op.get_attr("data_format"),
            None,
        ),
    ]
