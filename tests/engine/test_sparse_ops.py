"""tf.SparseTensor and the sparse ops against TensorFlow 2.21: static shapes, values and gradients of one
graph built by the same code under both (tests/fixtures/sparse/sparse_model.py; the fixture comes from
make_fixture.py there), SparseTensorValue fetches and feeds, names and TF's errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import engine as tf
from tests.engine.sparse_models import FIXTURES, load

META = json.loads((FIXTURES / "sparse_tf.json").read_text())
VALUES = np.load(FIXTURES / "sparse_tf.npz")
# TF folds constant subgraphs in C++ when it reads a shape (TF_TryEvaluateConstant); the engine's
# constant_value does not, so expand_dims with a computed axis keeps an unknown static shape.
STATIC_DEVIATIONS = {"expand_dims": "<unknown> float32"}


def _model():
    return load("sparse_model")


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_static_shapes_and_dtypes_are_tfs():
    module = _model()
    _, out, grads = module.build(tf)
    expected = {**META, **STATIC_DEVIATIONS}
    assert module.static({**out, **grads}) == expected


def test_sparse_nodes_are_tfs():
    """Every sparse op has TF's name, inputs and attrs, so the GraphDef loads in TensorFlow."""
    module = _model()
    module.build(tf)
    ours = module.sparse_nodes(tf.get_default_graph().as_graph_def())
    assert ours == json.loads((FIXTURES / "sparse_tf_nodes.json").read_text())


def test_values_and_gradients_match_tensorflow():
    module = _model()
    feeds, out, grads = module.build(tf)
    with tf.Session() as sess:
        values = module.flatten(sess.run({**out, **grads}, feeds))
    assert sorted(values) == sorted(VALUES.files)
    for key, value in values.items():
        assert value.dtype == VALUES[key].dtype, key
        np.testing.assert_allclose(value, VALUES[key], rtol=2e-5, atol=2e-6, err_msg=key)


def test_sparse_tensor_parts_names_and_repr():
    st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    assert repr(st) == (
        'SparseTensor(indices=Tensor("SparseTensor/indices:0", shape=(2, 2), dtype=int64), '
        'values=Tensor("SparseTensor/values:0", shape=(2,), dtype=float32), '
        'dense_shape=Tensor("SparseTensor/dense_shape:0", shape=(2,), dtype=int64))'
    )
    assert st.op is st.values.op and st.dtype == tf.float32 and st.graph is tf.get_default_graph()
    assert st.get_shape().as_list() == [3, 4]
    sp = tf.sparse_placeholder(tf.float32)
    assert [sp.indices.name, sp.values.name, sp.dense_shape.name] == [
        "Placeholder_2:0",
        "Placeholder_1:0",
        "Placeholder:0",
    ]
    named = tf.sparse_placeholder(tf.float32, shape=[None, 5], name="sp")
    assert [named.indices.name, named.values.name, named.dense_shape.name] == [
        "sp/indices:0",
        "sp/values:0",
        "sp/shape:0",
    ]
    assert str(named.get_shape()) == "(?, 5)" and str(named.indices.shape) == "(?, 2)"
    with pytest.raises(ValueError):
        tf.SparseTensor([[0, 0]], [1.0, 2.0], [2, 2])  # one index row, two values


def test_fetch_gives_sparse_tensor_value_and_feeds_accept_value_tuple_or_parts():
    st = tf.SparseTensor(indices=[[0, 1]], values=[3.0], dense_shape=[2, 2])
    dense = tf.sparse.to_dense(st)
    with tf.Session() as sess:
        value = sess.run(st)
        assert isinstance(value, tf.SparseTensorValue)
        np.testing.assert_array_equal(value.indices, [[0, 1]])
        assert value.indices.dtype == np.int64 and value.values.dtype == np.float32
        fetched = sess.run([st, dense])
        assert isinstance(fetched[0], tf.SparseTensorValue)
        np.testing.assert_array_equal(fetched[1], [[0, 3], [0, 0]])
        np.testing.assert_array_equal(sess.run(dense, {st: ([[1, 1]], [7.0], [2, 2])}), [[0, 0], [0, 7]])
        fed = sess.run(dense, {st: tf.SparseTensorValue([[1, 0]], [5.0], [2, 2])})
        np.testing.assert_array_equal(fed, [[0, 0], [5, 0]])
        np.testing.assert_array_equal(sess.run(dense, {st.values: [9.0]}), [[0, 9], [0, 0]])
        with pytest.raises(TypeError, match="SparseTensorValue"):
            sess.run(dense, {st: [[1, 1]]})
        runner = sess.make_callable(dense, [st])
        np.testing.assert_array_equal(runner(([[0, 0]], [1.0], [2, 2])), [[1, 0], [0, 0]])


