"""Our cond / case / while_loop GraphDefs imported into real TensorFlow (TF1 behaviour) and run there:
the same values as the engine's, so the graphs are TF's own control flow, not look-alikes.  TensorFlow
is the suite's ``tf_python`` (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np

import engine as tf

TF_SIDE = r"""
import json, sys
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
spec = json.loads(sys.stdin.read())
gd = tf.GraphDef()
gd.ParseFromString(bytes.fromhex(spec["graph"]))
out = []
with tf.Graph().as_default() as g:
    tf.import_graph_def(gd, name="")
    with tf.Session() as s:
        for op in spec["init"]:
            s.run(op)
        for feeds in spec["feeds"]:
            out.append([np.asarray(v).tolist() for v in s.run(spec["fetch"], feeds)])
print(json.dumps(out))
"""


def _run_in_tf(python, graph, fetch, feeds, init=()):
    spec = {
        "graph": graph.as_graph_def().SerializeToString().hex(),
        "fetch": [t.name for t in fetch],
        "feeds": [{k.name: v for k, v in f.items()} for f in feeds],
        "init": list(init),
    }
    proc = subprocess.run(
        [python, "-c", TF_SIDE],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.splitlines()[-1])


def _run_here(graph, fetch, feeds, init=()):
    with graph.as_default(), tf.Session() as s:
        for op in init:
            s.run(op)
        return [[np.asarray(v).tolist() for v in s.run(fetch, f)] for f in feeds]


def test_cond_case_and_their_gradients_run_in_tf(tf_python):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        p = tf.placeholder(tf.bool, [], name="p")
        k = tf.placeholder(tf.int32, [], name="k")
        y = tf.cond(p, lambda: tf.reduce_sum(tf.sin(x) * x), lambda: tf.reduce_sum(tf.exp(x)))
        picked = tf.case(
            [(k < 0, lambda: x * -1.0), (tf.equal(k, 0), lambda: x * 0.0)], default=lambda: x, exclusive=True
        )
        grad = tf.gradients(y, x)[0]
        fetch = [y, picked, grad]
        feeds = [{x: [0.5, -1.0, 2.0], p: pv, k: kv} for pv, kv in ((True, -3), (False, 0), (True, 4))]
    ours = _run_here(g, fetch, feeds)
    theirs = _run_in_tf(tf_python, g, fetch, feeds)
    for a, b in zip(ours, theirs, strict=True):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_allclose(u, v, rtol=1e-6)


def test_while_loops_run_in_tf(tf_python):
    g = tf.Graph()
    with g.as_default():
        n = tf.placeholder(tf.int32, [], name="n")
        w = tf.Variable(1.5, name="w")

        def outer_body(i, acc):
            _, inner = tf.while_loop(
                lambda j, s: j < i, lambda j, s: (j + 1, s + tf.cast(j, tf.float32) * w), [0, 0.0]
            )
            return i + 1, acc + inner

        i, acc = tf.while_loop(lambda i, acc: i < n, outer_body, [tf.constant(0), tf.constant(0.0)])
        grown = tf.while_loop(
            lambda t: tf.size(t) < n,
            lambda t: tf.concat([t, t], 0),
            [tf.ones([1])],
            shape_invariants=[tf.TensorShape([None])],
        )
        init = tf.global_variables_initializer()
        fetch = [i, acc, grown]
        feeds = [{n: 0}, {n: 4}]
    ours = _run_here(g, fetch, feeds, [init.name])
    theirs = _run_in_tf(tf_python, g, fetch, feeds, [init.name])
    assert ours == theirs
