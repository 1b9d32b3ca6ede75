"""Second derivatives through the backprop ops (MirrorPadGrad, MaxPoolGrad/MaxPoolGradGrad, AvgPoolGrad,
StridedSliceGrad, Conv2DBackpropInput/Filter): the engine's gradient graph imports into TensorFlow 2.21,
which computes the same values from it.  Runs under the suite's ``tf_python`` (tests/conftest.py);
skips without TensorFlow, or fails under CI/REQUIRE_TF."""

from __future__ import annotations

import subprocess

import numpy as np

import engine as tf

_RUN_IN_TF = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
graph_def = tf.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
tf.import_graph_def(graph_def, name="")
with tf.Session() as sess:
    np.save(sys.argv[3], sess.run(sys.argv[2], {"x:0": np.load(sys.argv[4]), "f:0": np.load(sys.argv[5])}))
"""


def test_second_derivative_graph_runs_in_tensorflow_with_the_same_values(tmp_path, tf_python):
    rng = np.random.RandomState(0)
    xv, fv = rng.randn(1, 4, 5, 2), rng.randn(2, 2, 2, 3)
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float64, [1, 4, 5, 2], name="x")
        f = tf.placeholder(tf.float64, [2, 2, 2, 3], name="f")
        parts = [
            tf.pad(x, [[0, 0], [2, 1], [1, 2], [0, 0]], mode="REFLECT"),
            tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
            tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
            x[:, 1:3, ::2, :],
            tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME"),
        ]
        loss = tf.add_n([tf.reduce_sum(tf.square(p)) for p in parts])
        gx, gf = tf.gradients(loss, [x, f])
        (second,) = tf.gradients(tf.reduce_sum(tf.square(gx)) + tf.reduce_sum(tf.square(gf)), [x])
        types = {op.type for op in graph.get_operations()}
        assert {"MirrorPadGrad", "MaxPoolGradGrad", "AvgPoolGrad", "StridedSliceGrad",
                "Conv2DBackpropInput", "Conv2DBackpropFilter"} <= types
        with tf.Session() as sess:
            ours = sess.run(second, {x: xv, f: fv})
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
    np.save(tmp_path / "x.npy", xv)
    np.save(tmp_path / "f.npy", fv)
    args = [str(tmp_path / "graph.pb"), second.name, str(tmp_path / "tf.npy"), str(tmp_path / "x.npy"),
            str(tmp_path / "f.npy")]
    subprocess.run([tf_python, "-c", _RUN_IN_TF, *args], check=True, timeout=300, capture_output=True)
    np.testing.assert_allclose(ours, np.load(tmp_path / "tf.npy"), rtol=1e-10, atol=1e-10)