def test_sparse_tensor_eval_uses_the_default_session():
    st = tf.SparseTensor(indices=[[0, 1]], values=[3], dense_shape=[1, 2])
    with tf.Session():
        value = st.eval()
    assert isinstance(value, tf.SparseTensorValue) and value.values.tolist() == [3]


def test_sparse_to_dense_checks_indices_as_tf():
    sp = tf.sparse_placeholder(tf.float32, shape=[3, 4])
    dense = tf.sparse.to_dense(sp)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,0\] is out of order"):
            sess.run(dense, {sp: ([[1, 0], [0, 0]], [1.0, 2.0], [3, 4])})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[1,0\] is repeated"):
            sess.run(dense, {sp: ([[1, 0], [1, 0]], [1.0, 2.0], [3, 4])})
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"indices\[0\] = \[5,0\] is out of bounds: need 0 <= index < \[3,4\]",
        ):
            sess.run(dense, {sp: ([[5, 0]], [1.0], [3, 4])})
        unchecked = tf.sparse.to_dense(sp, validate_indices=False)
        np.testing.assert_array_equal(
            sess.run(unchecked, {sp: ([[1, 0], [0, 0]], [1.0, 2.0], [3, 4])})[:2, 0], [2.0, 1.0]
        )


def test_sparse_add_and_matmul_errors_are_tfs():
    a = tf.SparseTensor([[0, 0]], [1.0], [2, 2])
    with pytest.raises(
        TypeError, match="At least one input should be SparseTensor; do you mean to use tf.add"
    ):
        tf.sparse.add(tf.ones([2]), tf.ones([2]))
    with pytest.raises(TypeError, match="Input must be a SparseTensor."):
        tf.sparse.to_dense(tf.ones([2, 2]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.sparse.sparse_dense_matmul(a, tf.ones([3, 2]))
    sp = tf.sparse_placeholder(tf.float32)
    with (
        tf.Session() as sess,
        pytest.raises(
            tf.errors.InvalidArgumentError, match="Operands' shapes do not match: got 2 and 3 for dimension 1"
        ),
    ):
        sess.run(tf.sparse.add(a, sp), {sp: ([[0, 0]], [1.0], [2, 3])})


def test_shape_size_and_rank_of_a_sparse_tensor_are_tfs():
    """tf.shape / tf.size / tf.rank of a SparseTensor read its dense shape (graphs as TF 2.21 builds them)."""
    st = tf.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 5])
    sp = tf.sparse_placeholder(tf.float32)
    out = [tf.shape(st), tf.size(st), tf.rank(st), tf.shape(sp, out_type=tf.int64), tf.size(sp), tf.rank(sp)]
    names = ["Shape/Cast:0", "Size:0", "Rank:0", "Shape_1/Cast:0", "Size_1:0", "Rank_1:0"]
    assert [t.name for t in out] == names
    assert [t.op.type for t in out] == ["Cast", "Prod", "Size", "Cast", "Prod", "Size"]
    with tf.Session() as sess:
        values = sess.run(out, {sp: ([[0, 0, 1]], [1.0], [2, 3, 4])})
    assert [np.asarray(v).tolist() for v in values] == [[3, 5], 15, 2, [2, 3, 4], 24, 3]
    assert values[0].dtype == np.int32 and values[3].dtype == np.int64
