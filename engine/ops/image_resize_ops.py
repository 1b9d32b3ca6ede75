"""Image resizing: ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea and the gradient ops of
the first three (ResizeBilinearGrad, ResizeNearestNeighborGrad, ResizeBicubicGrad). Kernels follow TF's
kernels/image/resize_*_op.cc sampling rules (``align_corners``, ``half_pixel_centers``, the Keys cubic table)
in float32, so values are TF's. Wrappers ``tf.image.resize_*`` (and ``resize_images``) are in
engine/ops/image_ops.py."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops import array_ops
from engine.ops.op_util import dims, make_tensor, shape, shape_error

_RESIZE_TYPES = (
    "int8",
    "uint8",
    "int16",
    "uint16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
    "bfloat16",
)
_CUBIC_TABLE_SIZE = 1024


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _scale(in_size, out_size, align_corners):
    """TF's CalculateResizeScale, in float32."""
    if align_corners and out_size > 1:
        return np.float32((in_size - 1) / (out_size - 1))
    return np.float32(in_size / out_size)


def _sample_points(out_size, scale, half_pixel, nearest=False):
    """Where each output pixel samples the input: i * scale, or (i + 0.5) * scale (- 0.5 but for nearest)."""
    i = np.arange(out_size, dtype=np.float32)
    if not half_pixel:
        return i * scale
    centred = (i + np.float32(0.5)) * scale
    return centred if nearest else centred - np.float32(0.5)


def _bilinear_weights(in_size, out_size, align_corners, half_pixel):
    """(lower, upper, lerp) per output index (TF's compute_interpolation_weights)."""
    pos = _sample_points(out_size, _scale(in_size, out_size, align_corners), half_pixel)
    floor = np.floor(pos)
    lower = np.maximum(floor.astype(np.int64), 0)
    upper = np.minimum(np.ceil(pos).astype(np.int64), in_size - 1)
    return lower, upper, (pos - floor).astype(np.float32)


def _nearest_index(in_size, out_size, align_corners, half_pixel):
    pos = _sample_points(out_size, _scale(in_size, out_size, align_corners), half_pixel, nearest=True)
    # roundf (halves away from zero) with align_corners, else floorf
    index = np.sign(pos) * np.floor(np.abs(pos) + np.float32(0.5)) if align_corners else np.floor(pos)
    index = np.minimum(index.astype(np.int64), in_size - 1)
    return np.maximum(index, 0) if half_pixel else index


def _cubic_table(a):
    x = np.arange(_CUBIC_TABLE_SIZE + 1, dtype=np.float64) / _CUBIC_TABLE_SIZE
    near = (((a + 2) * x - (a + 3)) * x * x + 1).astype(np.float32)
    x = x + 1.0
    far = (((a * x - 5 * a) * x + 8 * a) * x - 4 * a).astype(np.float32)
    return near, far


_TABLES = {a: _cubic_table(a) for a in (-0.75, -0.5)}


def _bicubic_weights(in_size, out_size, align_corners, half_pixel):
    """(indices [out, 4], weights [out, 4]) per output index (TF's GetWeightsAndIndices; with
    half_pixel_centers the Keys kernel, a = -0.5, drops taps outside the image and renormalises)."""
    near, far = _TABLES[-0.5 if half_pixel else -0.75]
    pos = _sample_points(out_size, _scale(in_size, out_size, align_corners), half_pixel)
    in_loc = np.floor(pos).astype(np.int64)
    offset = np.rint((pos - in_loc) * _CUBIC_TABLE_SIZE).astype(np.int64)
    taps = in_loc[:, None] + np.arange(-1, 3)[None, :]
    weights = np.stack(
        [far[offset], near[offset], near[_CUBIC_TABLE_SIZE - offset], far[_CUBIC_TABLE_SIZE - offset]], axis=1
    )
    index = np.clip(taps, 0, in_size - 1)
    if half_pixel:
        weights = np.where(index == taps, weights, np.float32(0))
        total = weights.sum(axis=1, keepdims=True, dtype=np.float32)
        ok = np.abs(total) >= 1000.0 * np.finfo(np.float32).tiny
        weights = np.where(ok, weights * (np.float32(1) / np.where(ok, total, 1)), weights)
    return index, weights.astype(np.float32)


def _area_spans(in_size, out_size, align_corners):
    """For each output index: the input cells it covers and each cell's covered fraction (TF's ResizeArea)."""
    scale = _scale(in_size, out_size, align_corners)
    spans = []
    for i in range(out_size):
        lo, hi = np.float32(i * scale), np.float32((i + 1) * scale)
        start, end = int(np.floor(lo)), int(np.ceil(hi))
        cells, fractions = [], []
        for v in range(start, end):
            if v < lo:
                frac = scale if v + 1 > hi else v + 1 - lo
            else:
                frac = hi - v if v + 1 > hi else 1.0
            cells.append(min(v, in_size - 1))
            fractions.append(np.float32(frac))
        spans.append((np.array(cells, np.int64), np.array(fractions, np.float32)))
    return spans, scale


