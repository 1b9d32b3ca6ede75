"""A `tf.nn.dynamic_rnn` model trained and saved by real TensorFlow (tests/fixtures/dynamic_rnn, with the
script that wrote it) runs in the engine: its MetaGraphDef (the `rnn/while` loop and TensorArrays) imported
and restored, and its checkpoint restored into the same model built by the engine, both giving TF's
outputs. The engine's own checkpoint and MetaGraphDef of that model then restore and run in real TF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import engine as tf

FIXTURE = Path(__file__).parents[1] / "fixtures" / "dynamic_rnn"
sys.path.insert(0, str(FIXTURE))
import model  # noqa: E402

EXPECTED = json.loads((FIXTURE / "expected.json").read_text())
PREFIX = str(FIXTURE / "model.ckpt")


def _assert_tf_values(values):
    for key, expected in EXPECTED["values"].items():
        np.testing.assert_allclose(values[key], np.asarray(expected), rtol=1e-5, atol=1e-6, err_msg=key)


def test_tf_meta_graph_and_checkpoint_run_in_the_engine():
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(PREFIX + ".meta")
        assert graph.get_operation_by_name("rnn/while/LoopCond").type == "LoopCond"
        with tf.Session() as sess:
            saver.restore(sess, PREFIX)
            feed = {graph.get_tensor_by_name(k + ":0"): v for k, v in model.feeds().items()}
            fetches = {k: graph.get_tensor_by_name(name) for k, name in EXPECTED["fetches"].items()}
            _assert_tf_values(sess.run(fetches, feed))


def test_tf_checkpoint_restores_into_the_engine_model():
    with tf.Graph().as_default():
        placeholders, fetches = model.build(tf)
        assert [[v.op.name, v.shape.as_list()] for v in tf.global_variables()] == EXPECTED["variables"]
        assert {k: t.name for k, t in fetches.items()} == EXPECTED["fetches"]
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, PREFIX)
            _assert_tf_values(sess.run(fetches, {placeholders[k]: v for k, v in model.feeds().items()}))


_TF_SIDE = """
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_USE_LEGACY_KERAS"] = "1"
warnings.simplefilter("ignore")
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
import model
prefix = sys.argv[2]
results = {}
with tf.Graph().as_default():
    placeholders, fetches = model.build(tf)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, prefix)
        feed = {placeholders[k]: v for k, v in model.feeds().items()}
        results["built"] = {k: v.tolist() for k, v in sess.run(fetches, feed).items()}
with tf.Graph().as_default() as graph:
    saver = tf.train.import_meta_graph(prefix + ".meta")
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        feed = {graph.get_tensor_by_name(k + ":0"): v for k, v in model.feeds().items()}
        names = json.loads(sys.argv[3])
        fetched = sess.run({k: graph.get_tensor_by_name(n) for k, n in names.items()}, feed)
        results["imported"] = {k: v.tolist() for k, v in fetched.items()}
print("RESULT " + json.dumps(results))
"""


def test_engine_checkpoint_restores_in_tensorflow(tf_python, tmp_path):
    with tf.Graph().as_default():
        placeholders, fetches = model.build(tf)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, PREFIX)
            for (
                v
            ) in tf.trainable_variables():  # weights of our own, so TF cannot pass by reading its own file
                sess.run(
                    tf.assign_add(
                        v,
                        0.05
                        * np.cos(np.arange(np.prod(v.shape.as_list())))
                        .reshape(v.shape.as_list())
                        .astype(np.float32),
                    )
                )
            ours = sess.run(fetches, {placeholders[k]: v for k, v in model.feeds().items()})
            prefix = tf.train.Saver().save(sess, str(tmp_path / "engine.ckpt"))
    names = {k: t.name for k, t in fetches.items()}
    done = subprocess.run(
        [tf_python, "-c", _TF_SIDE, str(FIXTURE), prefix, json.dumps(names)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(
        [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")][-1][len("RESULT ") :]
    )
    assert not np.allclose(ours["probabilities"], EXPECTED["values"]["probabilities"])
    for how in ("built", "imported"):
        for key, value in ours.items():
            np.testing.assert_allclose(
                np.asarray(results[how][key]), value, rtol=1e-5, atol=1e-6, err_msg=f"{how}: {key}"
            )


def test_fixture_graph_is_tfs_while_loop_over_tensor_arrays():
    """The fixture really holds TF1's loop over TensorArrays, node for node as the engine builds it."""
    meta = tf.MetaGraphDef()
    meta.ParseFromString((FIXTURE / "model.ckpt.meta").read_bytes())
    theirs = [(node.name, node.op) for node in meta.graph_def.node]
    assert ("rnn/TensorArray", "TensorArrayV3") in theirs
    assert ("rnn/while/TensorArrayReadV3", "TensorArrayReadV3") in theirs
    assert ("rnn/while/TensorArrayWrite/TensorArrayWriteV3", "TensorArrayWriteV3") in theirs
    with tf.Graph().as_default() as graph:
        model.build(tf)
        ours = [(op.name, op.type) for op in graph.get_operations()]
    assert ours == [(name, op) for name, op in theirs if not name.startswith("save/")]
