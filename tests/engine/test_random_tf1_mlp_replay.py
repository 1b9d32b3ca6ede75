"""A seeded TF1 program replays TensorFlow's run from `tf.set_random_seed` alone.

The fixtures' tf1_mlp script (real TF 2.21) seeds with `tf.set_random_seed(0)` and lets
`get_variable`'s default glorot_uniform initializer pick every weight.  Built the same way here, the
engine's initial variables equal TF's `init_variables.json` bit for bit, without loading that file,
and 200 Adam steps give TF's logged loss curve.
"""

from __future__ import annotations

import json

import numpy as np

import engine as tf
from tests.conftest import REAL_FIXTURES

ROOT = REAL_FIXTURES / "tf1_mlp"


def _dense(x, size, scope, relu):
    with tf.variable_scope(scope):
        w = tf.get_variable("weight", [x.shape[1], size])
        b = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
        out = tf.matmul(x, w) + b
        return tf.nn.relu(out) if relu else out


def test_seeded_mlp_reproduces_tf_initial_variables_and_loss_curve():
    data = json.loads((ROOT / "data.json").read_text())
    config = data["config"]
    initial = json.loads((ROOT / "init_variables.json").read_text())
    rows = (ROOT / "loss.csv").read_text().splitlines()[1:]
    expected = np.array([float(row.split(",")[1]) for row in rows if row], dtype=np.float32)

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(config["seed"])
        x = tf.placeholder(tf.float32, [None, config["d_in"]], name="x")
        y = tf.placeholder(tf.float32, [None, config["n_classes"]], name="y")
        h1 = _dense(x, config["hidden1"], "layer1", relu=True)
        h2 = _dense(h1, config["hidden2"], "layer2", relu=True)
        logits = _dense(h2, config["n_classes"], "output", relu=False)
        loss = tf.losses.softmax_cross_entropy(onehot_labels=y, logits=logits)
        train_op = tf.train.AdamOptimizer(config["learning_rate"]).minimize(loss)
        init = tf.global_variables_initializer()
        variables = {v.op.name: v for v in tf.global_variables()}
    feed = {x: np.array(data["x"], np.float32), y: np.array(data["y_onehot"], np.float32)}
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        values = sess.run(variables)
        assert set(values) == set(initial)
        for name, spec in initial.items():
            want = np.array(spec["value"], dtype=spec["dtype"]).reshape(spec["shape"])
            assert values[name].tobytes() == want.tobytes(), name
        losses = np.array([sess.run([loss, train_op], feed)[0] for _ in expected], dtype=np.float32)
    assert losses[0] == expected[0]
    np.testing.assert_allclose(losses, expected, rtol=1e-5)