def _check_images(images, size):
    images, size = np.asarray(images), np.asarray(size)
    if images.ndim != 4:
        raise _invalid(f"input must be 4-dimensional{_shape_text(images.shape)}")
    if size.shape != (2,):
        raise _invalid(f"shape_t must be 1-dimensional and have 2 elements{_shape_text(size.shape)}")
    out_h, out_w = int(size[0]), int(size[1])
    if out_h <= 0 or out_w <= 0:
        raise _invalid("output dimensions must be positive")
    return images, out_h, out_w


def _shape_text(s):
    return "[" + ",".join(str(d) for d in s) + "]"


def _compile_resize(op, runtime):
    align = bool(op.get_attr("align_corners"))
    half = bool(op.get_attr("half_pixel_centers")) if op.type != "ResizeArea" else False
    if align and half:
        raise _invalid("If half_pixel_centers is True, align_corners must be False.")

    def kernel(images, size):
        images, out_h, out_w = _check_images(images, size)
        _, in_h, in_w, _ = images.shape
        if op.type == "ResizeNearestNeighbor":
            ys = _nearest_index(in_h, out_h, align, half)
            xs = _nearest_index(in_w, out_w, align, half)
            return images[:, ys][:, :, xs]
        x = images.astype(np.float32)
        if op.type == "ResizeBilinear":
            y0, y1, ly = _bilinear_weights(in_h, out_h, align, half)
            x0, x1, lx = _bilinear_weights(in_w, out_w, align, half)
            lx = lx[None, None, :, None]
            top = x[:, y0][:, :, x0] + (x[:, y0][:, :, x1] - x[:, y0][:, :, x0]) * lx
            bottom = x[:, y1][:, :, x0] + (x[:, y1][:, :, x1] - x[:, y1][:, :, x0]) * lx
            return top + (bottom - top) * ly[None, :, None, None]
        if op.type == "ResizeBicubic":
            yi, yw = _bicubic_weights(in_h, out_h, align, half)
            xi, xw = _bicubic_weights(in_w, out_w, align, half)
            rows = np.einsum("bhwkc,wk->bhwc", x[:, :, xi], xw, dtype=np.float32)  # along x first, as TF
            return np.einsum("bhkwc,hk->bhwc", rows[:, yi], yw, dtype=np.float32)
        return _area(x, out_h, out_w, align)

    return kernel


def _area(x, out_h, out_w, align):
    in_h, in_w = x.shape[1:3]
    y_spans, y_scale = _area_spans(in_h, out_h, align)
    x_spans, x_scale = _area_spans(in_w, out_w, align)
    norm = np.float32(1.0 / (y_scale * x_scale))
    out = np.empty((x.shape[0], out_h, out_w, x.shape[3]), np.float32)
    for i, (ycells, yfrac) in enumerate(y_spans):
        rows = np.einsum("bhwc,h->bwc", x[:, ycells], yfrac, dtype=np.float32)
        for j, (xcells, xfrac) in enumerate(x_spans):
            out[:, i, j] = np.einsum("bwc,w->bc", rows[:, xcells], xfrac, dtype=np.float32) * norm
    return out


def _infer_resize(op):
    images, size = op.inputs
    d = dims(images)
    if d is not None and len(d) != 4:
        raise shape_error(op, f"Shape must be rank 4 but is rank {len(d)}")
    sd = dims(size)
    if sd is not None and (len(sd) != 1 or sd[0] not in (None, 2)):
        raise shape_error(
            op,
            "Shape must be rank 1 but is rank " + str(len(sd))
            if len(sd) != 1
            else f"Dimension must be 2 but is {sd[0]}",
        )
    value = tensor_util.constant_value(size)
    out_hw = (None, None) if value is None else tuple(int(v) for v in np.reshape(value, -1))
    out_dtype = images.dtype.base_dtype if op.type == "ResizeNearestNeighbor" else dtypes.float32
    if d is None:
        return [(out_dtype, shape((None,) + out_hw + (None,)))]
    return [(out_dtype, shape((d[0],) + out_hw + (d[3],)))]


for _op_type in ("ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea"):
    _attrs = (
        {"align_corners": False}
        if _op_type == "ResizeArea"
        else {"align_corners": False, "half_pixel_centers": False}
    )
    registry.register_op(
        _op_type,
        infer=_infer_resize,
        compile=_compile_resize,
        attrs=_attrs,
        inputs=("images: T", "size"),
        allowed={"T": _RESIZE_TYPES},
    )


