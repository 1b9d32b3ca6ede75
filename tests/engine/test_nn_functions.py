"""The tf.nn and math functions of issue 17's first slice against TensorFlow 2.21: static shapes (with
unknown batch dimensions), values and gradients of one graph built by the same code under both
(tests/fixtures/nn_ops/nn_model.py; the fixture comes from make_fixture.py there), plus TF's errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nn_ops"
META = json.loads((FIXTURES / "nn_tf.json").read_text())
VALUES = np.load(FIXTURES / "nn_tf.npz")


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


@pytest.fixture
def model():
    spec = importlib.util.spec_from_file_location("nn_model", FIXTURES / "nn_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(tf)


def test_static_shapes_and_dtypes_are_tfs(model):
    _, out, grads = model
    ours = {k: {"shape": str(t.shape), "dtype": t.dtype.name} for k, t in {**out, **grads}.items()}
    assert ours == META


def test_values_and_gradients_match_tensorflow(model):
    feeds, out, grads = model
    with tf.Session() as sess:
        values = sess.run({**out, **grads}, feeds)
    assert sorted(values) == sorted(VALUES.files)
    for key, value in values.items():
        np.testing.assert_allclose(value, VALUES[key], rtol=2e-5, atol=2e-5, err_msg=key)


def test_top_k_orders_ties_by_index_and_checks_k():
    values, indices = tf.nn.top_k(tf.constant([[1, 3, 3, 2]]), 3)
    with tf.Session() as sess:
        v, i = sess.run([values, indices])
        np.testing.assert_array_equal(v, [[3, 3, 2]])
        np.testing.assert_array_equal(i, [[1, 2, 3]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="input must have at least k columns. Had 2, "
                                                                 "needed 3"):
            sess.run(tf.nn.top_k(tf.placeholder_with_default([[1.0, 2.0]], [1, None]), 3))
    with pytest.raises(ValueError, match="must have last dimension >= k = 5 but is 4"):
        tf.nn.top_k(tf.zeros([2, 4]), 5)


def test_in_top_k_counts_ties_and_refuses_non_finite():
    predictions = tf.constant([[0.1, 0.9, 0.9], [np.nan, 0.2, 0.3], [0.5, 0.2, 0.3]])
    with tf.Session() as sess:
        got = sess.run(tf.nn.in_top_k(predictions, tf.constant([2, 0, 5]), 1))
    np.testing.assert_array_equal(got, [True, False, False])


def test_gather_nd_and_scatter_nd_errors_are_tfs():
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"indices\[1\] = \[2, 0\] does not index into param shape \[2,3\]"):
            sess.run(tf.gather_nd(tf.zeros([2, 3]), [[0, 0], [2, 0]]))
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"indices\[0\] = \[7\] does not index into shape \[4\]"):
            sess.run(tf.scatter_nd([[7]], [1.0], [4]))


def test_embedding_lookup_of_variables_trains_each_partition():
    parts = [tf.Variable(np.full((2, 2), float(p), np.float32)) for p in range(3)]
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.reduce_sum(tf.nn.embedding_lookup(parts, ids))
    train = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {ids: [0, 4, 4]})  # id 0: partition 0 row 0; id 4: partition 1 row 1 (mod)
        after = sess.run(parts)
    np.testing.assert_array_equal(after[0], [[-1, -1], [0, 0]])
    np.testing.assert_array_equal(after[1], [[1, 1], [-1, -1]])
    np.testing.assert_array_equal(after[2], np.full((2, 2), 2.0))


def test_argument_errors_are_tfs():
    with pytest.raises(ValueError, match="Unrecognized partition strategy: bad"):
        tf.nn.embedding_lookup(tf.zeros([3, 2]), [0], partition_strategy="bad")
    with pytest.raises(ValueError, match=r"log_input and targets must have the same shape"):
        tf.nn.log_poisson_loss(tf.zeros([2]), tf.zeros([3]))
    with pytest.raises(ValueError, match="Argument `maxlen` must be scalar for sequence_mask"):
        tf.sequence_mask([1, 2], [3, 4])
