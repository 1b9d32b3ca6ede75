"""Real TensorFlow imports the engine's training GraphDef (gradient ops, ``ApplyAdam``,
``ApplyMomentum``, conv/pool backprop ops, ``BroadcastGradientArgs``...) and trains it to the same losses.

TensorFlow runs in a subprocess under the suite's ``tf_python`` (tests/conftest.py: ``$TF_PYTHON``, else
the cached venv ``make tfref`` builds); without one the test skips, or fails under CI/REQUIRE_TF.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import numpy as np

import engine as tf

TF_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(open(sys.argv[1], "rb").read())
    tf.import_graph_def(graph_def, name="")
    feed = {k: np.array(v, np.float32) for k, v in json.load(open(sys.argv[2])).items()}
    with tf.Session() as sess:
        sess.run("init")
        losses = [float(sess.run(["total:0", "Adam", "Momentum"], feed)[0]) for _ in range(5)]
    print(json.dumps(losses))
""")


def test_tensorflow_trains_our_graph_to_the_same_losses(tmp_path, tf_python):
    rng = np.random.RandomState(0)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        y = tf.placeholder(tf.float32, [None, 3], name="y")
        img = tf.placeholder(tf.float32, [None, 6, 6, 1], name="img")
        w1 = tf.Variable(rng.randn(4, 8).astype(np.float32) * 0.5, name="w1")
        b1 = tf.Variable(np.zeros(8, np.float32), name="b1")
        w2 = tf.Variable(rng.randn(8, 3).astype(np.float32) * 0.5, name="w2")
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2)
        loss = tf.losses.softmax_cross_entropy(y, logits) + tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits)
        )
        adam = tf.train.AdamOptimizer(0.05).minimize(loss, var_list=[w1, b1, w2])
        f = tf.Variable(rng.randn(3, 3, 1, 2).astype(np.float32), name="f")
        conv = tf.nn.conv2d(img, f, [1, 1, 1, 1], "SAME")
        pooled = tf.nn.avg_pool(
            tf.nn.max_pool(conv, [1, 2, 2, 1], [1, 1, 1, 1], "SAME"), [1, 2, 2, 1], [1, 2, 2, 1], "VALID"
        )
        cnn_loss = tf.reduce_mean(tf.square(pooled))
        momentum = tf.train.MomentumOptimizer(0.01, 0.9).minimize(cnn_loss, var_list=[f])
        total = tf.add(loss, cnn_loss, name="total")
        tf.global_variables_initializer()
    feed_values = {
        "x:0": rng.randn(5, 4).tolist(),
        "y:0": np.eye(3)[[0, 1, 2, 1, 0]].tolist(),
        "img:0": rng.rand(2, 6, 6, 1).tolist(),
    }
    with tf.Session(graph=g) as sess:
        sess.run(g.get_operation_by_name("init"))
        feed = {g.get_tensor_by_name(k): np.array(v, np.float32) for k, v in feed_values.items()}
        ours = [float(sess.run([total, adam, momentum], feed)[0]) for _ in range(5)]

    (tmp_path / "graph.pb").write_bytes(g.as_graph_def().SerializeToString())
    (tmp_path / "feed.json").write_text(json.dumps(feed_values))
    (tmp_path / "run.py").write_text(TF_SCRIPT)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0", PYTHONPATH="")
    result = subprocess.run(
        [tf_python, str(tmp_path / "run.py"), str(tmp_path / "graph.pb"), str(tmp_path / "feed.json")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    theirs = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