def resize(op_type, images, size, align_corners=False, half_pixel_centers=False, name=None):
    """One Resize* op on a 4-D batch (what ``tf.image.resize_*`` build)."""
    images = ops.convert_to_tensor(images, name="images")
    size = ops.convert_to_tensor(size, dtype=dtypes.int32, name="size")
    attrs = {"T": images.dtype.base_dtype, "align_corners": bool(align_corners)}
    if op_type != "ResizeArea":
        attrs["half_pixel_centers"] = bool(half_pixel_centers)
    return make_tensor(op_type, [images, size], name=name or op_type, attrs=attrs)


# --- gradients: the forward weights, scattered back -----------------------------------------------------


def _compile_resize_grad(op, runtime):
    align, half = bool(op.get_attr("align_corners")), bool(op.get_attr("half_pixel_centers"))

    def kernel(grads, original):
        grads = np.asarray(grads)
        batch, out_h, out_w, channels = grads.shape
        if op.type == "ResizeNearestNeighborGrad":  # `original` is the input's [height, width]
            in_h, in_w = (int(v) for v in np.asarray(original))
            ys = _nearest_index(in_h, out_h, align, half)
            xs = _nearest_index(in_w, out_w, align, half)
            out = np.zeros((batch, in_h, in_w, channels), grads.dtype)
            np.add.at(out, (slice(None), ys[:, None], xs[None, :]), grads)
            return out
        grads = grads.astype(np.float32)
        original = np.asarray(original)
        in_h, in_w = original.shape[1:3]
        out = np.zeros((batch, in_h, in_w, channels), np.float32)
        if op.type == "ResizeBilinearGrad":
            y0, y1, ly = _bilinear_weights(in_h, out_h, align, half)
            x0, x1, lx = _bilinear_weights(in_w, out_w, align, half)
            ys, yw = np.stack([y0, y1], 1), np.stack([1 - ly, ly], 1)
            xs, xw = np.stack([x0, x1], 1), np.stack([1 - lx, lx], 1)
        else:
            ys, yw = _bicubic_weights(in_h, out_h, align, half)
            xs, xw = _bicubic_weights(in_w, out_w, align, half)
        for a in range(ys.shape[1]):
            for b in range(xs.shape[1]):
                weight = (yw[:, a][:, None] * xw[:, b][None, :])[None, :, :, None]
                np.add.at(out, (slice(None), ys[:, a][:, None], xs[:, b][None, :]), grads * weight)
        return out.astype(original.dtype)

    return kernel


def _infer_resize_grad(op):
    grads, original = op.inputs
    gd = dims(grads)
    if op.type == "ResizeNearestNeighborGrad":
        value = tensor_util.constant_value(original)
        hw = (None, None) if value is None else tuple(int(v) for v in np.reshape(value, -1))
        if gd is None:
            return [(grads.dtype.base_dtype, _ts.unknown_shape())]
        return [(grads.dtype.base_dtype, shape((gd[0],) + hw + (gd[3],)))]
    return [(original.dtype.base_dtype, original.shape)]


for _op_type, _inputs, _allowed in (
    ("ResizeBilinearGrad", ("grads", "original_image: T"), ("float32", "bfloat16", "float16", "float64")),
    ("ResizeBicubicGrad", ("grads", "original_image: T"), ("float32", "float64")),
    ("ResizeNearestNeighborGrad", ("grads: T", "size"),
     ("uint8", "int8", "int32", "float16", "float32", "float64", "bfloat16")),
):
    registry.register_op(_op_type, infer=_infer_resize_grad, compile=_compile_resize_grad,
                         attrs={"align_corners": False, "half_pixel_centers": False}, inputs=_inputs,
                         allowed={"T": _allowed})
register_not_differentiable("ResizeBilinearGrad")


def _grad_attrs(op, t):
    return {
        "T": t,
        "align_corners": op.get_attr("align_corners"),
        "half_pixel_centers": op.get_attr("half_pixel_centers"),
    }


def _weighted_resize_grad(op, grad):
    """ResizeBilinearGrad / ResizeBicubicGrad of the gradient (bicubic: float images only, as TF)."""
    images = op.inputs[0]
    if op.type == "ResizeBicubic" and images.dtype.base_dtype not in (dtypes.float32, dtypes.float64):
        return [None, None]
    attrs = _grad_attrs(op, images.dtype.base_dtype)
    return [make_tensor(op.type + "Grad", [grad, images], name=None, attrs=attrs), None]


register_gradient("ResizeBilinear")(_weighted_resize_grad)
register_gradient("ResizeBicubic")(_weighted_resize_grad)


@register_gradient("ResizeNearestNeighbor")
def _resize_nearest_grad(op, grad):
    images = op.inputs[0]
    d = dims(images)
    if d is not None and None not in d[1:3]:
        size = ops.convert_to_tensor(np.array(d[1:3], np.int32))
    else:
        size = array_ops.shape_v1(images)[1:3]
    return [
        make_tensor(
            "ResizeNearestNeighborGrad", [grad, size], name=None, attrs=_grad_attrs(op, grad.dtype.base_dtype)
        ),
        None,
    ]
