"""tf.map_fn / tf.scan / tf.foldl / tf.foldr beyond the graphs compared with TF's in test_loop_graphs.py:
nested structures, dtypes, back_prop, parallel_iterations and the errors TF raises."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf


def _run(fetch, feed=None):
    with tf.Session() as s:
        return s.run(fetch, feed)


def test_map_fn_nested_elems_and_output_structure():
    with tf.Graph().as_default():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        b = tf.constant([10, 20])
        out = tf.map_fn(lambda t: {"sum": tf.reduce_sum(t["a"]), "b": t["b"] * 2},
                        {"a": a, "b": b}, dtype={"sum": tf.float32, "b": tf.int32})
        assert out["sum"].shape.as_list() == [2]
        values = _run(out)
        np.testing.assert_array_equal(values["sum"], [3.0, 7.0])
        np.testing.assert_array_equal(values["b"], [20, 40])


def test_map_fn_unknown_length_parallel_iterations_and_back_prop():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        y = tf.map_fn(lambda r: r * r, x, parallel_iterations=1, back_prop=False)
        assert y.shape.as_list() == [None, 3]
        enters = [op for op in y.graph.get_operations() if op.type == "Enter"]
        assert {op.get_attr("parallel_iterations") for op in enters} == {1}
        assert tf.gradients(y, x) == [None]
        np.testing.assert_array_equal(_run(y, {x: np.ones((4, 3))}), np.ones((4, 3)))


def test_scan_nested_initializer_and_fold_of_tuples():
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0, 3.0, 4.0])
        fib = tf.scan(lambda a, _: (a[1], a[0] + a[1]), x, initializer=(tf.constant(0.0), tf.constant(1.0)))
        start = (tf.constant(0.0), tf.constant(0))
        total, count = tf.foldl(lambda a, r: (a[0] + r, a[1] + 1), x, initializer=start)
        both = tf.foldr(lambda a, r: a + r[0] * tf.cast(r[1], tf.float32), (x, tf.constant([1, 0, 1, 0])),
                        initializer=tf.constant(0.0))
        values = _run([fib[0], fib[1], both, total, count])
        np.testing.assert_array_equal(values[0], [1.0, 1.0, 2.0, 3.0])
        np.testing.assert_array_equal(values[1], [1.0, 2.0, 3.0, 5.0])
        assert values[2:] == [4.0, 10.0, 4]


def test_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="must be 1\\+ dimensional Tensors, not scalars"):
            tf.map_fn(lambda v: v, tf.constant(1.0))
        with pytest.raises(TypeError, match="is not callable"):
            tf.scan(3, tf.constant([1.0]))
        with pytest.raises(TypeError, match="is not callable"):
            tf.map_fn(3, tf.constant([1.0]))
