"""Convolution and pooling: ``tf.nn.conv2d``, ``max_pool``, ``avg_pool`` and their backprop ops.

NHWC only, like TensorFlow on CPU.  The kernels are im2col onto BLAS: a strided *view* of the padded
input gives every patch ([N, OH, OW, KH, KW, C], no copy), one matrix product does the work, and the
input gradient is scattered back with one vectorised add per kernel tap (KH*KW Python iterations,
never one per pixel).  Output sizes and SAME padding follow TensorFlow: ``out = ceil(in / stride)``,
padding split with the smaller half first.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from engine.framework import dtype_groups as groups
from engine.framework import ops, registry, tensor_util
from engine.framework.registry import register_gradient
from engine.framework.tensor_shape import TensorShape
from engine.ops import array_ops, grad_util, op_util

# --- numpy kernels -----------------------------------------------------------------------------------


def out_size_and_pad(in_size, k, stride, dilation, padding):
    """TensorFlow's output size and (before, after) padding for one spatial dimension."""
    eff_k = (k - 1) * dilation + 1
    if padding == "VALID":
        out = (in_size - eff_k + stride) // stride
        return max(out, 0), 0, 0
    out = -(-in_size // stride)
    total = max((out - 1) * stride + eff_k - in_size, 0)
    return out, total // 2, total - total // 2


def _geometry(x_shape, kh, kw, strides, dilations, padding):
    _, h, w, _ = x_shape
    oh, pt, pb = out_size_and_pad(h, kh, strides[1], dilations[1], padding)
    ow, pl, pr = out_size_and_pad(w, kw, strides[2], dilations[2], padding)
    return oh, ow, (pt, pb), (pl, pr)


def _patches(xp, kh, kw, oh, ow, strides, dilations):
    """View of shape [N, OH, OW, KH, KW, C] into the padded input (no copy)."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    return as_strided(
        xp,
        shape=(n, oh, ow, kh, kw, c),
        strides=(sn, sh * strides[1], sw * strides[2], sh * dilations[1], sw * dilations[2], sc),
        writeable=False,
    )


def _pad(x, ph, pw, value=0):
    if ph == (0, 0) and pw == (0, 0):
        return x
    return np.pad(x, ((0, 0), ph, pw, (0, 0)), constant_values=value)


def np_conv2d(x, f, strides, padding, dilations=(1, 1, 1, 1)):
    kh, kw, ci, co = f.shape
    oh, ow, ph, pw = _geometry(x.shape, kh, kw, strides, dilations, padding)
    cols = _patches(_pad(x, ph, pw), kh, kw, oh, ow, strides, dilations)
    cols = cols.reshape(-1, kh * kw * ci)
    return (cols @ f.reshape(-1, co)).reshape(x.shape[0], oh, ow, co)


def np_conv2d_backprop_filter(x, filter_shape, dy, strides, padding, dilations=(1, 1, 1, 1)):
    kh, kw, ci, co = filter_shape
    oh, ow, ph, pw = _geometry(x.shape, kh, kw, strides, dilations, padding)
    cols = _patches(_pad(x, ph, pw), kh, kw, oh, ow, strides, dilations).reshape(-1, kh * kw * ci)
    return (cols.T @ dy.reshape(-1, co)).reshape(filter_shape)


def _col2im(dcols, x_shape, kh, kw, oh, ow, ph, pw, strides, dilations):
    """Scatter-add [N, OH, OW, KH, KW, C] patch gradients back onto the input (one BLAS-free
    vector add per kernel tap)."""
    n, h, w, c = x_shape
    dxp = np.zeros((n, h + ph[0] + ph[1], w + pw[0] + pw[1], c), dcols.dtype)
    sh, sw = strides[1], strides[2]
    dh, dw = dilations[1], dilations[2]
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dh, j * dw
            dxp[:, r0:r0 + sh * (oh - 1) + 1:sh, c0:c0 + sw * (ow - 1) + 1:sw, :] += dcols[:, :, :, i, j, :]
    return dxp[:, ph[0]:ph[0] + h, pw[0]:pw[0] + w, :]


def np_conv2d_backprop_input(input_shape, f, dy, strides, padding, dilations=(1, 1, 1, 1)):
    kh, kw, ci, co = f.shape
    oh, ow, ph, pw = _geometry(input_shape, kh, kw, strides, dilations, padding)
    dcols = (dy.reshape(-1, co) @ f.reshape(-1, co).T).reshape(dy.shape[0], oh, ow, kh, kw, ci)
    return _col2im(dcols, input_shape, kh, kw, oh, ow, ph, pw, strides, dilations)


def np_max_pool(x, ksize, strides, padding):
    kh, kw = ksize[1], ksize[2]
    oh, ow, ph, pw = _geometry(x.shape, kh, kw, strides, (1, 1, 1, 1), padding)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    p = _patches(_pad(x, ph, pw, fill), kh, kw, oh, ow, strides, (1, 1, 1, 1))
    return p.max(axis=(3, 4))


def np_max_pool_grad(x, y, dy, ksize, strides, padding):
    """Routes each output gradient to the first maximal input of its window."""
    kh, kw = ksize[1], ksize[2]
    n, h, w, c = x.shape
    oh, ow, ph, pw = _geometry(x.shape, kh, kw, strides, (1, 1, 1, 1), padding)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    p = _patches(_pad(x, ph, pw, fill), kh, kw, oh, ow, strides, (1, 1, 1, 1))
    p = p.transpose(0, 1, 2, 5, 3, 4).reshape(n, oh, ow, c, kh * kw)
    arg = p.argmax(axis=-1)
    onehot = np.zeros((n, oh, ow, c, kh * kw), dy.dtype)
    np.put_along_axis(onehot, arg[..., None], dy[..., None], axis=-1)
    dcols = onehot.reshape(n, oh, ow, c, kh, kw).transpose(0, 1, 2, 4, 5, 3)
    return _col2im(dcols, x.shape, kh, kw, oh, ow, ph, pw, strides, (1, 1, 1, 1))


def np_max_pool_grad_grad(x, y, g, ksize, strides, padding):
    """Picks, for each output of the pool, the input gradient `g` at the first maximal input of its
    window: the pooling's routing applied forwards (TF's MaxPoolGradGrad)."""
    kh, kw = ksize[1], ksize[2]
    n, h, w, c = x.shape
    oh, ow, ph, pw = _geometry(x.shape, kh, kw, strides, (1, 1, 1, 1), padding)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    windows = _patches(_pad(x, ph, pw, fill), kh, kw, oh, ow, strides, (1, 1, 1, 1))
    arg = windows.transpose(0, 1, 2, 5, 3, 4).reshape(n, oh, ow, c, kh * kw).argmax(axis=-1)
    g_windows = _patches(_pad(g, ph, pw), kh, kw, oh, ow, strides, (1, 1, 1, 1))
    g_windows = g_windows.transpose(0, 1, 2, 5, 3, 4).reshape(n, oh, ow, c, kh * kw)
    return np.take_along_axis(g_windows, arg[..., None], axis=-1)[..., 0]


def _avg_counts(x_shape, kh, kw, oh, ow, ph, pw, strides, dtype):
    """Number of real (unpadded) inputs in each window, shape [1, OH, OW, 1]."""
    _, h, w, _ = x_shape
    ones = _pad(np.ones((1, h, w, 1), dtype), ph, pw)
    return _patches(ones, kh, kw, oh, ow, strides, (1, 1, 1, 1)).sum(axis=(3, 4))


def np_avg_pool(x, ksize, strides, padding):
    kh, kw = ksize[1], ksize[2]
    oh, ow, ph, pw = _geometry(x.shape, kh, kw, strides, (1, 1, 1, 1), padding)
    p = _patches(_pad(x, ph, pw), kh, kw, oh, ow, strides, (1, 1, 1, 1))
    counts = _avg_counts(x.shape, kh, kw, oh, ow, ph, pw, strides, x.dtype)
    return (p.sum(axis=(3, 4)) / counts).astype(x.dtype)


def np_avg_pool_grad(input_shape, dy, ksize, strides, padding):
    kh, kw = ksize[1], ksize[2]
    oh, ow, ph, pw = _geometry(input_shape, kh, kw, strides, (1, 1, 1, 1), padding)
    g = dy / _avg_counts(input_shape, kh, kw, oh, ow, ph, pw, strides, dy.dtype)
    dcols = np.broadcast_to(g[:, :, :, None, None, :], g.shape[:3] + (kh, kw, g.shape[3]))
    return _col2im(dcols, tuple(input_shape), kh, kw, oh, ow, ph, pw, strides, (1, 1, 1, 1))


# --- op definitions ----------------------------------------------------------------------------------


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _attrs(op, *names):
    return [_text(op.get_attr(n)) if n in ("padding", "data_format") else op.get_attr(n) for n in names]


def _check_nhwc(op):
    if _text(op.get_attr("data_format")) != "NHWC":
        raise ValueError(f"The {op.type} op currently only supports the NHWC tensor format on the CPU")


def _spatial_out(in_dim, k, stride, dilation, padding):
    if in_dim is None or k is None:
        return None
    return out_size_and_pad(in_dim, k, stride, dilation, padding)[0]


def _dims(shape, rank):
    if shape.ndims is None:
        return [None] * rank
    if shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.ndims}")
    return shape.as_list()


def _conv_infer(op):
    _check_nhwc(op)
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    n, h, w, c = _dims(op.inputs[0].shape, 4)
    kh, kw, ci, co = _dims(op.inputs[1].shape, 4)
    if c is not None and ci is not None and c != ci:
        message = f"Depth of input ({c}) is not a multiple of input depth of filter ({ci})"
        raise op_util.shape_error(op, message)
    shape = [n, _spatial_out(h, kh, strides[1], dilations[1], padding),
             _spatial_out(w, kw, strides[2], dilations[2], padding), co]
    return [(op.inputs[0].dtype.base_dtype, TensorShape(shape))]


def _conv_compile(op, runtime):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    return lambda x, f: np_conv2d(x, f, strides, padding, dilations)


def _shape_from_const_input(op, index, rank):
    """Static value of a shape-valued input (known when it is a Const or a Shape of a known shape)."""
    shape = tensor_util.constant_value_as_shape(op.inputs[index])
    return shape if shape.ndims is not None else TensorShape([None] * rank)


def _conv_input_grad_infer(op):
    return [(op.inputs[1].dtype.base_dtype, _shape_from_const_input(op, 0, 4))]


def _conv_input_grad_compile(op, runtime):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    def kernel(shape, f, dy):
        return np_conv2d_backprop_input(tuple(int(d) for d in shape), f, dy, strides, padding, dilations)

    return kernel


def _conv_filter_grad_infer(op):
    return [(op.inputs[0].dtype.base_dtype, _shape_from_const_input(op, 1, 4))]


def _conv_filter_grad_compile(op, runtime):
    strides, padding, dilations = _attrs(op, "strides", "padding", "dilations")
    def kernel(x, shape, dy):
        return np_conv2d_backprop_filter(x, tuple(int(d) for d in shape), dy, strides, padding, dilations)

    return kernel


_CONV_ATTRS = {"use_cudnn_on_gpu": True, "data_format": "NHWC", "dilations": [1, 1, 1, 1],
               "explicit_paddings": []}
registry.register_op("Conv2D", infer=_conv_infer, compile=_conv_compile, attrs=_CONV_ATTRS,
                     inputs=("input: T", "filter: T"),
                     allowed={"T": groups.CONV_TYPES})
registry.register_op("Conv2DBackpropInput", infer=_conv_input_grad_infer, compile=_conv_input_grad_compile,
                     attrs=_CONV_ATTRS,
                     inputs=("input_sizes", "filter: T", "out_backprop: T"),
                     allowed={"T": groups.CONV_TYPES})
registry.register_op("Conv2DBackpropFilter", infer=_conv_filter_grad_infer, compile=_conv_filter_grad_compile,
                     attrs=_CONV_ATTRS,
                     inputs=("input: T", "filter_sizes", "out_backprop: T"),
                     allowed={"T": groups.FLOATING_POINT})


def _pool_infer(op):
    _check_nhwc(op)
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    n, h, w, c = _dims(op.inputs[0].shape, 4)
    shape = [n, _spatial_out(h, ksize[1], strides[1], 1, padding),
             _spatial_out(w, ksize[2], strides[2], 1, padding), c]
    return [(op.inputs[0].dtype.base_dtype, TensorShape(shape))]


def _pool_compile(fn):
    def compile_(op, runtime):
        ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
        return lambda x: fn(x, ksize, strides, padding)

    return compile_


def _max_pool_grad_compile(op, runtime):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    return lambda x, y, dy: np_max_pool_grad(x, y, dy, ksize, strides, padding)


def _max_pool_grad_grad_compile(op, runtime):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    return lambda x, y, g: np_max_pool_grad_grad(x, y, g, ksize, strides, padding)


def _avg_pool_grad_compile(op, runtime):
    ksize, strides, padding = _attrs(op, "ksize", "strides", "padding")
    return lambda shape, dy: np_avg_pool_grad(tuple(int(d) for d in shape), dy, ksize, strides, padding)


_POOL_ATTRS = {"data_format": "NHWC"}
registry.register_op("MaxPool", infer=_pool_infer, compile=_pool_compile(np_max_pool), attrs=_POOL_ATTRS,
                     inputs=("input: T",),
                     allowed={"T": groups.MAX_POOL_TYPES})
registry.register_op("AvgPool", infer=_pool_infer, compile=_pool_compile(np_avg_pool), attrs=_POOL_ATTRS,
                     inputs=("value: T",),
                     allowed={"T": groups.FLOATING_POINT})
registry.register_op("MaxPoolGrad", infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
                     compile=_max_pool_grad_compile, attrs=_POOL_ATTRS,
                     inputs=("orig_input: T", "orig_output: T", "grad: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES})
registry.register_op("MaxPoolGradGrad",
                     infer=lambda op: [(op.inputs[1].dtype.base_dtype, op.inputs[1].shape)],
                     compile=_max_pool_grad_grad_compile, attrs=_POOL_ATTRS,
                     inputs=("orig_input: T", "orig_output: T", "grad: T"),
                     allowed={"T": groups.REAL_NUMBER_TYPES})
registry.register_op("AvgPoolGrad",
                     infer=lambda op: [(op.inputs[1].dtype.base_dtype, _shape_from_const_input(op, 0, 4))],
                     compile=_avg_pool_grad_compile, attrs=_POOL_ATTRS,
                     inputs=("orig_input_shape", "grad: T"),
                     allowed={"T": groups.FLOATING_POINT})


# --- Python wrappers (tf.nn.*) -----------------------------------------------------------------------


def _list4(value, name):
    if isinstance(value, int):
        return [1, value, value, 1]
    value = [int(v) for v in value]
    if len(value) == 1:
        return [1, value[0], value[0], 1]
    if len(value) == 2:
        return [1, value[0], value[1], 1]
    if len(value) != 4:
        raise ValueError(f"{name} should be of length 1, 2 or 4 but was {len(value)}")
    return value


def _padding(padding):
    padding = _text(padding)
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"padding must be one of 'SAME' or 'VALID', got {padding!r}")
    return padding.upper()


def _tensor(value, name):
    return ops.convert_to_tensor(value, name=name)


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
           dilations=(1, 1, 1, 1), name=None, filters=None):
    """``tf.nn.conv2d``: NHWC input, HWIO filter."""
    if filter is None:
        filter = filters
    with ops.name_scope(name, "Conv2D", [input, filter]) as scope:
        x = _tensor(input, "input")
        f = _tensor(filter, "filter")
        attrs = {"T": x.dtype.base_dtype, "strides": _list4(strides, "strides"), "padding": _padding(padding),
                 "dilations": _list4(dilations, "dilations"), "data_format": _text(data_format),
                 "use_cudnn_on_gpu": bool(use_cudnn_on_gpu), "explicit_paddings": []}
        return op_util.make_tensor("Conv2D", [x, f], name=scope, attrs=attrs)


def _conv_backprop_attrs(strides, padding, dilations, data_format, dtype):
    return {"T": dtype, "strides": _list4(strides, "strides"), "padding": _padding(padding),
            "dilations": _list4(dilations, "dilations"), "data_format": _text(data_format),
            "use_cudnn_on_gpu": True, "explicit_paddings": []}


def conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding, dilations=(1, 1, 1, 1),
                          data_format="NHWC", name=None):
    """``tf.nn.conv2d_backprop_input``: the gradient of conv2d with respect to its input."""
    with ops.name_scope(name, "Conv2DBackpropInput", [input_sizes, filter, out_backprop]) as scope:
        sizes = _tensor(input_sizes, "input_sizes")
        f = _tensor(filter, "filter")
        dy = _tensor(out_backprop, "out_backprop")
        attrs = _conv_backprop_attrs(strides, padding, dilations, data_format, f.dtype.base_dtype)
        return op_util.make_tensor("Conv2DBackpropInput", [sizes, f, dy], name=scope, attrs=attrs)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, dilations=(1, 1, 1, 1),
                           data_format="NHWC", name=None):
    """``tf.nn.conv2d_backprop_filter``: the gradient of conv2d with respect to its filter."""
    with ops.name_scope(name, "Conv2DBackpropFilter", [input, filter_sizes, out_backprop]) as scope:
        x = _tensor(input, "input")
        sizes = _tensor(filter_sizes, "filter_sizes")
        dy = _tensor(out_backprop, "out_backprop")
        attrs = _conv_backprop_attrs(strides, padding, dilations, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("Conv2DBackpropFilter", [x, sizes, dy], name=scope, attrs=attrs)


def _pool_attrs(ksize, strides, padding, data_format, dtype):
    return {"T": dtype, "ksize": _list4(ksize, "ksize"), "strides": _list4(strides, "strides"),
            "padding": _padding(padding), "data_format": _text(data_format)}


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """``tf.nn.max_pool``."""
    value = input if value is None else value
    with ops.name_scope(name, "MaxPool", [value]) as scope:
        x = _tensor(value, "input")
        attrs = _pool_attrs(ksize, strides, padding, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("MaxPool", [x], name=scope, attrs=attrs)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """``tf.nn.avg_pool``."""
    value = input if value is None else value
    with ops.name_scope(name, "AvgPool", [value]) as scope:
        x = _tensor(value, "value")
        attrs = _pool_attrs(ksize, strides, padding, data_format, x.dtype.base_dtype)
        return op_util.make_tensor("AvgPool", [x], name=scope, attrs=attrs)


def max_pool_grad_op(orig_input, orig_output, grad, ksize, strides, padding, data_format="NHWC", name=None):
    """TensorFlow's ``MaxPoolGrad`` (what the MaxPool gradient adds)."""
    attrs = _pool_attrs(ksize, strides, padding, data_format, grad.dtype.base_dtype)
    return op_util.make_tensor("MaxPoolGrad", [orig_input, orig_output, grad], name=name or "MaxPoolGrad",
                               attrs=attrs)


