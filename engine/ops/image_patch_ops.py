"""Patches of images: ExtractImagePatches (``tf.image.extract_image_patches`` / ``extract_patches``), with
TF's gradient (each patch entry's gradient summed back to the pixel it came from): kernel, shape rule,
registration, wrapper and gradient."""

from __future__ import annotations

import math

import numpy as np

from engine.framework import dtypes, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.array_ops import unsorted_segment_sum
from engine.ops.op_util import dims, make_tensor, shape, shape_error

_PATCH_TYPES = (
    "bfloat16",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "complex64",
    "complex128",
    "bool",
)


def _window(in_size, k, stride, rate, padding):
    """(output size, padding before) of one spatial dimension, as TF's GetWindowedOutputSize."""
    k_eff = k + (k - 1) * (rate - 1)
    if padding == "VALID":
        return max(math.ceil((in_size - k_eff + 1) / stride), 0), 0
    out = math.ceil(in_size / stride)
    return out, max((out - 1) * stride + k_eff - in_size, 0) // 2


def _compile_patches(op, runtime):
    _, kh, kw, _ = op.get_attr("ksizes")
    _, sh, sw, _ = op.get_attr("strides")
    _, rh, rw, _ = op.get_attr("rates")
    padding = op.get_attr("padding")
    padding = padding.decode() if isinstance(padding, bytes) else padding

    def kernel(images):
        x = np.asarray(images)
        batch, h, w, c = x.shape
        oh, top = _window(h, kh, sh, rh, padding)
        ow, left = _window(w, kw, sw, rw, padding)
        out = np.zeros((batch, oh, ow, kh, kw, c), x.dtype)
        for i in range(kh):
            for j in range(kw):
                rows = np.arange(oh) * sh + i * rh - top
                cols = np.arange(ow) * sw + j * rw - left
                ok_r, ok_c = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
                taken = x[:, np.clip(rows, 0, h - 1)][:, :, np.clip(cols, 0, w - 1)]
                mask = (ok_r[:, None] & ok_c[None, :])[None, :, :, None]
                out[:, :, :, i, j] = np.where(mask, taken, np.zeros((), x.dtype))  # padding reads zeros
        return out.reshape(batch, oh, ow, kh * kw * c)

    return kernel


def _infer_patches(op):
    x = op.inputs[0]
    d = dims(x)
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(4))]
    if len(d) != 4:
        raise shape_error(op, f"Shape must be rank 4 but is rank {len(d)}")
    _, kh, kw, _ = op.get_attr("ksizes")
    _, sh, sw, _ = op.get_attr("strides")
    _, rh, rw, _ = op.get_attr("rates")
    padding = op.get_attr("padding")
    padding = padding.decode() if isinstance(padding, bytes) else padding
    oh = None if d[1] is None else _window(d[1], kh, sh, rh, padding)[0]
    ow = None if d[2] is None else _window(d[2], kw, sw, rw, padding)[0]
    depth = None if d[3] is None else kh * kw * d[3]
    return [(x.dtype.base_dtype, shape((d[0], oh, ow, depth)))]


registry.register_op(
    "ExtractImagePatches",
    infer=_infer_patches,
    compile=_compile_patches,
    fresh=True,
    inputs=("images: T",),
    allowed={"T": _PATCH_TYPES},
)


def _check_four(name, values):
    values = [int(v) for v in values]
    if len(values) != 4 or values[0] != 1 or values[3] != 1:
        raise ValueError(f"{name} must be a list of 4 ints [1, ..., ..., 1], got {values}")
    return values


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None, name=None, sizes=None):
    """``tf.image.extract_image_patches``: the `ksizes` windows of each image (every `strides` step, pixels
    `rates` apart), each flattened into the depth dimension."""
    ksizes = sizes if ksizes is None else ksizes
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    images = ops.convert_to_tensor(images, name="images")
    return make_tensor(
        "ExtractImagePatches",
        [images],
        name=name or "ExtractImagePatches",
        attrs={
            "T": images.dtype.base_dtype,
            "ksizes": _check_four("ksizes", ksizes),
            "strides": _check_four("strides", strides),
            "rates": _check_four("rates", rates),
            "padding": padding,
        },
    )


@register_gradient("ExtractImagePatches")
def _extract_image_patches_grad(op, grad):
    """Patches of an image of pixel numbers (0 for padding) name where each patch entry came from; the
    gradient entries are summed per pixel (TF's _ExtractImagePatchesGrad, with UnsortedSegmentSum where TF
    multiplies by a sparse matrix)."""
    images = op.inputs[0]
    image_shape = array_ops.shape_v1(images)
    batch, rows, cols, channels = array_ops.unstack(image_shape)
    pixels = rows * cols
    numbers = array_ops.reshape(math_ops.range(1, pixels + 1), array_ops.stack([1, rows, cols, 1]))
    attrs = {k: op.get_attr(k) for k in ("ksizes", "strides", "rates", "padding")}
    sources = make_tensor("ExtractImagePatches", [numbers], name=None, attrs={"T": dtypes.int32, **attrs})
    sources = array_ops.reshape(sources, [-1])
    entries = array_ops.transpose(array_ops.reshape(grad, array_ops.stack([batch, -1, channels])), [1, 0, 2])
    summed = unsorted_segment_sum(entries, sources, pixels + 1)[1:]
    per_pixel = array_ops.reshape(summed, array_ops.stack([rows, cols, batch, channels]))
    return [array_ops.transpose(per_pixel, [2, 0, 1, 3])]
