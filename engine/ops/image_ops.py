"""``tf.image``'s functions built from other ops, as TF's python/ops/image_ops_impl.py builds them: resizing
(over the Resize* ops of image_resize_ops.py), flips, rotations and transposes, crops and pads, dtype
conversion, standardisation, brightness and contrast, grayscale, total variation, image gradients.
The colour-space ops are in image_color_ops.py, PSNR and SSIM in image_quality_ops.py.

Deviation: TF wraps its argument checks in Assert ops (``flip_left_right/control_dependency``); here shapes
known while building are checked then (TF's ValueError texts) and the rest is left to the ops' own errors."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.ops import array_ops, math_ops, random_ops
from engine.ops.cond import cond
from engine.ops.constant_op import constant
from engine.ops.image_resize_ops import resize
from engine.ops.op_util import dims
from engine.ops.reverse_op import reverse


class ResizeMethod:
    """``tf.image.ResizeMethod`` of TF1 (``tf.compat.v1.image.ResizeMethod``)."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_RESIZE_OPS = {
    ResizeMethod.BILINEAR: "ResizeBilinear",
    ResizeMethod.NEAREST_NEIGHBOR: "ResizeNearestNeighbor",
    ResizeMethod.BICUBIC: "ResizeBicubic",
    ResizeMethod.AREA: "ResizeArea",
}


def _image_rank(image, label="image"):
    """The static rank of an image (3-D) or batch (4-D), with TF's texts when it is neither."""
    rank = image.shape.ndims
    if rank is None:
        raise ValueError(f"'{label}' contains no shape.")
    if rank < 3:
        raise ValueError(f"'{label}' (shape {image.shape}) must be at least three-dimensional.")
    if rank > 4:
        raise ValueError(f"'{label}' (shape {image.shape}) must have either 3 or 4 dimensions.")
    return rank


def resize_images(
    images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False, name=None
):
    """``tf.image.resize_images`` (TF1): `images` (3-D or 4-D) resized to `size` = [height, width]; bilinear,
    bicubic and area give float32."""
    with ops.name_scope(name, "resize", [images, size]):
        images = ops.convert_to_tensor(images, name="images")
        is_batch = _image_rank(images, "images") == 4
        if not is_batch:
            images = array_ops.expand_dims(images, 0)
        if method not in _RESIZE_OPS:
            raise ValueError(f"Resize method is not implemented: {method}")
        if preserve_aspect_ratio:
            d = dims(images)
            target = np.asarray(size, np.float64)
            scale = min(target[0] / d[1], target[1] / d[2])
            size = [max(int(round(d[1] * scale)), 1), max(int(round(d[2] * scale)), 1)]
        d = dims(images)
        static = None if isinstance(size, ops.Tensor) else [int(v) for v in size]
        if static is not None and d is not None and list(d[1:3]) == static:
            return images if is_batch else array_ops.squeeze(images, axis=[0])
        resized = resize(_RESIZE_OPS[method], images, size, align_corners=align_corners)
        return resized if is_batch else array_ops.squeeze(resized, axis=[0])


def _resize_fn(op_type):
    def fn(images, size, align_corners=False, name=None, half_pixel_centers=False):
        return resize(op_type, images, size, align_corners, half_pixel_centers, name)

    fn.__name__ = {
        "ResizeBilinear": "resize_bilinear",
        "ResizeNearestNeighbor": "resize_nearest_neighbor",
        "ResizeBicubic": "resize_bicubic",
    }[op_type]
    fn.__doc__ = f"``tf.image.{fn.__name__}``: one {op_type} op on a 4-D batch (TF's sampling, exactly)."
    return fn


resize_bilinear = _resize_fn("ResizeBilinear")
resize_nearest_neighbor = _resize_fn("ResizeNearestNeighbor")
resize_bicubic = _resize_fn("ResizeBicubic")


def resize_area(images, size, align_corners=False, name=None):
    """``tf.image.resize_area``: each output pixel the area-weighted mean of the input pixels it covers."""
    return resize("ResizeArea", images, size, align_corners, name=name)


# --- flips, rotations, transposes -----------------------------------------------------------------------


def _flip(image, axis_3d, scope_name):
    with ops.name_scope(None, scope_name, [image]):
        image = ops.convert_to_tensor(image, name="image")
        rank = _image_rank(image)
        return reverse(image, [axis_3d + (rank - 3)])


