"""Crops resized to a common size: CropAndResize (``tf.image.crop_and_resize``) with the two ops its gradient
builds, CropAndResizeGradImage and CropAndResizeGradBoxes (TF gives those no gradient). Kernels follow TF's
kernels/image/crop_and_resize_op.cc sampling (boxes in normalised [y1, x1, y2, x2], bilinear or nearest,
`extrapolation_value` outside the image), in float32."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops
from engine.ops.op_util import dims, make_tensor, shape

_IMAGE_TYPES = ("uint8", "uint16", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _positions(lo, hi, size, crop):
    """Where each crop row (or column) samples the image, in pixels, for one box edge pair."""
    if crop > 1:
        return lo * (size - 1) + np.arange(crop, dtype=np.float32) * ((hi - lo) * (size - 1) / (crop - 1))
    return np.full(crop, 0.5 * (lo + hi) * (size - 1), np.float32)


def _samples(boxes, box_ind, batch, image_h, image_w, crop_h, crop_w):
    """Per box: (image index, row positions, column positions), after TF's check of box_ind."""
    bad = np.flatnonzero((box_ind < 0) | (box_ind >= batch))
    if bad.size:
        raise errors.InvalidArgumentError(None, None, "box_index has values outside [0, batch_size)")
    for b, (y1, x1, y2, x2) in enumerate(boxes.astype(np.float32)):
        yield b, int(box_ind[b]), _positions(y1, y2, image_h, crop_h), _positions(x1, x2, image_w, crop_w)


def _lerp_terms(pos, size):
    """(inside, lower index, upper index, fraction) of sample positions along one axis."""
    inside = (pos >= 0) & (pos <= size - 1)
    safe = np.clip(pos, 0, size - 1)
    lower = np.floor(safe).astype(np.int64)
    return inside, lower, np.ceil(safe).astype(np.int64), (safe - lower).astype(np.float32)


def _nearest(pos, size):
    """std::round (halves away from zero) of positions clipped into the image."""
    return np.floor(np.clip(pos, 0, size - 1) + np.float32(0.5)).astype(np.int64)


def _compile_crop_and_resize(op, runtime):
    method = _text(op.get_attr("method"))
    extrapolation = np.float32(op.get_attr("extrapolation_value"))

    def kernel(image, boxes, box_ind, crop_size):
        image = np.asarray(image).astype(np.float32)
        boxes, box_ind = np.asarray(boxes), np.asarray(box_ind)
        crop_h, crop_w = (int(v) for v in np.asarray(crop_size))
        batch, image_h, image_w, depth = image.shape
        out = np.full((len(boxes), crop_h, crop_w, depth), extrapolation, np.float32)
        for b, src, ys, xs in _samples(boxes, box_ind, batch, image_h, image_w, crop_h, crop_w):
            y_in, top, bottom, y_lerp = _lerp_terms(ys, image_h)
            x_in, left, right, x_lerp = _lerp_terms(xs, image_w)
            img = image[src]
            if method == "nearest":
                crop = img[_nearest(ys, image_h)][:, _nearest(xs, image_w)]
            else:
                xl = x_lerp[None, :, None]
                top_row = img[top][:, left] + (img[top][:, right] - img[top][:, left]) * xl
                bottom_row = img[bottom][:, left] + (img[bottom][:, right] - img[bottom][:, left]) * xl
                crop = top_row + (bottom_row - top_row) * y_lerp[:, None, None]
            mask = (y_in[:, None] & x_in[None, :])[:, :, None]
            out[b] = np.where(mask, crop, extrapolation)
        return out

    return kernel


def _infer_crop_and_resize(op):
    image, boxes = op.inputs[:2]
    d, bd = dims(image), dims(boxes)
    size = tensor_util.constant_value(op.inputs[3])
    crop = (None, None) if size is None else tuple(int(v) for v in np.reshape(size, -1))
    depth = None if d is None else d[3]
    num_boxes = None if bd is None else bd[0]
    return [(dtypes.float32, shape((num_boxes,) + crop + (depth,)))]


registry.register_op(
    "CropAndResize",
    infer=_infer_crop_and_resize,
    compile=_compile_crop_and_resize,
    fresh=True,
    attrs={"method": "bilinear", "extrapolation_value": 0.0},
    inputs=("image: T", "boxes", "box_ind", "crop_size"),
    allowed={"T": _IMAGE_TYPES},
)


def crop_and_resize(
    image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0, name=None, box_indices=None
):
    """``tf.image.crop_and_resize``: for each box ([y1, x1, y2, x2] in [0, 1] of image ``box_ind[i]``), the
    crop resampled to `crop_size` (bilinear or nearest); float32."""
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"method must be 'bilinear' or 'nearest', got {method!r}")
    box_ind = box_indices if box_ind is None else box_ind
    image = ops.convert_to_tensor(image, name="image")
    boxes = ops.convert_to_tensor(boxes, dtype=dtypes.float32, name="boxes")
    box_ind = ops.convert_to_tensor(box_ind, dtype=dtypes.int32, name="box_ind")
    crop_size = ops.convert_to_tensor(crop_size, dtype=dtypes.int32, name="crop_size")
    return make_tensor(
        "CropAndResize",
        [image, boxes, box_ind, crop_size],
        name=name or "CropAndResize",
        attrs={
            "T": image.dtype.base_dtype,
            "method": method,
            "extrapolation_value": float(extrapolation_value),
        },
    )


