"""tf.image against TensorFlow 2.21: static shapes, values (seeded random ops included) and gradients of one
graph built by the same code under both (tests/fixtures/image_ops/image_model.py;
tests/fixtures/make_model_fixture.py wrote the fixture), plus TF's errors."""

from __future__ import annotations

import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("image_ops", "image_model.py", "image_tf")
# TF's rot90 is a tf.case over the four rotations (shape (?, ?, c)); with k an int the engine builds the one
# rotation, whose shape is known.
MORE_STATIC_THAN_TF = {"rot90_1", "rot90_2", "rot90_3", "rot90_batch"}


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    ours = model_fixture.static_signature({**out, **grads})
    differ = {k for k in META if ours[k] != META[k]}
    assert differ == MORE_STATIC_THAN_TF
    for key in differ:
        assert out[key].shape.is_compatible_with(_parse_shape(META[key]["shape"])), key
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=1e-5, atol=1e-5)


def _parse_shape(text):
    parts = [p for p in text.strip("()").split(",") if p.strip()]
    return tf.TensorShape([None if p.strip() == "?" else int(p) for p in parts])


def test_op_types_and_names_are_tfs():
    images = tf.placeholder(tf.float32, [None, 4, 4, 3])
    assert tf.image.resize_images(images, [8, 6]).name == "resize/ResizeBilinear:0"
    assert tf.image.resize_images(tf.ones([4, 4, 3]), [2, 2], method=3).name == "resize_1/Squeeze:0"
    assert tf.image.resize_bicubic(images, [8, 6]).name == "ResizeBicubic:0"
    assert tf.image.flip_left_right(images).name == "flip_left_right/ReverseV2:0"
    assert tf.image.convert_image_dtype(tf.ones([2, 2, 3], tf.uint8), tf.float32).name == "convert_image:0"
    assert tf.image.adjust_contrast(images, 0.5).name == "adjust_contrast/Identity:0"
    assert tf.image.adjust_contrast(images, 0.5).op.inputs[0].op.type == "AdjustContrastv2"
    assert tf.image.adjust_hue(images, 0.1).op.inputs[0].name == "adjust_hue/AdjustHue:0"
    assert tf.image.rgb_to_grayscale(images).name == "rgb_to_grayscale:0"
    assert tf.image.rgb_to_hsv(images).name == "RGBToHSV:0"
    assert tf.image.per_image_standardization(images).name == "per_image_standardization:0"
    assert tf.random_crop(images, [1, 2, 2, 3]).name == "random_crop:0"


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: tf.image.flip_left_right(tf.ones([4, 4])),
            "'image' (shape (4, 4)) must be at least three-dimensional.",
        ),
        (
            lambda: tf.image.crop_to_bounding_box(tf.ones([4, 5, 3]), 1, 1, 4, 2),
            "height must be >= target + offset.",
        ),
        (
            lambda: tf.image.crop_to_bounding_box(tf.ones([4, 5, 3]), -1, 1, 2, 2),
            "offset_height must be >= 0.",
        ),
        (
            lambda: tf.image.pad_to_bounding_box(tf.ones([4, 5, 3]), 1, 1, 4, 8),
            "height must be <= target - offset",
        ),
        (lambda: tf.image.central_crop(tf.ones([4, 5, 3]), 1.5), "central_fraction must be within (0, 1]"),
        (lambda: tf.image.random_contrast(tf.ones([4, 5, 3]), 0.5, 0.2), "upper must be > lower."),
        (lambda: tf.image.random_brightness(tf.ones([4, 5, 3]), -0.5), "max_delta must be non-negative."),
    ],
)
def test_build_time_errors_are_tfs(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert str(info.value) == message


def test_run_time_errors_are_tfs():
    with (
        tf.Session() as sess,
        pytest.raises(
            tf.errors.InvalidArgumentError,
            match="If half_pixel_centers is True, align_corners must be False.",
        ),
    ):
        sess.run(
            tf.image.resize_bilinear(
                tf.ones([1, 2, 2, 1]), [3, 3], align_corners=True, half_pixel_centers=True
            )
        )