def flip_left_right(image):
    """``tf.image.flip_left_right``: each image mirrored horizontally."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """``tf.image.flip_up_down``: each image mirrored vertically."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image, axis_3d, seed, scope_name):
    with ops.name_scope(None, scope_name, [image]):
        image = ops.convert_to_tensor(image, name="image")
        rank = _image_rank(image)
        if rank == 3:
            uniform_random = random_ops.random_uniform([], 0, 1.0, seed=seed)
            mirror_cond = math_ops.less(uniform_random, 0.5)
            return cond(mirror_cond, lambda: reverse(image, [axis_3d]), lambda: image)
        batch_size = array_ops.shape_v1(image)[0]
        uniform_random = random_ops.random_uniform(array_ops.stack([batch_size]), 0, 1.0, seed=seed)
        flips = math_ops.round(array_ops.reshape(uniform_random, array_ops.stack([batch_size, 1, 1, 1])))
        flips = array_ops.cast(flips, image.dtype)
        flipped = reverse(image, [axis_3d + 1])
        return flips * flipped + (1 - flips) * image


def random_flip_left_right(image, seed=None):
    """``tf.image.random_flip_left_right``: each image mirrored horizontally with probability 1/2."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """``tf.image.random_flip_up_down``: each image mirrored vertically with probability 1/2."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def transpose_image(image):
    """``tf.image.transpose_image`` / ``transpose``: height and width swapped."""
    with ops.name_scope(None, "transpose", [image]):
        image = ops.convert_to_tensor(image, name="image")
        perm = [1, 0, 2] if _image_rank(image) == 3 else [0, 2, 1, 3]
        return array_ops.transpose(image, perm)


def rot90(image, k=1, name=None):
    """``tf.image.rot90``: each image rotated counter-clockwise by k quarter turns (k a Python int).
    Deviation: TF also takes a tensor k (a tf.case over the four rotations); here k must be an int."""
    if isinstance(k, ops.Tensor):
        raise ValueError("rot90: k must be a Python int here (a tensor k is not supported)")
    with ops.name_scope(name, "rot90", [image, k]):
        image = ops.convert_to_tensor(image, name="image")
        offset = _image_rank(image) - 3
        h, w = offset, offset + 1
        perm = list(range(offset)) + [w, h, offset + 2]
        k = int(k) % 4
        if k == 0:
            return image
        if k == 1:
            return array_ops.transpose(reverse(image, [w]), perm)
        if k == 2:
            return reverse(image, [h, w])
        return reverse(array_ops.transpose(image, perm), [w])


# --- crops and pads -------------------------------------------------------------------------------------


def _as_batch(image):
    """(4-D image, whether it was 3-D) for the crop/pad functions."""
    image = ops.convert_to_tensor(image, name="image")
    if _image_rank(image) == 3:
        return array_ops.expand_dims(image, 0), True
    return image, False


def _static_hw(image):
    d = dims(image)
    return d[1], d[2]


