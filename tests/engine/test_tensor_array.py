"""tf.TensorArray's kernels raise TF's errors and keep TF's rules (clear_after_read, element shapes);
its graphs against real TensorFlow's are in test_loop_graphs.py."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf


def _error(build):
    g = tf.Graph()
    with g.as_default():
        fetch, feed = build(), None
        if isinstance(fetch, tuple):
            fetch, feed = fetch
        with tf.Session() as s, pytest.raises(tf.errors.InvalidArgumentError) as info:
            s.run(fetch, feed)
    return info.value.message


def test_errors_have_tf_texts():
    assert "Tried to write to index 3 but array is not resizeable and size is: 2" in _error(
        lambda: tf.TensorArray(tf.float32, size=2).write(3, 1.0).flow)
    assert "because it has already been written to." in _error(
        lambda: tf.TensorArray(tf.float32, size=2).write(0, 1.0).write(0, 2.0).flow)
    assert "Could not read index 0 twice because it was cleared after a previous read" in _error(_read_twice)
    assert "Tried to read from index 4 but array size is: 2" in _error(
        lambda: tf.TensorArray(tf.float32, size=2).write(0, 1.0).read(4))
    assert "because the value shape is [3] which is incompatible with the TensorArray's inferred element " \
           "shape: [2]" in _error(_inconsistent_write)
    assert "Expected sum of lengths to be equal to values.shape[0], but sum of lengths is: 4" in _error(
        lambda: tf.TensorArray(tf.float32, size=2, infer_shape=False).split(tf.zeros([5]), [1, 3]).flow)
    assert "TensorArray dtype is float but Op is trying to write dtype int32." in _error(
        lambda: tf.TensorArray(tf.float32, size=1).write(0, tf.constant(1)).flow)
    assert "has already been closed." in _error(_closed)


def _read_twice():
    ta = tf.TensorArray(tf.float32, size=1).write(0, 1.0)
    first = ta.read(0)
    with tf.control_dependencies([first]):
        return ta.read(0) + first


def _inconsistent_write():
    x = tf.placeholder(tf.float32, None)
    ta = tf.TensorArray(tf.float32, size=2).write(0, tf.zeros([2])).write(1, x)
    return ta.flow, {x: np.zeros(3)}


def _closed():
    ta = tf.TensorArray(tf.float32, size=1)
    close = ta.close()
    with tf.control_dependencies([close]):
        return tf.TensorArray(tf.float32, handle=ta.handle, flow=tf.identity(ta.flow)).write(0, 1.0).flow


def test_clear_after_read_false_reads_again_and_element_shape():
    g = tf.Graph()
    with g.as_default():
        ta = tf.TensorArray(tf.float32, size=2, clear_after_read=False, element_shape=[2])
        ta = ta.write(0, [1.0, 2.0])
        a = ta.read(0)
        with tf.control_dependencies([a]):
            b = ta.read(0)
        missing = ta.read(1)  # never written, element shape known: zeros as in TF
        assert a.shape.as_list() == [2]
        with pytest.raises(ValueError, match="Inconsistent shapes: saw"):
            ta.write(1, [1.0, 2.0, 3.0])
        with tf.Session() as s:
            np.testing.assert_array_equal(s.run(a + b), [2.0, 4.0])
            np.testing.assert_array_equal(s.run(missing), [0.0, 0.0])


def test_constructor_errors():
    with pytest.raises(ValueError, match="Size must be provided if handle is not provided"):
        tf.TensorArray(tf.float32)
    with pytest.raises(TypeError, match="Handle must be a Tensor"):
        tf.TensorArray(tf.float32, handle=1, flow=1)
