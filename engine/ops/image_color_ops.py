"""Colour adjustments of RGB images: RGBToHSV (with TF's gradient), HSVToRGB, AdjustContrastv2,
AdjustSaturation, AdjustHue (TF gives the last three no gradient): kernels after TF's
kernels/image/colorspace_op.h and adjust_*_op.cc, shape rules, registrations and the ``tf.image`` wrappers."""

from __future__ import annotations

import numpy as np

from engine import gradients as gradients_module
from engine.framework import dtypes, ops, registry
from engine.framework.registry import register_gradient, register_not_differentiable
from engine.ops import array_ops, math_ops, random_ops
from engine.ops.image_ops import _float_image, convert_image_dtype
from engine.ops.op_util import dims, make_tensor, shape_error

_HSV_TYPES = ("float16", "bfloat16", "float32", "float64")
_ADJUST_TYPES = ("float16", "float32")


def _infer_rgb(op):
    x = op.inputs[0]
    d = dims(x)
    if d is not None and (not d or d[-1] not in (None, 3)):
        raise shape_error(
            op, f"Dimension must be 3 but is {d[-1]}" if d else "Shape must be at least rank 1 but is rank 0"
        )
    return [(x.dtype.base_dtype, x.shape)]


def _rgb_to_hsv(rgb):
    """TF's RGBToHSV in the images' dtype: hue in [0, 1), 0 where the pixel is gray."""
    one = rgb.dtype.type(1)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    value = rgb.max(axis=-1)
    chroma = value - rgb.min(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturation = np.where(value > 0, chroma / value, 0).astype(rgb.dtype)
        norm = (one / chroma) * (one / rgb.dtype.type(6))
        hue = np.where(
            r == value,
            norm * (g - b),
            np.where(
                g == value, norm * (b - r) + rgb.dtype.type(2 / 6), norm * (r - g) + rgb.dtype.type(4 / 6)
            ),
        )
    hue = np.where(chroma > 0, hue, 0)
    hue = np.where(hue < 0, hue + one, hue)
    return np.stack([hue, saturation, value], axis=-1).astype(rgb.dtype)


def _hsv_to_rgb(hsv):
    """TF's HSVToRGB: piecewise-linear channel ramps of 6 * hue."""
    t = hsv.dtype.type
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    dh = h * t(6)
    dr = np.clip(np.abs(dh - t(3)) - t(1), 0, 1)
    dg = np.clip(-np.abs(dh - t(2)) + t(2), 0, 1)
    db = np.clip(-np.abs(dh - t(4)) + t(2), 0, 1)
    one_s = -s + t(1)
    return np.stack([(one_s + s * dr) * v, (one_s + s * dg) * v, (one_s + s * db) * v], axis=-1).astype(
        hsv.dtype
    )


for _op_type, _kernel in (
    ("RGBToHSV", lambda x: _rgb_to_hsv(np.asarray(x))),
    ("HSVToRGB", lambda x: _hsv_to_rgb(np.asarray(x))),
):
    registry.register_op(
        _op_type,
        infer=_infer_rgb,
        kernel=_kernel,
        fresh=True,
        attrs={"T": dtypes.float32},
        inputs=("images: T",),
        allowed={"T": _HSV_TYPES},
    )


def rgb_to_hsv(images, name=None):
    """``tf.image.rgb_to_hsv``: RGB in [0, 1] to hue, saturation, value in [0, 1]."""
    images = ops.convert_to_tensor(images, name="images")
    return make_tensor("RGBToHSV", [images], name=name or "RGBToHSV", attrs={"T": images.dtype.base_dtype})


def hsv_to_rgb(images, name=None):
    """``tf.image.hsv_to_rgb``: hue, saturation, value in [0, 1] to RGB."""
    images = ops.convert_to_tensor(images, name="images")
    return make_tensor("HSVToRGB", [images], name=name or "HSVToRGB", attrs={"T": images.dtype.base_dtype})


def _rgb_to_hsv_from_primitives(rgb):
    """RGBToHSV as elementwise ops, so its derivative is the gradient graph of those ops."""
    r, g, b = array_ops.unstack(rgb, axis=-1)
    value = math_ops.maximum(math_ops.maximum(r, g), b)
    chroma = value - math_ops.minimum(math_ops.minimum(r, g), b)
    zero = array_ops.zeros_like(value)
    safe_chroma = array_ops.where_v2(chroma > 0, chroma, array_ops.ones_like(chroma))
    safe_value = array_ops.where_v2(value > 0, value, array_ops.ones_like(value))
    saturation = array_ops.where_v2(value > 0, chroma / safe_value, zero)
    norm = 1.0 / (6.0 * safe_chroma)
    hue = array_ops.where_v2(
        math_ops.equal(r, value),
        norm * (g - b),
        array_ops.where_v2(math_ops.equal(g, value), norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0),
    )
    hue = array_ops.where_v2(chroma > 0, hue, zero)
    return array_ops.stack([hue, saturation, value], axis=-1)


@register_gradient("RGBToHSV")
def _rgb_to_hsv_grad(op, grad):
    """The derivative of the conversion's formulas (hue's wrap-around adds a constant): TF's _RGBToHSVGrad
    differentiates the same piecewise expressions."""
    x = op.inputs[0]
    return gradients_module.gradients(_rgb_to_hsv_from_primitives(x), [x], grad_ys=[grad])


register_not_differentiable("HSVToRGB")


# --- AdjustContrastv2, AdjustSaturation, AdjustHue ------------------------------------------------------


def _infer_adjust(op):
    x = op.inputs[0]
    d = dims(x)
    if d is not None and len(d) < 3:
        raise shape_error(op, f"Shape must be at least rank 3 but is rank {len(d)}")
    return [(x.dtype.base_dtype, x.shape)]


def _contrast_kernel(images, factor):
    x = np.asarray(images)
    mean = x.astype(np.float32).mean(axis=(-3, -2), keepdims=True)
    return ((x - mean) * np.float32(factor) + mean).astype(x.dtype)


def _saturation_kernel(images, scale):
    x = np.asarray(images)
    hsv = _rgb_to_hsv(x.astype(np.float32))
    hsv[..., 1] = np.clip(hsv[..., 1] * np.float32(scale), 0, 1)
    return _hsv_to_rgb_sectors(hsv).astype(x.dtype)


def _hsv_to_rgb_sectors(hsv):
    """AdjustSaturation's own hsv_to_rgb: chroma and the sector of 6 * hue (TF's adjust_saturation_op.cc)."""
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    c = s * v
    m = v - c
    dh = h * np.float32(6)
    category = dh.astype(np.int64)
    fmodu = np.mod(dh, np.float32(2))
    fmodu = np.where((fmodu <= 0) & (dh <= 0), fmodu + 2, fmodu)
    x = c * (1 - np.abs(fmodu - 1))
    zero = np.zeros_like(c)
    table = {0: (c, x, zero), 1: (x, c, zero), 2: (zero, c, x), 3: (zero, x, c), 4: (x, zero, c),
             5: (c, zero, x)}
    return _pick_by_sector(category, table, (zero, zero, zero)) + m[..., None]


def _pick_by_sector(sector, table, default):
    """Per pixel, the (r, g, b) that `table` gives for its hue sector (`default` for any other)."""
    out = np.stack(default, axis=-1)
    for s_, channels in table.items():
        out = np.where((sector == s_)[..., None], np.stack(channels, axis=-1), out)
    return out


def _hue_kernel(images, delta):
    """TF's adjust_hue_op.cc: hue as a position in six sectors between each pixel's min and max channel."""
    x = np.asarray(images)
    rgb = x.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    v_max, v_min = rgb.max(axis=-1), rgb.min(axis=-1)
    # (category, max, mid, min) per ordering of the channels, as the kernel's branches pick them.
    category = np.select([(r > g) & (g > b), (r > g) & (r > b), r > g, r > b, g > b], [0, 5, 4, 1, 2], 3)
    mid = np.select(
        [category == 0, category == 5, category == 4, category == 1, category == 2], [g, b, r, r, b], g
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (mid - v_min) / (v_max - v_min)
    hue = np.where(category % 2 == 0, category + ratio, category + (1 - ratio))
    hue = np.where(v_max == v_min, 0, hue).astype(np.float32)
    hue = np.mod(hue + np.float32(delta) * 6, np.float32(6))
    hue = np.where(hue >= 6, hue - 6, hue)
    sector = hue.astype(np.int64)
    frac = hue - sector
    frac = np.where(sector % 2 == 0, frac, 1 - frac)
    v_mid = v_min + frac * (v_max - v_min)
    picks = {0: (v_max, v_mid, v_min), 1: (v_mid, v_max, v_min), 2: (v_min, v_max, v_mid),
             3: (v_min, v_mid, v_max), 4: (v_mid, v_min, v_max), 5: (v_max, v_min, v_mid)}
    out = _pick_by_sector(sector, picks, picks[5])
    return out.astype(x.dtype)


for _op_type, _kernel, _second in (
    ("AdjustContrastv2", _contrast_kernel, "contrast_factor"),
    ("AdjustSaturation", _saturation_kernel, "scale"),
    ("AdjustHue", _hue_kernel, "delta"),
):
    registry.register_op(
        _op_type,
        infer=_infer_adjust,
        kernel=_kernel,
        fresh=True,
        attrs={"T": dtypes.float32},
        inputs=("images: T", _second),
        allowed={"T": _ADJUST_TYPES},
    )


def _adjust(op_type, image, factor, name, scope_name, saturate):
    with ops.name_scope(name, scope_name, [image]) as scope:
        flt_image, orig = _float_image(image)
        factor = ops.convert_to_tensor(factor, dtype=dtypes.float32)
        op_name = scope if op_type == "AdjustContrastv2" else op_type
        adjusted = make_tensor(
            op_type, [flt_image, factor], name=op_name, attrs={"T": flt_image.dtype.base_dtype}
        )
        return convert_image_dtype(adjusted, orig, saturate=saturate)


def adjust_contrast(images, contrast_factor):
    """``tf.image.adjust_contrast``: (x - mean) * factor + mean, the mean per image and channel."""
    return _adjust("AdjustContrastv2", images, contrast_factor, None, "adjust_contrast", saturate=True)


def adjust_saturation(image, saturation_factor, name=None):
    """``tf.image.adjust_saturation``: the HSV saturation scaled by the factor (clipped to [0, 1])."""
    return _adjust("AdjustSaturation", image, saturation_factor, name, "adjust_saturation", saturate=False)


def adjust_hue(image, delta, name=None):
    """``tf.image.adjust_hue``: the hue rotated by `delta` (a fraction of the colour wheel)."""
    return _adjust("AdjustHue", image, delta, name, "adjust_hue", saturate=False)


def _random_factor(lower, upper, seed):
    """A factor uniform in [lower, upper), with TF's checks of the bounds."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return random_ops.random_uniform([], lower, upper, seed=seed)


def random_contrast(image, lower, upper, seed=None):
    """``tf.image.random_contrast``: `adjust_contrast` by a factor uniform in [lower, upper)."""
    return adjust_contrast(image, _random_factor(lower, upper, seed))


def random_saturation(image, lower, upper, seed=None):
    """``tf.image.random_saturation``: `adjust_saturation` by a factor uniform in [lower, upper)."""
    return adjust_saturation(image, _random_factor(lower, upper, seed))


def random_hue(image, max_delta, seed=None):
    """``tf.image.random_hue``: `adjust_hue` by a delta uniform in [-max_delta, max_delta)."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, random_ops.random_uniform([], -max_delta, max_delta, seed=seed))


# --- YIQ and YUV: linear maps of the channels (TF's kernels) --------------------------------------------

_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
               [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
               [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def _channel_map(images, kernel):
    """images[..., c] @ kernel: the channel mixing TF writes as a tensordot over the last axis (here a
    MatMul over the pixels, so unknown leading dimensions are fine)."""
    images = ops.convert_to_tensor(images, name="images")
    kernel = ops.convert_to_tensor(np.asarray(kernel), dtype=images.dtype.base_dtype, name="kernel")
    flat = array_ops.reshape(images, [-1, 3])
    return array_ops.reshape(math_ops.matmul(flat, kernel), array_ops.shape_v1(images))


def rgb_to_yiq(images):
    """``tf.image.rgb_to_yiq``: RGB in [0, 1] to YIQ."""
    return _channel_map(images, _RGB_TO_YIQ)


def yiq_to_rgb(images):
    """``tf.image.yiq_to_rgb``: YIQ to RGB."""
    return _channel_map(images, _YIQ_TO_RGB)


def rgb_to_yuv(images):
    """``tf.image.rgb_to_yuv``: RGB in [0, 1] to YUV."""
    return _channel_map(images, _RGB_TO_YUV)


def yuv_to_rgb(images):
    """``tf.image.yuv_to_rgb``: YUV to RGB."""
    return _channel_map(images, _YUV_TO_RGB)