def _compile_grad_image(op, runtime):
    method = _text(op.get_attr("method"))
    out_type = dtypes.as_dtype(op.get_attr("T")).as_numpy_dtype

    def kernel(grads, boxes, box_ind, image_size):
        grads = np.asarray(grads, np.float32)
        batch, image_h, image_w, depth = (int(v) for v in np.asarray(image_size))
        _, crop_h, crop_w, _ = grads.shape
        out = np.zeros((batch, image_h, image_w, depth), np.float32)
        for b, src, ys, xs in _samples(
            np.asarray(boxes), np.asarray(box_ind), batch, image_h, image_w, crop_h, crop_w
        ):
            y_in, top, bottom, y_lerp = _lerp_terms(ys, image_h)
            x_in, left, right, x_lerp = _lerp_terms(xs, image_w)
            g = np.where((y_in[:, None] & x_in[None, :])[:, :, None], grads[b], 0)
            if method == "nearest":
                np.add.at(out[src], (_nearest(ys, image_h)[:, None], _nearest(xs, image_w)[None, :]), g)
                continue
            for r_idx, r_w in ((top, 1 - y_lerp), (bottom, y_lerp)):
                for c_idx, c_w in ((left, 1 - x_lerp), (right, x_lerp)):
                    np.add.at(
                        out[src],
                        (r_idx[:, None], c_idx[None, :]),
                        g * (r_w[:, None] * c_w[None, :])[..., None],
                    )
        return out.astype(out_type)

    return kernel


def _edge_grads(position_grads, size, crop):
    """The gradients of a box's two edges along one axis from those of its sample positions (TF's)."""
    if crop == 1:
        total = position_grads.sum() * 0.5 * (size - 1)
        return total, total
    offsets = np.arange(crop, dtype=np.float32) * ((size - 1) / (crop - 1))
    return (position_grads * (size - 1 - offsets)).sum(), (position_grads * offsets).sum()


def _compile_grad_boxes(op, runtime):
    def kernel(grads, image, boxes, box_ind):
        grads, image = np.asarray(grads, np.float32), np.asarray(image).astype(np.float32)
        boxes = np.asarray(boxes)
        batch, image_h, image_w, _ = image.shape
        _, crop_h, crop_w, _ = grads.shape
        out = np.zeros((len(boxes), 4), np.float32)
        for b, src, ys, xs in _samples(boxes, np.asarray(box_ind), batch, image_h, image_w, crop_h, crop_w):
            y_in, top, bottom, y_lerp = _lerp_terms(ys, image_h)
            x_in, left, right, x_lerp = _lerp_terms(xs, image_w)
            img = image[src]
            tl, tr = img[top][:, left], img[top][:, right]
            bl, br = img[bottom][:, left], img[bottom][:, right]
            xl, yl = x_lerp[None, :, None], y_lerp[:, None, None]
            grad_y = (1 - xl) * (bl - tl) + xl * (br - tr)
            grad_x = (1 - yl) * (tr - tl) + yl * (br - bl)
            g = np.where((y_in[:, None] & x_in[None, :])[:, :, None], grads[b], 0)
            dy, dx = (g * grad_y).sum(axis=(1, 2)), (g * grad_x).sum(axis=(0, 2))
            out[b, 0], out[b, 2] = _edge_grads(dy, image_h, crop_h)
            out[b, 1], out[b, 3] = _edge_grads(dx, image_w, crop_w)
        return out

    return kernel


def _infer_grad_image(op):
    size = tensor_util.constant_value(op.inputs[3])
    out = _ts.unknown_shape(4) if size is None else shape(tuple(int(v) for v in np.reshape(size, -1)))
    return [(dtypes.as_dtype(op.get_attr("T")), out)]


registry.register_op(
    "CropAndResizeGradImage",
    infer=_infer_grad_image,
    compile=_compile_grad_image,
    fresh=True,
    attrs={"method": "bilinear"},
)
registry.register_op(
    "CropAndResizeGradBoxes",
    infer=lambda op: [(dtypes.float32, shape((dims(op.inputs[2]) or (None,))[:1] + (4,)))],
    compile=_compile_grad_boxes,
    fresh=True,
    attrs={"method": "bilinear"},
    inputs=("grads", "image: T", "boxes", "box_ind"),
    allowed={"T": _IMAGE_TYPES},
)


@register_gradient("CropAndResize")
def _crop_and_resize_grad(op, grad):
    """The image's gradient (float images only, as TF) and the boxes' (TF's _CropAndResizeGrad)."""
    image, boxes, box_ind, _ = op.inputs
    d = dims(image)
    if d is not None and None not in d:
        image_shape = ops.convert_to_tensor(np.array(d, np.int32))
    else:
        image_shape = array_ops.shape_v1(image)
    grad_image = None
    if image.dtype.base_dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
        grad_image = make_tensor(
            "CropAndResizeGradImage",
            [grad, boxes, box_ind, image_shape],
            name=None,
            attrs={"T": image.dtype.base_dtype, "method": op.get_attr("method")},
        )
    grad_boxes = make_tensor(
        "CropAndResizeGradBoxes",
        [grad, image, boxes, box_ind],
        name=None,
        attrs={"T": image.dtype.base_dtype, "method": op.get_attr("method")},
    )
    return [grad_image, grad_boxes, None, None]
