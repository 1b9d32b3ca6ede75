"""Gradients whose shapes, ranks or axes are only known at run time, and the ops they are built from.

The finite-difference checks of these paths are the run-time-shape cases in test_grad_registry.py
(`RUNTIME_SHAPE_CASES`); this file pins which graph each path builds and the new ops' own behaviour.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import engine as tf
import engine.ops
from engine.framework import errors
from engine.ops import array_ops

# Every op module (gradients live with their ops).
OP_MODULES = [importlib.import_module(m.name)
              for m in pkgutil.walk_packages(engine.ops.__path__, "engine.ops.")]


def fed(value):
    return array_ops.placeholder_with_default(np.asarray(value, np.int32), None)


def op_types(graph):
    return {op.type for op in graph.get_operations()}


@pytest.mark.parametrize("module", OP_MODULES, ids=lambda m: m.__name__)
def test_gradient_modules_raise_no_not_implemented_error(module):
    # Raising it is what is barred (script_ops names the class: it maps a py_func's exceptions to OpErrors).
    assert "raise NotImplementedError" not in inspect.getsource(module)


def _grad_graph(build, value, shape=None):
    """(graph, gradient value) of sum(build(x)) for x fed with `value` (placeholder of `shape`)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float64, shape)
        (g,) = tf.gradients(tf.reduce_sum(build(x)), [x])
        with tf.Session() as sess:
            return graph, sess.run(g, {x: value})


def test_reduction_over_fed_axis_reshapes_to_the_run_time_reduced_shape():
    x = np.arange(24.0).reshape(2, 3, 4)
    graph, g = _grad_graph(lambda t: tf.reduce_max(t, fed([0, -1])), x)
    expected = np.zeros_like(x)
    expected[1, :, 3] = 1.0
    np.testing.assert_array_equal(g, expected)
    assert {"Shape", "FloorMod", "Equal", "Any", "SelectV2"} <= op_types(graph)


def test_reduction_of_unknown_rank_input_over_all_axes():
    graph, g = _grad_graph(lambda t: tf.reduce_mean(t), np.ones((2, 5)), shape=None)
    np.testing.assert_allclose(g, np.full((2, 5), 0.1))
    assert "Rank" in op_types(graph)


def test_static_reduction_gradient_keeps_its_fast_path():
    graph, g = _grad_graph(lambda t: tf.reduce_sum(t, 1), np.ones((2, 3)), shape=[2, 3])
    np.testing.assert_array_equal(g, np.ones((2, 3)))
    assert not {"Shape", "Range", "SelectV2"} & op_types(graph)


def test_concat_over_fed_axis_splits_at_run_time_sizes():
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float64, None)
        b = tf.placeholder(tf.float64, None)
        y = array_ops.concat([a, b], fed(-1))
        ga, gb = tf.gradients(y, [a, b], grad_ys=tf.constant(np.arange(10.0).reshape(2, 5)))
        with tf.Session() as sess:
            va, vb = sess.run([ga, gb], {a: np.zeros((2, 2)), b: np.zeros((2, 3))})
    np.testing.assert_array_equal(va, [[0, 1], [5, 6]])
    np.testing.assert_array_equal(vb, [[2, 3, 4], [7, 8, 9]])
    assert "SplitV" in op_types(graph)


def test_tile_of_unknown_rank_sums_over_every_other_axis():
    graph, g = _grad_graph(lambda t: tf.tile(t, [3, 2]), np.ones((2, 3)), shape=None)
    np.testing.assert_array_equal(g, np.full((2, 3), 6.0))
    assert "Range" in op_types(graph)


def test_gather_over_fed_axis_sums_repeated_indices():
    params = np.arange(6.0).reshape(2, 3)
    graph, g = _grad_graph(lambda t: tf.gather(t, [2, 0, 2], axis=fed(1)), params)
    np.testing.assert_array_equal(g, [[1, 0, 2], [1, 0, 2]])
    assert "UnsortedSegmentSum" in op_types(graph)


def test_batch_matmul_with_run_time_batch_dims_sums_the_broadcast_batch():
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float64, [None, 2, 3])
        b = tf.placeholder(tf.float64, [None, 3, 4])
        ga, gb = tf.gradients(tf.reduce_sum(tf.matmul(a, b)), [a, b])
        with tf.Session() as sess:
            va, vb = sess.run([ga, gb], {a: np.ones((1, 2, 3)), b: np.ones((5, 3, 4))})
    np.testing.assert_array_equal(va, np.full((1, 2, 3), 20.0))  # 5 batches x 4 columns
    np.testing.assert_array_equal(vb, np.full((5, 3, 4), 2.0))
    assert "BroadcastGradientArgs" in op_types(graph)


# --- GatherV2 with batch_dims (forward) ----------------------------------------------------------------


def _batched_gather(params, indices, axis, batch_dims):
    """Reference: gather in every batch entry separately, with plain loops."""
    batch = params.shape[:batch_dims]
    out = [np.take(params[i], indices[i], axis=axis - batch_dims) for i in np.ndindex(*batch)]
    return np.stack(out).reshape(batch + out[0].shape)


@pytest.mark.parametrize(
    "axis,batch_dims,b,index_tail",
    [(1, 1, 1, (2, 1)), (2, 1, 1, (2,)), (2, 2, 2, (2, 1)), (3, -1, 2, (2,))],
)
def test_gather_batch_dims_matches_a_per_batch_gather(axis, batch_dims, b, index_tail):
    rng = np.random.RandomState(0)
    params = rng.randn(2, 3, 4, 5)
    indices = rng.randint(0, params.shape[axis], size=params.shape[:b] + index_tail)
    with tf.Graph().as_default():
        y = tf.gather(tf.constant(params), tf.constant(indices), axis=axis, batch_dims=batch_dims)
        with tf.Session() as sess:
            value = sess.run(y)
    expected = _batched_gather(params, indices, axis, b)
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(value, expected)


def test_gather_batch_dims_greater_than_axis_is_refused():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"batch_dims \(1\) must be less than or equal to axis \(0\)"):
            tf.gather(tf.zeros([2, 3]), tf.zeros([2, 1], tf.int32), axis=0, batch_dims=1)


# --- UnsortedSegmentSum / InvertPermutation ------------------------------------------------------------


def test_unsorted_segment_sum_adds_rows_and_drops_negative_ids():
    data = np.arange(12.0).reshape(4, 3)
    ids = np.array([2, -1, 2, 0], np.int32)
    with tf.Graph().as_default():
        y = array_ops.unsorted_segment_sum(tf.constant(data), tf.constant(ids), 3)
        assert y.shape.as_list() == [3, 3]
        with tf.Session() as sess:
            value = sess.run(y)
    np.testing.assert_array_equal(value, [data[3], [0, 0, 0], data[0] + data[2]])


def test_unsorted_segment_sum_refuses_ids_out_of_range():
    with tf.Graph().as_default():
        y = array_ops.unsorted_segment_sum(tf.ones([2]), tf.constant([0, 3]), 2)
        with tf.Session() as sess, pytest.raises(errors.InvalidArgumentError, match=r"segment_ids\[1\] = 3"):
            sess.run(y)


def test_invert_permutation():
    with tf.Graph().as_default():
        perm = tf.placeholder(tf.int32, [None])
        y = array_ops.invert_permutation(perm)
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {perm: [2, 0, 1]}), [1, 2, 0])
            with pytest.raises(errors.InvalidArgumentError, match="is not a permutation"):
                sess.run(y, {perm: [0, 0, 1]})
