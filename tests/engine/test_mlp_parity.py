"""Training parity: the engine trains the fixture MLP exactly as TensorFlow 1.x did (Adam, 200 steps), and
plain gradient descent / momentum on a small model exactly as the update rules written out in numpy."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import engine as tf
from tests.conftest import REAL_FIXTURES

MLP = REAL_FIXTURES / "tf1_mlp"


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def dense_relu(x, size, scope):
    with tf.variable_scope(scope):
        w = tf.get_variable("weight", [x.shape[1], size])
        b = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
        return tf.nn.relu(tf.matmul(x, w) + b)


def dense(x, size, scope):
    with tf.variable_scope(scope):
        w = tf.get_variable("weight", [x.shape[1], size])
        b = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


def test_adam_mlp_matches_tensorflow_step_by_step():
    data = json.loads((MLP / "data.json").read_text())
    init = json.loads((MLP / "init_variables.json").read_text())
    final = json.loads((MLP / "ckpt_variables.json").read_text())["variables"]
    with (MLP / "loss.csv").open() as f:
        tf_losses = np.array([float(row["loss"]) for row in csv.DictReader(f)])

    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 3], name="y")
    logits = dense(dense_relu(dense_relu(x, 16, "layer1"), 16, "layer2"), 3, "output")
    loss = tf.losses.softmax_cross_entropy(onehot_labels=y, logits=logits)
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    assert sorted(v.op.name for v in tf.global_variables()) == sorted(init)
    feed = {x: np.array(data["x"], np.float32), y: np.array(data["y_onehot"], np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for v in tf.global_variables():
            v.load(np.array(init[v.op.name]["value"], np.float32), sess)
        losses = np.array([sess.run([train_op, loss], feed)[1] for _ in range(len(tf_losses))])
        trained = {v.op.name: sess.run(v) for v in tf.global_variables()}
    np.testing.assert_allclose(losses, tf_losses, rtol=1e-3)
    assert set(trained) == set(final)
    for name, value in trained.items():
        np.testing.assert_allclose(
            value, np.array(final[name]["value"], np.float32), atol=1e-4, rtol=0, err_msg=name
        )


def _small_model(rng):
    x = rng.randn(16, 3).astype(np.float32)
    t = rng.randn(16, 2).astype(np.float32)
    w0 = rng.randn(3, 2).astype(np.float32) * 0.5
    b0 = np.zeros(2, np.float32)
    return x, t, w0, b0


def _numpy_grads(x, t, w, b):
    """Gradient of mean((tanh(x w + b) - t)^2) by hand."""
    h = np.tanh(x @ w + b)
    dh = 2 * (h - t) / h.size * (1 - h * h)
    return x.T @ dh, dh.sum(0), np.mean((h - t) ** 2)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov"])
def test_gradient_descent_and_momentum_match_numpy(kind):
    rng = np.random.RandomState(3)
    xv, tv, w0, b0 = _small_model(rng)
    lr, mu = 0.1, 0.9
    x = tf.placeholder(tf.float32, [None, 3])
    t = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable(w0, name="w")
    b = tf.Variable(b0, name="b")
    loss = tf.reduce_mean(tf.square(tf.tanh(tf.matmul(x, w) + b) - t))
    if kind == "sgd":
        opt = tf.train.GradientDescentOptimizer(lr)
    else:
        opt = tf.train.MomentumOptimizer(lr, mu, use_nesterov=kind == "nesterov")
    train = opt.minimize(loss)
    ref_w, ref_b = w0.astype(np.float64), b0.astype(np.float64)
    acc_w, acc_b = np.zeros_like(ref_w), np.zeros_like(ref_b)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(25):
            gw, gb, ref_loss = _numpy_grads(xv, tv, ref_w, ref_b)
            _, got_loss = sess.run([train, loss], {x: xv, t: tv})
            assert got_loss == pytest.approx(ref_loss, rel=1e-5)
            if kind == "sgd":
                ref_w, ref_b = ref_w - lr * gw, ref_b - lr * gb
            else:
                acc_w, acc_b = mu * acc_w + gw, mu * acc_b + gb
                if kind == "nesterov":
                    ref_w, ref_b = ref_w - lr * gw - lr * mu * acc_w, ref_b - lr * gb - lr * mu * acc_b
                else:
                    ref_w, ref_b = ref_w - lr * acc_w, ref_b - lr * acc_b
        np.testing.assert_allclose(sess.run(w), ref_w, atol=1e-5)
        np.testing.assert_allclose(sess.run(b), ref_b, atol=1e-5)
        if kind != "sgd":
            np.testing.assert_allclose(sess.run(opt.get_slot(w, "momentum")), acc_w, atol=1e-5)


def test_train_mlp_example_learns_digits(tmp_path):
    pytest.importorskip("sklearn")
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("train_mlp", ROOT / "examples" / "train_mlp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main(["--steps", "200", "--print-every", "100", "--learning-rates", "0.001",
                           "--logdir", str(tmp_path)])
    (test_loss, test_acc), = results.values()
    assert test_acc > 0.9
    assert list(tmp_path.glob("lr_*/events.out.tfevents.*"))
    # One traced training step every 100 (--trace-every), as TensorBoard reads them.
    accumulator = EventAccumulator(str(tmp_path / "lr_0.001"))
    accumulator.Reload()
    assert accumulator.Tags()["run_metadata"] == ["step0", "step100"]
    stats = accumulator.RunMetadata("step100").step_stats.dev_stats[0].node_stats
    assert any(ns.node_name.endswith("MatMul") for ns in stats)
