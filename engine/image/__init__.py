"""`tf.image`: image ops under TensorFlow's ``tf.image`` names (re-exports only; engine/ops/image_ops.py,
image_codec_ops.py (decode_png, ...), image_resize_ops.py, image_color_ops.py, image_crop_ops.py,
image_patch_ops.py, image_quality_ops.py, image_box_ops.py and nms_ops.py hold them). ``resize`` is TF1's
``resize_images``."""

from __future__ import annotations

from engine.ops.image_box_ops import draw_bounding_boxes, sample_distorted_bounding_box
from engine.ops.image_codec_ops import decode_image, decode_jpeg, decode_png, encode_jpeg, encode_png
from engine.ops.image_color_ops import (
    adjust_contrast,
    adjust_hue,
    adjust_saturation,
    hsv_to_rgb,
    random_contrast,
    random_hue,
    random_saturation,
    rgb_to_hsv,
    rgb_to_yiq,
    rgb_to_yuv,
    yiq_to_rgb,
    yuv_to_rgb,
)
from engine.ops.image_crop_ops import crop_and_resize
from engine.ops.image_ops import (
    ResizeMethod,
    adjust_brightness,
    central_crop,
    convert_image_dtype,
    crop_to_bounding_box,
    flip_left_right,
    flip_up_down,
    grayscale_to_rgb,
    image_gradients,
    pad_to_bounding_box,
    per_image_standardization,
    random_brightness,
    random_crop,
    random_flip_left_right,
    random_flip_up_down,
    resize_area,
    resize_bicubic,
    resize_bilinear,
    resize_image_with_crop_or_pad,
    resize_images,
    resize_nearest_neighbor,
    rgb_to_grayscale,
    rot90,
    total_variation,
    transpose_image,
)
from engine.ops.image_ops import resize_image_with_crop_or_pad as resize_with_crop_or_pad
from engine.ops.image_ops import resize_images as resize
from engine.ops.image_ops import transpose_image as transpose
from engine.ops.image_patch_ops import extract_image_patches
from engine.ops.image_patch_ops import extract_image_patches as extract_patches
from engine.ops.image_quality_ops import psnr, ssim
from engine.ops.nms_ops import non_max_suppression

__all__ = [
    "ResizeMethod",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "encode_jpeg",
    "encode_png",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "central_crop",
    "convert_image_dtype",
    "crop_and_resize",
    "crop_to_bounding_box",
    "draw_bounding_boxes",
    "extract_image_patches",
    "extract_patches",
    "flip_left_right",
    "flip_up_down",
    "grayscale_to_rgb",
    "hsv_to_rgb",
    "image_gradients",
    "non_max_suppression",
    "pad_to_bounding_box",
    "per_image_standardization",
    "psnr",
    "random_brightness",
    "random_contrast",
    "random_crop",
    "random_flip_left_right",
    "random_flip_up_down",
    "random_hue",
    "random_saturation",
    "resize",
    "resize_area",
    "resize_bicubic",
    "resize_bilinear",
    "resize_image_with_crop_or_pad",
    "resize_images",
    "resize_nearest_neighbor",
    "resize_with_crop_or_pad",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "rgb_to_yiq",
    "rgb_to_yuv",
    "rot90",
    "sample_distorted_bounding_box",
    "ssim",
    "total_variation",
    "transpose",
    "transpose_image",
    "yiq_to_rgb",
    "yuv_to_rgb",
]
