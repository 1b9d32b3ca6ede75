"""tf.nn.embedding_lookup_sparse and safe_embedding_lookup_sparse against TensorFlow 2.21: every combiner,
weights, partitioned params, max_norm, invalid ids and empty rows, their static shapes, values and
gradients (tests/fixtures/sparse/embedding_model.py runs here and under the `tf_python` oracle)."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.engine.sparse_models import load, tensorflow_side


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_embedding_lookup_sparse_matches_tensorflow(tf_python):
    module = load("embedding_model")
    out, grads = module.build(tf)
    with tf.Session() as sess:
        ours = module.describe({**out, **grads}, sess.run({**out, **grads}))
    theirs = tensorflow_side(tf_python, "embedding_model")
    assert sorted(ours) == sorted(theirs)
    for key, (shape, value) in theirs.items():
        assert ours[key][0] == shape, key
        np.testing.assert_allclose(ours[key][1], value, rtol=1e-5, atol=1e-6, err_msg=key)


def test_embedding_lookup_sparse_argument_errors_are_tfs():
    ids = tf.SparseTensor([[0, 0]], tf.constant([1], tf.int64), [1, 1])
    table = tf.ones([3, 2])
    with pytest.raises(ValueError, match="combiner must be one of 'mean', 'sqrtn' or 'sum', got max"):
        tf.nn.embedding_lookup_sparse(table, ids, None, combiner="max")
    with pytest.raises(TypeError, match="sp_ids must be SparseTensor"):
        tf.nn.embedding_lookup_sparse(table, tf.constant([[1]]), None)
    with pytest.raises(TypeError, match="sp_weights must be either None or SparseTensor"):
        tf.nn.embedding_lookup_sparse(table, ids, tf.ones([1]))
    with pytest.raises(ValueError, match="Missing embedding_weights"):
        tf.nn.safe_embedding_lookup_sparse([], ids)
