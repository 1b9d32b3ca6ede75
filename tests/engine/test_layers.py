"""tf.layers against TensorFlow 2.21's tf.compat.v1.layers: variable and op names, output shapes,
collections and values of one graph built by the same code (tests/fixtures/layers/layers_model.py; the
fixture comes from make_fixture.py there), plus reuse semantics and TF's errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layers"
META = json.loads((FIXTURES / "layers_tf.json").read_text())
VALUES = np.load(FIXTURES / "layers_tf.npz")
# TF builds a FusedBatchNormV3 for these 4-D batch normalizations; the engine builds the non-fused ops.
FUSED_IN_TF = ("batch_normalization/", "bn_t/")


def _model():
    spec = importlib.util.spec_from_file_location("layers_model", FIXTURES / "layers_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


@pytest.fixture
def model():
    return _model().build(tf)


def test_variables_collections_and_shapes_are_tfs(model):
    _, _, out = model
    assert [[v.name, v.shape.as_list()] for v in tf.global_variables()] == META["variables"]
    assert [v.name for v in tf.trainable_variables()] == META["trainable"]
    assert [op.name for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)] == META["update_ops"]
    assert [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)] == META[
        "regularization_losses"
    ]
    assert {k: {"shape": str(t.shape), "dtype": t.dtype.name} for k, t in out.items()} == META["outputs"]


def test_layer_op_names_are_tfs(model):
    ours = set(_model().layer_ops(tf.get_default_graph()))
    theirs = set(META["layer_ops"])
    assert theirs <= ours
    assert all(name.split(" ")[1].startswith(FUSED_IN_TF) for name in ours - theirs)


def test_values_match_tensorflow(model):
    values = _model().run(tf, *model)
    assert sorted(values) == sorted(VALUES.files)
    for key, value in values.items():
        np.testing.assert_allclose(value, VALUES[key], rtol=1e-5, atol=1e-5, err_msg=key)


def test_layer_names_scopes_and_second_calls():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.Dense(3)
    assert layer.name == "dense_1"  # the object's name; its scope is `dense`
    y = layer(x)
    assert (layer.scope_name, y.name) == ("dense", "dense/BiasAdd:0")
    assert layer(x).name == "dense/BiasAdd_1:0"
    assert [v.name for v in layer.trainable_variables] == ["dense/kernel:0", "dense/bias:0"]
    assert tf.layers.dense(x, 3).name == "dense_1/BiasAdd:0"
    assert tf.layers.dense(x, 3, name="out").name == "out/BiasAdd:0"
    assert tf.layers.dense(x, 3, name="out", reuse=True).name == "out_1/BiasAdd:0"
    with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
        assert tf.layers.dense(x, 3, name="q").name == "s/q/BiasAdd:0"
        assert tf.layers.dense(x, 3, name="q").name == "s/q_1/BiasAdd:0"
    assert len(tf.global_variables()) == 8
    assert tf.layers.Conv2D(3, 2).name == "conv2d_1"
    assert tf.layers.MaxPooling2D(2, 2).name == "max_pooling2d_1"


def test_layer_errors_are_tfs():
    x = tf.placeholder(tf.float32, [None, 4])
    tf.layers.dense(x, 3, name="m")
    with pytest.raises(ValueError, match="Variable m/kernel already exists, disallowed"):
        tf.layers.dense(x, 3, name="m")
    with pytest.raises(ValueError, match="Variable nope/kernel does not exist, or was not created"):
        tf.layers.dense(x, 3, name="nope", reuse=True)
    with pytest.raises(
        ValueError,
        match=r"Trying to share variable m/kernel, but specified shape \(5, 3\) and found "
        r"shape \(4, 3\)",
    ):
        tf.layers.dense(tf.placeholder(tf.float32, [None, 5]), 3, name="m", reuse=True)
    with pytest.raises(
        ValueError,
        match=r"The last dimension of the inputs to a Dense layer should be defined. Found "
        r"None. Full input shape received: \(\?, \?\)",
    ):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)


def test_regularizer_losses_and_layer_losses():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.Dense(2, kernel_regularizer=lambda w: tf.reduce_sum(w), bias_regularizer=tf.nn.l2_loss)
    layer(x)
    layer(x)  # a second call creates no second loss
    names = [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)]
    assert names == ["dense/kernel/Regularizer/Sum:0", "dense/bias/Regularizer/L2Loss:0"]
    assert [t.name for t in layer.losses] == names


def test_batch_norm_training_tensor_uses_batch_or_moving_statistics():
    x = tf.placeholder(tf.float32, [None, 3])
    training = tf.placeholder_with_default(False, [])
    y = tf.layers.batch_normalization(x, training=training, momentum=0.5)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    data = np.arange(12, dtype=np.float32).reshape(4, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        inferred = sess.run(y, {x: data})  # moving mean 0, variance 1
        np.testing.assert_allclose(inferred, data / np.sqrt(1 + 1e-3), rtol=1e-6)
        trained, _ = sess.run([y, updates], {x: data, training: True})
        np.testing.assert_allclose(trained, (data - data.mean(0)) / np.sqrt(data.var(0) + 1e-3), rtol=1e-5)
        mean, var = sess.run(["batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"])
        np.testing.assert_allclose(mean, 0.5 * data.mean(0), rtol=1e-6)
        np.testing.assert_allclose(
            var, 0.5 + 0.5 * data.var(0), rtol=1e-6
        )  # 2-D: not fused, no Bessel factor
        sess.run(updates, {x: data})  # training False: momentum 1, the statistics stay
        np.testing.assert_allclose(sess.run("batch_normalization/moving_mean:0"), mean)


def test_dropout_layer_training_switch():
    x = tf.ones([200, 50])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.dropout(x, rate=0.5, training=training)
    assert y.shape.as_list() == [200, 50]
    with tf.Session() as sess:
        off = sess.run(y, {training: False})
        on = sess.run(y, {training: True})
    np.testing.assert_array_equal(off, np.ones((200, 50)))
    assert set(np.unique(on)) <= {0.0, 2.0} and 0.4 < (on == 0).mean() < 0.6


def test_dropout_training_tensor_builds_tfs_cond():
    spec = importlib.util.spec_from_file_location("make_dropout_cond", FIXTURES / "make_dropout_cond.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    theirs = json.loads((FIXTURES / "dropout_cond_tf.json").read_text())
    assert json.loads(json.dumps(module.graph(tf))) == theirs


def test_layers_train_with_gradients():
    x = tf.placeholder(tf.float32, [None, 6, 6, 1])
    labels = tf.placeholder(tf.int64, [None])
    h = tf.layers.conv2d(x, 4, 3, activation=tf.nn.relu)
    h = tf.layers.batch_normalization(h, training=True)
    h = tf.layers.max_pooling2d(h, 2, 2)
    logits = tf.layers.dense(tf.layers.flatten(h), 3)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
    rng = np.random.RandomState(0)
    data = rng.rand(12, 6, 6, 1).astype(np.float32)
    target = rng.randint(0, 3, 12)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: data, labels: target})
        for _ in range(40):
            sess.run(train, {x: data, labels: target})
        assert sess.run(loss, {x: data, labels: target}) < first * 0.5


def test_contrib_layers_names():
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    c = tf.contrib.layers.conv2d(x, 4, 3, weights_regularizer=tf.contrib.layers.l2_regularizer(0.1))
    f = tf.contrib.layers.flatten(c)
    y = tf.contrib.layers.fully_connected(f, 5)
    b = tf.contrib.layers.batch_norm(y, updates_collections=None)
    assert (c.name, f.name, y.name) == ("Conv/Relu:0", "Flatten/flatten/Reshape:0", "fully_connected/Relu:0")
    assert c.shape.as_list() == [None, 8, 8, 4] and b.shape.as_list() == [None, 5]
    names = [
        "Conv/weights:0",
        "Conv/biases:0",
        "fully_connected/weights:0",
        "fully_connected/biases:0",
        "BatchNorm/beta:0",
        "BatchNorm/moving_mean:0",
        "BatchNorm/moving_variance:0",
    ]
    assert [v.name for v in tf.global_variables()] == names
    assert [v.name for v in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)] == names
    assert [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)] == [
        "Conv/weights/Regularizer/l2_regularizer:0"
    ]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    with pytest.raises(ValueError, match="scale cannot be an integer: 1"):
        tf.contrib.layers.l2_regularizer(1)


def test_reuse_trainable_and_name_scope_cases_are_tfs():
    """Names and collections as TF 2.21's tf.compat.v1.layers gives them for the same calls."""
    x = tf.placeholder(tf.float32, [None, 4])
    a = tf.layers.dense(x, 3, name="auto", reuse=tf.AUTO_REUSE)
    b = tf.layers.dense(x, 3, name="auto", reuse=tf.AUTO_REUSE)
    assert (a.name, b.name) == ("auto/BiasAdd:0", "auto_1/BiasAdd:0")
    with tf.variable_scope("net"):
        h = tf.layers.dense(x, 2, trainable=False)
    with tf.variable_scope("net", reuse=True):
        h2 = tf.layers.dense(x, 2)
    assert (h.name, h2.name) == ("net/dense/BiasAdd:0", "net_1/dense/BiasAdd:0")
    assert [v.name for v in tf.trainable_variables()] == ["auto/kernel:0", "auto/bias:0"]
    with tf.name_scope("outer"):
        layer = tf.layers.Dense(1)
        y = layer(x)
    assert (y.name, [v.name for v in layer.variables]) == (
        "outer/dense/BiasAdd:0",
        ["dense/kernel:0", "dense/bias:0"],
    )
    bn = tf.layers.BatchNormalization(trainable=False)
    z = bn(tf.placeholder(tf.float32, [None, 3]), training=True)
    assert z.name == "batch_normalization/batchnorm/add_1:0" and bn.trainable_weights == []
    assert [v.name for v in bn.non_trainable_weights] == [
        "batch_normalization/gamma:0",
        "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0",
    ]