def _check_nonnegative(**values):
    for label, value in values.items():
        if not isinstance(value, ops.Tensor) and value < 0:
            raise ValueError(f"{label} must be >= 0.")


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """``tf.image.crop_to_bounding_box``: the target_height x target_width window at the given offset."""
    with ops.name_scope(None, "crop_to_bounding_box", [image]):
        image, squeeze = _as_batch(image)
        _check_nonnegative(offset_width=offset_width, offset_height=offset_height)
        height, width = _static_hw(image)
        for label, size in (("target_width", target_width), ("target_height", target_height)):
            if not isinstance(size, ops.Tensor) and size <= 0:
                raise ValueError(f"{label} must be > 0.")
        if (
            width is not None
            and not any(isinstance(v, ops.Tensor) for v in (target_width, offset_width))
            and width < target_width + offset_width
        ):
            raise ValueError("width must be >= target + offset.")
        if (
            height is not None
            and not any(isinstance(v, ops.Tensor) for v in (target_height, offset_height))
            and height < target_height + offset_height
        ):
            raise ValueError("height must be >= target + offset.")
        cropped = array_ops.slice(
            image,
            array_ops.stack([0, offset_height, offset_width, 0]),
            array_ops.stack([-1, target_height, target_width, -1]),
        )
        return array_ops.squeeze(cropped, axis=[0]) if squeeze else cropped


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """``tf.image.pad_to_bounding_box``: the image placed at the offset in zeros of the target size."""
    with ops.name_scope(None, "pad_to_bounding_box", [image]):
        image, squeeze = _as_batch(image)
        _check_nonnegative(offset_height=offset_height, offset_width=offset_width)
        height, width = _static_hw(image)
        after_w = target_width - offset_width - width
        after_h = target_height - offset_height - height
        if not isinstance(after_w, ops.Tensor) and after_w < 0:
            raise ValueError("width must be <= target - offset")
        if not isinstance(after_h, ops.Tensor) and after_h < 0:
            raise ValueError("height must be <= target - offset")
        values = [0, 0, offset_height, after_h, offset_width, after_w, 0, 0]
        if any(isinstance(v, ops.Tensor) for v in values):
            paddings = array_ops.reshape(array_ops.stack(values), [4, 2])
        else:  # TF folds the packed paddings while inferring shapes; a constant keeps the padded shape static
            paddings = constant(np.reshape(values, [4, 2]).astype(np.int32))
        padded = array_ops.pad(image, paddings)
        return array_ops.squeeze(padded, axis=[0]) if squeeze else padded


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """``tf.image.resize_image_with_crop_or_pad``: centre-cropped and/or zero-padded to the target size
    (static image dimensions needed)."""
    with ops.name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image, squeeze = _as_batch(image)
        height, width = _static_hw(image)
        if height is None or width is None:
            raise ValueError("resize_image_with_crop_or_pad needs the image's static height and width")
        width_diff, height_diff = target_width - width, target_height - height
        cropped = crop_to_bounding_box(
            image,
            max(-height_diff // 2, 0),
            max(-width_diff // 2, 0),
            min(target_height, height),
            min(target_width, width),
        )
        resized = pad_to_bounding_box(
            cropped, max(height_diff // 2, 0), max(width_diff // 2, 0), target_height, target_width
        )
        return array_ops.squeeze(resized, axis=[0]) if squeeze else resized


def central_crop(image, central_fraction):
    """``tf.image.central_crop``: the central `central_fraction` of each image (static dimensions)."""
    with ops.name_scope(None, "central_crop", [image]):
        image = ops.convert_to_tensor(image, name="image")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        rank = _image_rank(image)
        d = dims(image)[rank - 3 :]
        if d[0] is None or d[1] is None:
            raise ValueError("central_crop needs the image's static height and width")
        h_start = int((d[0] - d[0] * central_fraction) / 2)
        w_start = int((d[1] - d[1] * central_fraction) / 2)
        begin = [0] * (rank - 3) + [h_start, w_start, 0]
        size = [-1] * (rank - 3) + [d[0] - 2 * h_start, d[1] - 2 * w_start, -1]
        return array_ops.slice(image, begin, size)


def random_crop(value, size, seed=None, name=None):
    """``tf.image.random_crop`` / ``tf.random_crop``: a window of `size` at a uniformly random offset."""
    with ops.name_scope(name, "random_crop", [value, size]) as scope:
        value = ops.convert_to_tensor(value, name="value")
        size = ops.convert_to_tensor(size, dtype=dtypes.int32, name="size")
        shape = array_ops.shape_v1(value)
        limit = shape - size + 1
        offset = (
            random_ops.random_uniform(
                array_ops.shape_v1(shape), dtype=size.dtype, maxval=size.dtype.max, seed=seed
            )
            % limit
        )
        return array_ops.slice(value, offset, size, name=scope)


# --- dtype, standardisation, brightness, grayscale ------------------------------------------------------


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """``tf.image.convert_image_dtype``: integers are in [0, MAX], floats in [0, 1]; converts and rescales."""
    image = ops.convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if dtype == image.dtype.base_dtype:
        return array_ops.identity(image, name=name)
    cast = array_ops.saturate_cast if saturate else array_ops.cast
    with ops.name_scope(name, "convert_image", [image]) as scope:
        src = image.dtype.base_dtype
        if src.is_integer and dtype.is_integer:
            if src.max > dtype.max:  # scale down first, then cast
                scaled = math_ops.floordiv(image, constant((src.max + 1) // (dtype.max + 1), dtype=src))
                return cast(scaled, dtype, name=scope)
            return math_ops.multiply(
                cast(image, dtype), constant((dtype.max + 1) // (src.max + 1), dtype=dtype), name=scope
            )
        if src.is_floating and dtype.is_floating:
            return array_ops.cast(image, dtype, name=scope)
        if src.is_integer:  # to float: cast, then scale
            return math_ops.multiply(
                array_ops.cast(image, dtype), constant(1.0 / src.max, dtype=dtype), name=scope
            )
        scaled = math_ops.multiply(
            image, constant(dtype.max + 0.5, dtype=src)
        )  # from float: scale, then cast
        return cast(scaled, dtype, name=scope)


def per_image_standardization(image):
    """``tf.image.per_image_standardization``: (x - mean) / max(stddev, 1 / sqrt(pixels)) per image."""
    with ops.name_scope(None, "per_image_standardization", [image]) as scope:
        image = ops.convert_to_tensor(image, name="image")
        if image.shape.ndims is not None and image.shape.ndims < 3:
            raise ValueError(f"'image' (shape {image.shape}) must be at least three-dimensional.")
        if not image.dtype.is_floating:
            image = array_ops.cast(image, dtypes.float32)
        num_pixels = math_ops.reduce_prod(array_ops.shape_v1(image)[-3:])
        image_mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        with ops.name_scope(None, "reduce_std"):
            with ops.name_scope(None, "reduce_variance"):
                mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
                variance = math_ops.reduce_mean(
                    math_ops.square(image - mean), axis=[-1, -2, -3], keepdims=True
                )
            stddev = math_ops.sqrt(variance)
        min_stddev = math_ops.rsqrt(array_ops.cast(num_pixels, image.dtype))
        adjusted_stddev = math_ops.maximum(stddev, min_stddev)
        image -= image_mean
        return math_ops.divide(image, adjusted_stddev, name=scope)


def _float_image(image):
    """(the image as float16/32 for an adjustment, its original dtype), as TF's adjust_* do."""
    image = ops.convert_to_tensor(image, name="image")
    orig = image.dtype.base_dtype
    if orig in (dtypes.float16, dtypes.float32):
        return image, orig
    return convert_image_dtype(image, dtypes.float32), orig


def adjust_brightness(image, delta):
    """``tf.image.adjust_brightness``: `delta` added to every channel (in [0, 1] float scale)."""
    with ops.name_scope(None, "adjust_brightness", [image, delta]) as scope:
        flt_image, orig = _float_image(image)
        adjusted = math_ops.add(flt_image, array_ops.cast(delta, flt_image.dtype), name=scope)
        return convert_image_dtype(adjusted, orig, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """``tf.image.random_brightness``: `adjust_brightness` by a delta uniform in [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def rgb_to_grayscale(images, name=None):
    """``tf.image.rgb_to_grayscale``: the luma (0.2989 R + 0.5870 G + 0.1140 B), keeping a size-1 channel."""
    with ops.name_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = ops.convert_to_tensor(images, name="images")
        orig = images.dtype.base_dtype
        flt_image = convert_image_dtype(images, dtypes.float32)
        rgb_weights = constant([0.2989, 0.5870, 0.1140], dtype=dtypes.float32)
        gray_float = math_ops.reduce_sum(flt_image * rgb_weights, axis=-1, keepdims=True)
        return convert_image_dtype(gray_float, orig, name=scope)


def grayscale_to_rgb(images, name=None):
    """``tf.image.grayscale_to_rgb``: the single channel repeated three times."""
    with ops.name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = ops.convert_to_tensor(images, name="images")
        rank = images.shape.ndims
        multiples = constant([1] * (rank - 1) + [3], dtype=dtypes.int32)
        return array_ops.tile(images, multiples, name=scope)


# --- measures -------------------------------------------------------------------------------------------


def total_variation(images, name=None):
    """``tf.image.total_variation``: the sum of absolute differences of neighbouring pixels, per image."""
    with ops.name_scope(name, "total_variation"):
        images = ops.convert_to_tensor(images, name="images")
        rank = _image_rank(images)
        if rank == 3:
            pixel_dif1 = images[1:, :, :] - images[:-1, :, :]
            pixel_dif2 = images[:, 1:, :] - images[:, :-1, :]
            sum_axis = None
        else:
            pixel_dif1 = images[:, 1:, :, :] - images[:, :-1, :, :]
            pixel_dif2 = images[:, :, 1:, :] - images[:, :, :-1, :]
            sum_axis = [1, 2, 3]
        return math_ops.reduce_sum(math_ops.abs(pixel_dif1), axis=sum_axis) + math_ops.reduce_sum(
            math_ops.abs(pixel_dif2), axis=sum_axis
        )


def image_gradients(image):
    """``tf.image.image_gradients``: (dy, dx), forward differences of a 4-D batch, zero in the last row /
    column."""
    image = ops.convert_to_tensor(image, name="image")
    if image.shape.ndims != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {image.shape}.")
    shape = array_ops.shape_v1(image)
    batch, height, width, depth = array_ops.unstack(shape)
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    dy = array_ops.concat([dy, array_ops.zeros(array_ops.stack([batch, 1, width, depth]), image.dtype)], 1)
    dy = array_ops.reshape(dy, shape)
    dx = array_ops.concat([dx, array_ops.zeros(array_ops.stack([batch, height, 1, depth]), image.dtype)], 2)
    dx = array_ops.reshape(dx, shape)
    return dy, dx