def max_pool_grad_grad_op(orig_input, orig_output, grad, ksize, strides, padding, data_format="NHWC",
                          name=None):
    """TensorFlow's ``MaxPoolGradGrad`` (what the MaxPoolGrad gradient adds)."""
    attrs = _pool_attrs(ksize, strides, padding, data_format, grad.dtype.base_dtype)
    return op_util.make_tensor("MaxPoolGradGrad", [orig_input, orig_output, grad],
                               name=name or "MaxPoolGradGrad", attrs=attrs)


def avg_pool_grad_op(orig_input_shape, grad, ksize, strides, padding, data_format="NHWC", name=None):
    """TensorFlow's ``AvgPoolGrad`` (what the AvgPool gradient adds)."""
    attrs = _pool_attrs(ksize, strides, padding, data_format, grad.dtype.base_dtype)
    return op_util.make_tensor("AvgPoolGrad", [orig_input_shape, grad], name=name or "AvgPoolGrad",
                               attrs=attrs)


# --- gradients -------------------------------------------------------------------------------------


def _conv_attrs(op):
    return {k: op.get_attr(k) for k in ("strides", "padding", "dilations", "data_format")}


@register_gradient("Conv2D")
def _conv2d_grad(op, grad):
    x, f = op.inputs
    attrs = _conv_attrs(op)
    return [conv2d_backprop_input(grad_util.shape(x), f, grad, **attrs),
            conv2d_backprop_filter(x, grad_util.shape(f), grad, **attrs)]


