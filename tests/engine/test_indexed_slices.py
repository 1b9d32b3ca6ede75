"""`tf.IndexedSlices`, the sparse gradient of a gather: its members and fetched value, its conversion to a
dense Tensor, the aggregation of several, the Scatter* ops and the SparseApply* kernels the optimizers'
sparse paths build, and a finite-difference check of the densified gradient.  Graphs and values against
real TensorFlow: tests/interop/test_indexed_slices_in_tf.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import engine as tf
from engine.framework import errors
from engine.framework.indexed_slices import IndexedSlicesValue


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default() as g:
        yield g


def test_gather_gradient_is_indexed_slices_with_tfs_members():
    params = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3), name="params")
    g, = tf.gradients(tf.reduce_sum(tf.gather(params, [[2, 0], [2, 3]])), [params])
    assert isinstance(g, tf.IndexedSlices)
    assert g.values.name == "gradients/GatherV2_grad/Reshape:0" == g.name
    assert g.indices.name == "gradients/GatherV2_grad/Reshape_1:0"
    assert g.dense_shape.name == "gradients/GatherV2_grad/Shape:0"
    assert g.op is g.values.op and g.graph is params.graph and g.dtype == tf.float32
    assert g.shape.as_list() == [4, 3] and g.device == g.values.device
    assert str(g).startswith("IndexedSlices(indices=Tensor(\"gradients/GatherV2_grad/Reshape_1:0\"")
    value = _run(g)
    assert isinstance(value, IndexedSlicesValue)
    np.testing.assert_array_equal(value.indices, [2, 0, 2, 3])
    np.testing.assert_array_equal(value.values, np.ones((4, 3), np.float32))
    np.testing.assert_array_equal(value.dense_shape, [4, 3])


def test_fetch_without_dense_shape_and_nested():
    values = tf.constant([[1.0, 2.0]])
    indices = tf.constant([1])
    slices = tf.IndexedSlices(values, indices)
    assert slices.shape.ndims is None
    value, (again,) = _run([slices, [slices]])
    assert value.dense_shape is None and again.indices.tolist() == [1]


def test_conversion_sums_repeated_rows_as_unsorted_segment_sum():
    slices = tf.IndexedSlices(tf.constant([[1.0, 1.0], [2.0, 3.0], [5.0, 8.0]]), tf.constant([2, 0, 2]),
                              tf.constant([3, 2]))
    dense = tf.convert_to_tensor(slices)
    assert dense.op.type == "UnsortedSegmentSum"
    np.testing.assert_array_equal(_run(dense), [[2.0, 3.0], [0.0, 0.0], [6.0, 9.0]])
    assert tf.convert_to_tensor_or_indexed_slices(slices) is slices
    with pytest.raises(ValueError, match="Incompatible tensor conversion requested to `dtype` int32"):
        tf.convert_to_tensor(slices, dtype=tf.int32)
    with pytest.raises(ValueError, match="without dense_shape"):
        tf.convert_to_tensor(tf.IndexedSlices(slices.values, slices.indices))


def test_conversion_of_a_huge_dense_shape_warns_as_tf():
    slices = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0]), tf.constant([100000000, 1]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tf.convert_to_tensor(slices)
    assert [str(w.message) for w in caught] == [
        "Converting sparse IndexedSlices to a dense Tensor with 100000000 elements. This may consume a large "
        "amount of memory."]


def test_two_sparse_gradients_concatenate_and_a_dense_one_adds():
    params = tf.Variable(np.ones((5, 2), np.float32), name="params")
    loss = tf.reduce_sum(tf.gather(params, [1, 4])) + tf.reduce_sum(3.0 * tf.gather(params, [4]))
    sparse, = tf.gradients(loss, [params])
    assert isinstance(sparse, tf.IndexedSlices) and sparse.values.op.type == "ConcatV2"
    dense, = tf.gradients(loss + tf.reduce_sum(params), [params])
    assert isinstance(dense, tf.Tensor) and dense.op.type == "AddN"
    s, d = _run([sparse, dense])
    assert sorted(s.indices.tolist()) == [1, 4, 4]
    np.testing.assert_array_equal(d, [[1, 1], [2, 2], [1, 1], [1, 1], [5, 5]])


def test_int32_and_int64_indices_concatenate_as_int64():
    params = tf.Variable(np.ones((3, 1), np.float32), name="params")
    ids64 = tf.constant([0], tf.int64)
    loss = tf.reduce_sum(tf.gather(params, ids64)) + tf.reduce_sum(tf.gather(params, [2]))
    g, = tf.gradients(loss, [params])
    assert g.indices.dtype == tf.int64
    assert sorted(_run(g).indices.tolist()) == [0, 2]


def test_gated_gradients_keep_indices_and_gate_values():
    params = tf.Variable(np.ones((3, 2), np.float32), name="params")
    other = tf.Variable(2.0, name="other")
    loss = tf.reduce_sum(tf.gather(params, [0, 0]) * other)
    opt = tf.train.GradientDescentOptimizer(0.5)
    (g, _), _ = opt.compute_gradients(loss, gate_gradients=tf.train.Optimizer.GATE_GRAPH)
    assert isinstance(g, tf.IndexedSlices) and g.values.op.type == "Identity"
    assert g.values.op.name == "tuple/control_dependency" and g.indices.op.type == "Reshape"
    np.testing.assert_array_equal(_run(tf.convert_to_tensor(g)), [[4, 4], [0, 0], [0, 0]])


def test_gather_along_axis_1_stays_dense():
    params = tf.Variable(np.ones((2, 3), np.float32), name="params")
    g, = tf.gradients(tf.reduce_sum(tf.gather(params, [2, 2], axis=1)), [params])
    assert isinstance(g, tf.Tensor)
    np.testing.assert_array_equal(_run(g), [[0, 0, 2], [0, 0, 2]])


def test_partitioned_embedding_gradient_is_densified_through_concat():
    parts = [tf.Variable(np.full((2, 2), i, np.float32), name=f"part_{i}") for i in range(2)]
    g = tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup(parts, [0, 3, 3])), parts)
    np.testing.assert_array_equal(_run(tf.convert_to_tensor(g[0])), [[1, 1], [0, 0]])
    np.testing.assert_array_equal(_run(tf.convert_to_tensor(g[1])), [[0, 0], [2, 2]])


def test_densified_gather_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    p0 = rng.normal(size=(6, 3))
    ids = np.array([[5, 1], [1, 1], [0, 4]])
    w = rng.normal(size=(3, 2, 3))
    params = tf.placeholder(tf.float64, [6, 3], name="params")
    looked_up = tf.nn.embedding_lookup(params, ids)
    loss = tf.reduce_sum(tf.sin(looked_up) * w) + tf.reduce_sum(tf.square(tf.gather(params, [2, 5])))
    g, = tf.gradients(loss, [params])
    assert isinstance(g, tf.IndexedSlices)
    with tf.Session() as sess:
        analytic = sess.run(tf.convert_to_tensor(g), {params: p0})
        numeric = np.zeros_like(p0)
        eps = 1e-6
        for index in np.ndindex(*p0.shape):
            up, down = p0.copy(), p0.copy()
            up[index] += eps
            down[index] -= eps
            numeric[index] = (sess.run(loss, {params: up}) - sess.run(loss, {params: down})) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_clip_by_norm_and_global_norm_keep_indexed_slices():
    slices = tf.IndexedSlices(tf.constant([[3.0, 4.0], [0.0, 0.0]]), tf.constant([1, 1]),
                              tf.constant([3, 2]))
    clipped = tf.clip_by_norm(slices, 1.0)
    (scaled,), norm = tf.clip_by_global_norm([slices], 2.5)
    assert isinstance(clipped, tf.IndexedSlices) and isinstance(scaled, tf.IndexedSlices)
    c, s, n = _run([clipped, scaled, norm])
    np.testing.assert_allclose(c.values, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(s.values, [[1.5, 2.0], [0.0, 0.0]], rtol=1e-6)
    assert n == pytest.approx(5.0) and c.indices.tolist() == [1, 1]


def test_scatter_ops_apply_repeated_indices_in_turn():
    v = tf.Variable(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32), name="v")
    updates = np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]], np.float32)
    ops_ = {name: getattr(tf, f"scatter_{name}") for name in
            ("add", "sub", "mul", "div", "max", "min", "update")}
    results = {}
    with tf.Session() as sess:
        for name, fn in ops_.items():
            sess.run(v.initializer)
            results[name] = sess.run(fn(v, [2, 0, 2], updates)).tolist()
    assert results["add"] == [[3, 4], [3, 4], [10, 11]]
    assert results["sub"] == [[-1, 0], [3, 4], [0, 1]]
    assert results["mul"] == [[2, 4], [3, 4], [20, 24]]
    assert results["div"] == [[0.5, 1], [3, 4], [1.25, 1.5]]
    assert results["max"] == [[2, 2], [3, 4], [5, 6]]
    assert results["min"] == [[1, 2], [3, 4], [1, 1]]
    assert results["update"] == [[2, 2], [3, 4], [4, 4]]
    assert tf.scatter_add(v, [0], [[1.0, 1.0]]).op.name == "ScatterAdd_1"


def test_scatter_errors_are_tfs():
    v = tf.Variable(np.zeros((3, 2), np.float32), name="v")
    with pytest.raises(ValueError, match=r"Shapes must be equal rank, but are 1 and 2 for "
                                         r"'\{\{node ScatterAdd\}\} = ScatterAdd"):
        tf.scatter_add(v, [0, 1], [1.0, 2.0])
    bad = tf.scatter_sub(v, [1, 3], np.ones((2, 2), np.float32))
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1\] = 3 is not in \[0, 3\)"):
        _run(bad)
    with pytest.raises(TypeError, match="sparse_delta is not IndexedSlices"):
        v.scatter_sub(tf.constant([1.0]))


def test_sparse_apply_momentum_walks_repeated_indices_in_order():
    from engine.ops import sparse_training_ops

    var = tf.Variable(np.ones((3, 2), np.float32), name="var")
    accum = tf.Variable(np.zeros((3, 2), np.float32), name="accum")
    grad = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    update = sparse_training_ops.sparse_apply("SparseApplyMomentum", [var, accum],
                                              [0.1, grad, [1, 1], 0.5])
    assert update.op.type == "SparseApplyMomentum" and update.op.get_attr("Tindices") == tf.int32
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(update)
        v, a = sess.run([var, accum])
    a1 = grad[0]
    v1 = 1.0 - np.float32(0.1) * a1
    a2 = a1 * np.float32(0.5) + grad[1]
    np.testing.assert_allclose(a[1], a2)
    np.testing.assert_allclose(v[1], v1 - np.float32(0.1) * a2)
    np.testing.assert_array_equal(v[[0, 2]], np.ones((2, 2)))
    np.testing.assert_array_equal(a[[0, 2]], np.zeros((2, 2)))


def test_sparse_update_touches_only_the_rows_looked_up():
    """Momentum on an embedding: rows never looked up keep their value and their slot stays zero, so the
    sparse result differs from a dense update only through the rows it leaves alone."""
    emb = tf.Variable(np.ones((4, 2), np.float32), name="embedding")
    loss = tf.reduce_sum(tf.nn.embedding_lookup(emb, [0, 2, 2]))
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    train = opt.minimize(loss)
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"Momentum/update_embedding/Unique", "Momentum/update_embedding/UnsortedSegmentSum",
            "Momentum/update_embedding/SparseApplyMomentum"} <= names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(2):
            sess.run(train)
        v, m = sess.run([emb, opt.get_slot(emb, "momentum")])
    np.testing.assert_allclose(m, [[1.9, 1.9], [0, 0], [3.8, 3.8], [0, 0]], rtol=1e-6)
    np.testing.assert_allclose(v, [[0.71, 0.71], [1, 1], [0.42, 0.42], [1, 1]], rtol=1e-6)


def test_gradient_descent_scatter_subs_without_summing():
    emb = tf.Variable(np.ones((3, 1), np.float32), name="embedding")
    train = tf.train.GradientDescentOptimizer(0.25).minimize(tf.reduce_sum(tf.gather(emb, [1, 1, 2])))
    types = {op.type for op in tf.get_default_graph().get_operations() if "update_embedding" in op.name}
    assert "ScatterSub" in types and "Unique" not in types
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(emb).ravel(), [1.0, 0.5, 0.75])


def test_resource_gather_gradient_is_tfs_indexed_slices(real_fixtures):
    """TF's graphs gather from a resource variable with ResourceGather; its gradient w.r.t. the handle
    is an IndexedSlices whose dense shape is the variable's (a Const, the shape being known)."""
    from engine.ops.op_util import make_tensor

    tf.train.import_meta_graph(str(real_fixtures / "tf1_mlp" / "ckpt" / "mlp.ckpt.meta"))
    weight = tf.global_variables()[0]
    rows = make_tensor("ResourceGather", [weight.handle, tf.constant([3, 0, 3])], name="ResourceGather",
                       attrs={"dtype": tf.float32, "Tindices": tf.int32, "batch_dims": 0,
                              "validate_indices": True})
    assert rows.shape.as_list() == [3, 16]
    g, = tf.gradients(tf.reduce_sum(rows * 2.0), [weight.handle])
    assert isinstance(g, tf.IndexedSlices) and g.dense_shape.op.type == "Const"
    assert g.values.name == "gradients/ResourceGather_grad/Reshape:0"
    with tf.Session() as sess:
        sess.run(weight.initializer)
        w, r, dense = sess.run([weight.value(), rows, tf.convert_to_tensor(g)])
    np.testing.assert_array_equal(r, w[[3, 0, 3]])
    np.testing.assert_array_equal(dense[3], np.full(16, 4.0))
    np.testing.assert_array_equal(dense[[1, 2]], np.zeros((2, 16)))
