"""tf.manip and SpaceToBatchND / BatchToSpaceND against TensorFlow 2.21: static shapes, values and
gradients of one graph built by the same code under both (tests/fixtures/manip/space_batch_model.py;
tests/fixtures/make_model_fixture.py wrote the fixture), and TF's shape-rule and run-time errors."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("manip", "space_batch_model.py", "space_batch_tf")


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    assert model_fixture.static_signature({**out, **grads}) == META
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=1e-12, atol=1e-12)


def test_manip_names_are_the_top_level_functions():
    for name in tf.manip.__all__:
        assert getattr(tf.manip, name) is getattr(tf, name)


def test_partly_known_shapes_are_tfs():
    x = tf.placeholder(tf.float32, [None, 4, 6, 3])
    built = [
        tf.space_to_batch_nd(x, [2, 3], [[0, 0], [1, 2]]),
        tf.space_to_batch_nd(tf.placeholder(tf.float32, [2, None, 6, 3]), [2, 3], [[0, 0], [0, 0]]),
        tf.space_to_batch_nd(tf.placeholder(tf.float32, [2, 4, 6, 3]), tf.placeholder(tf.int32, [2]),
                             [[0, 0], [0, 0]]),
        tf.batch_to_space_nd(tf.placeholder(tf.float32), [2], [[0, 0]]),
    ]
    assert [f"{t.name} {t.shape}" for t in built] == [
        "SpaceToBatchND:0 (?, 2, 3, 3)", "SpaceToBatchND_1:0 (12, ?, 2, 3)",
        "SpaceToBatchND_2:0 (?, ?, ?, 3)",
        "BatchToSpaceND:0 <unknown>",
    ]


_NODE = ("for '{{node %s}} = %s[T=DT_FLOAT, Tblock_shape=DT_INT32, %s=DT_INT32](ones, %s/block_shape, "
         "%s/%s)' with input shapes: ")


def _node(op_type):
    third = "paddings" if op_type == "SpaceToBatchND" else "crops"
    return _NODE % (op_type, op_type, "T" + third, op_type, op_type, third)


@pytest.mark.parametrize("build, message", [
    (lambda: tf.space_to_batch_nd(tf.ones([2, 5, 6, 3]), [2, 3], [[0, 0], [0, 0]]),
     "Dimension size must be evenly divisible by 2 but is 5 " + _node("SpaceToBatchND")
     + "[2,5,6,3], [2], [2,2] and with computed input tensors: input[1] = <2 3>, input[2] = <[0 0][0 0]>."),
    (lambda: tf.batch_to_space_nd(tf.ones([5, 5, 6, 3]), [2, 3], [[0, 0], [0, 0]]),
     "Dimension size must be evenly divisible by 2 but is 5 " + _node("BatchToSpaceND")
     + "[5,5,6,3], [2], [2,2] and with computed input tensors: input[1] = <2 3>, input[2] = <[0 0][0 0]>."),
    (lambda: tf.space_to_batch_nd(tf.ones([2, 4, 6, 3]), [2, 3], [[0, 0], [0, -1]]),
     "paddings cannot be negative " + _node("SpaceToBatchND")
     + "[2,4,6,3], [2], [2,2] and with computed input tensors: input[1] = <2 3>, input[2] = <[0 0][0 -1]>."),
    (lambda: tf.space_to_batch_nd(tf.ones([2, 4, 6, 3]), [2, 0], [[0, 0], [0, 0]]),
     "block_shape must be positive " + _node("SpaceToBatchND")
     + "[2,4,6,3], [2], [2,2] and with computed input tensors: input[1] = <2 0>, input[2] = <[0 0][0 0]>."),
    (lambda: tf.space_to_batch_nd(tf.ones([2, 4, 6, 3]), [2, 3], [[0, 0]]),
     "Dimension 0 in both shapes must be equal, but are 1 and 2. Shapes are [1,2] and [2,2]. "
     + _node("SpaceToBatchND") + "[2,4,6,3], [2], [1,2]."),
    (lambda: tf.batch_to_space_nd(tf.ones([12, 2, 2, 3]), [2, 3], [[0, 0], [0, 7]]),
     "Negative dimension size caused by subtracting 7 from 6 " + _node("BatchToSpaceND")
     + "[12,2,2,3], [2], [2,2] and with computed input tensors: input[1] = <2 3>, input[2] = <[0 0][0 7]>."),
])
def test_shape_rule_errors_are_tfs(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert str(info.value) == message


@pytest.mark.parametrize("to_batch, value, block, amounts, message", [
    (True, np.ones([2, 5, 6, 3]), [2, 3], [[0, 0], [0, 0]],
     "padded_shape[0]=5 is not divisible by block_shape[0]=2"),
    (True, np.ones([2, 4, 6, 3]), [2, 3], [[0, 0], [0, -1]], "Paddings must be non-negative"),
    (True, np.ones([2, 4, 6, 3]), [2, 0], [[0, 0], [0, 0]],
     "All values in block_shape must be positive, got value, 0 at index 1."),
    (False, np.ones([5, 4, 6, 3]), [2, 3], [[0, 0], [0, 0]],
     "Input batch dimension (5) is not divisible by product of block sizes (6)"),
    (False, np.ones([12, 2, 2, 3]), [2, 3], [[0, 0], [0, 7]], "cropped_shape[1]=-1 must be non-negative"),
    (False, np.ones([12, 2, 2, 3]), [2, 3], [[0, 0], [0, -1]], "Crops must be non-negative"),
])
def test_run_time_errors_are_tfs(to_batch, value, block, amounts, message):
    x, b, a = tf.placeholder(tf.float32), tf.placeholder(tf.int32, [2]), tf.placeholder(tf.int32, [2, 2])
    y = (tf.space_to_batch_nd if to_batch else tf.batch_to_space_nd)(x, b, a)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y, {x: value, b: block, a: amounts})
    assert info.value.message.split("\n")[0] == message