@register_gradient("MaxPool")
def _max_pool_grad(op, grad):
    return [max_pool_grad_op(op.inputs[0], op.outputs[0], grad, *_attrs(op, "ksize", "strides", "padding"))]


@register_gradient("AvgPool")
def _avg_pool_grad(op, grad):
    return [avg_pool_grad_op(grad_util.shape(op.inputs[0]), grad, *_attrs(op, "ksize", "strides", "padding"))]


# Second derivatives, as TensorFlow's nn_grad.py has them: each backprop op is linear in its gradient
# input (and Conv2D's backprops also in the filter or input), so its gradient is the forward op or the
# other backprop op again.


@register_gradient("Conv2DBackpropInput")
def _conv2d_backprop_input_grad(op, grad):
    _, f, dy = op.inputs
    attrs = _conv_attrs(op)
    return [None,
            conv2d_backprop_filter(grad, grad_util.shape(f), dy, **attrs),
            conv2d(grad, f, **attrs)]


@register_gradient("Conv2DBackpropFilter")
def _conv2d_backprop_filter_grad(op, grad):
    x, _, dy = op.inputs
    attrs = _conv_attrs(op)
    return [conv2d_backprop_input(grad_util.shape(x), grad, dy, **attrs),
            None,
            conv2d(x, grad, **attrs)]


@register_gradient("MaxPoolGrad")
def _max_pool_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            max_pool_grad_grad_op(x, y, grad, *_attrs(op, "ksize", "strides", "padding"))]


@register_gradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op, grad):
    x, y, _ = op.inputs
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            max_pool_grad_op(x, y, grad, *_attrs(op, "ksize", "strides", "padding"))]


@register_gradient("AvgPoolGrad")
def _avg_pool_grad_grad(op, grad):
    # TF returns stop_gradient(orig_input_shape) for the shape input; a shape has no gradient.
    return [None, avg_pool(grad, *_attrs(op, "ksize", "strides", "padding"))]
