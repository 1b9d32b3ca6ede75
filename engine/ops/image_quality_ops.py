"""How alike two images are: ``tf.image.psnr`` and ``tf.image.ssim`` (the structural similarity, with TF's
11x11 Gaussian window), built from other ops as TF's python/ops/image_ops_impl.py builds them."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.ops import array_ops, math_ops, nn_ops
from engine.ops.constant_op import constant
from engine.ops.depthwise_conv_ops import depthwise_conv2d
from engine.ops.image_ops import convert_image_dtype


def psnr(a, b, max_val, name=None):
    """``tf.image.psnr``: 10 log10(max_val^2 / mse) over the last three dimensions, in float32."""
    with ops.name_scope(name, "PSNR", [a, b]):
        a = ops.convert_to_tensor(a, name="a")
        b = ops.convert_to_tensor(b, name="b")
        max_val = array_ops.cast(max_val, a.dtype.base_dtype)
        max_val = convert_image_dtype(max_val, dtypes.float32)
        a = convert_image_dtype(a, dtypes.float32)
        b = convert_image_dtype(b, dtypes.float32)
        mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
        log10 = np.float32(np.log(10.0))
        psnr_val = math_ops.subtract(
            20 * math_ops.log(max_val) / log10, np.float32(10 / np.log(10)) * math_ops.log(mse), name="psnr"
        )
        return psnr_val


def _gaussian_window(size, sigma, dtype):
    """The size x size Gaussian window (normalised by a softmax of the exponents, as TF's _fspecial_gauss)."""
    coords = array_ops.cast(math_ops.range(size), dtype)
    coords -= constant((size - 1) / 2.0, dtype=dtype)
    g = math_ops.square(coords) * constant(-0.5 / sigma**2, dtype=dtype)
    g = array_ops.reshape(g, [1, -1]) + array_ops.reshape(g, [-1, 1])
    g = nn_ops.softmax(array_ops.reshape(g, [1, -1]))
    return array_ops.reshape(g, [size, size, 1, 1])


def _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2):
    """(SSIM, contrast-structure) per image and channel: local statistics under the Gaussian window."""
    channels = _channels(img1)
    kernel = array_ops.tile(
        _gaussian_window(filter_size, filter_sigma, img1.dtype.base_dtype), [1, 1, channels, 1]
    )

    def reducer(x):
        shape = array_ops.shape_v1(x)
        x = array_ops.reshape(x, array_ops.concat([[-1], shape[-3:]], 0))
        y = depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")
        return array_ops.reshape(y, array_ops.concat([shape[:-3], array_ops.shape_v1(y)[1:]], 0))

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mean0, mean1 = reducer(img1), reducer(img2)
    num0 = mean0 * mean1 * 2.0
    den0 = math_ops.square(mean0) + math_ops.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(img1 * img2) * 2.0
    den1 = reducer(math_ops.square(img1) + math_ops.square(img2))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return math_ops.reduce_mean(luminance * cs, [-3, -2]), math_ops.reduce_mean(cs, [-3, -2])


def _channels(t):
    """The static number of channels, which the tiled window needs."""
    d = t.shape.as_list() if t.shape.ndims is not None else None
    if d is None or d[-1] is None:
        raise ValueError("ssim needs the images' static number of channels")
    return d[-1]


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03):
    """``tf.image.ssim``: the structural similarity of each pair of images (mean over channels), with an
    11x11 Gaussian window of sigma 1.5 by default; images smaller than the window are refused by the
    convolution."""
    with ops.name_scope(None, "SSIM", [img1, img2]):
        img1 = ops.convert_to_tensor(img1, name="img1")
        img2 = ops.convert_to_tensor(img2, name="img2")
        max_val = convert_image_dtype(array_ops.cast(max_val, img1.dtype.base_dtype), dtypes.float32)
        img1 = convert_image_dtype(img1, dtypes.float32)
        img2 = convert_image_dtype(img2, dtypes.float32)
        per_channel, _ = _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2)
        return math_ops.reduce_mean(per_channel, [-1])
