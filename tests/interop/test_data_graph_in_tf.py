"""A tf.data graph built by the engine (dataset ops without traced functions) loads and runs in TensorFlow."""

import json
import os
import subprocess

import numpy as np

import engine as tf

_TF_RUNS = """
import json, sys
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
graph_def = tf.GraphDef()
graph_def.ParseFromString(open(sys.argv[1], "rb").read())
tf.import_graph_def(graph_def, name="")
graph = tf.get_default_graph()
out = []
with tf.Session() as sess:
    rows = np.arange(10, dtype=np.float32).reshape(5, 2)
    sess.run(graph.get_operation_by_name("MakeIterator"), {"x:0": rows})
    try:
        while True:
            out.append(sess.run(["out:0", "rows:0"]))
    except tf.errors.OutOfRangeError:
        pass
print(json.dumps([[int(i), r.tolist()] for i, r in out]))
"""


def test_tensorflow_runs_our_dataset_graph(tmp_path, tf_python):
    python = tf_python
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        ds = tf.data.Dataset.from_tensor_slices((x, np.arange(5))).repeat(2).batch(3)
        ds = ds.skip(1).take(2).prefetch(1)
        ds = tf.data.Dataset.zip((ds, tf.data.Dataset.range(9))).concatenate(
            tf.data.Dataset.zip((ds, tf.data.Dataset.range(2)))).shuffle(1, seed=3)
        iterator = ds.make_initializable_iterator()
        (rows, _), index = iterator.get_next()
        tf.identity(index, name="out")
        tf.identity(rows, name="rows")
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
        with tf.Session() as sess:
            sess.run(iterator.initializer, {x: np.arange(10, dtype=np.float32).reshape(5, 2)})
            ours = []
            while True:
                try:
                    i, r = sess.run([index, rows])
                except tf.errors.OutOfRangeError:
                    break
                ours.append([int(i), r.tolist()])
    done = subprocess.run([python, "-c", _TF_RUNS, str(tmp_path / "graph.pb")], capture_output=True,
                          text=True, timeout=300, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert theirs == ours
    assert [i for i, _ in ours] == [0, 1, 0, 1]
