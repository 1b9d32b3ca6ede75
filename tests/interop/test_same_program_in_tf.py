"""The same TF1 snippets run under real TensorFlow 2.21 (`tf.compat.v1`, v2 behaviour off) and under the
engine print the same: graph node names, types and inputs, build and run error texts, reprs, and the
identity of a tensor fetched twice.

Each snippet is Python source run with `tf` bound to either library; it returns a JSON-able value. TF
runs all snippets in one subprocess of the suite's ``tf_python`` (tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import engine

_PRELUDE = """
import io, contextlib
import numpy as np

def nodes(g):
    return [[o.name, o.type, [i.name for i in o.inputs]] for o in g.get_operations()]

def error(f):
    try:
        f()
    except Exception as e:  # the class and the first line of TF's text (run-time errors add context)
        lines = [line for line in str(e).split("\\n") if line and not line.startswith("Graph execution")]
        return [type(e).__name__, lines[0] if type(e).__name__ == "ValueError" or len(lines) == 1
                else next((line for line in lines if "Expected" in line or "assertion" in line), lines[0])]
    return None

def quiet(f):
    with contextlib.redirect_stderr(io.StringIO()):
        return f()
"""

SNIPPETS = {
    # cross-entropies: the graphs TF builds (reshapes to rank 2, names, the v1 `_sg` scope)
    "xent_graphs": """
out = []
for fn in ["softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits"]:
    for shape in [[2, 3], [4, 2, 3], None]:
        g = tf.Graph()
        with g.as_default():
            logits = tf.placeholder(tf.float32, shape, name="logits")
            if fn.startswith("sparse"):
                labels = tf.placeholder(tf.int32, None if shape is None else shape[:-1], name="labels")
            else:
                labels = tf.placeholder(tf.float32, shape, name="labels")
            loss = quiet(lambda: getattr(tf.nn, fn)(labels=labels, logits=logits))
            out.append([fn, str(shape), loss.name, str(loss.shape), nodes(g)])
result = out
""",
    "xent_errors": """
from_ops = []
with tf.Graph().as_default():
    for labels, logits in [([2, 4], [2, 3]), ([5, 3], [2, 3]), ([2, 3], [2, 3, 1])]:
        from_ops.append(error(lambda: quiet(lambda: tf.nn.softmax_cross_entropy_with_logits(
            labels=tf.ones(labels), logits=tf.ones(logits)))))
    for labels, logits in [([3], [2, 3]), ([2, 3], [2, 4, 3]), ([2], [2, 4, 3]), ([], [])]:
        from_ops.append(error(lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.ones(labels, tf.int32), logits=tf.ones(logits))))
    from_ops.append(error(lambda: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.ones([2, 4]), logits=tf.ones([2, 3]))))
result = [re.sub(r"_\\d+", "", str(e)) for e in from_ops]
""",
    "asserts": """
g = tf.Graph()
with g.as_default():
    a = tf.placeholder(tf.int32, None, name="a")
    b = tf.placeholder(tf.int32, None, name="b")
    f = tf.placeholder(tf.float32, None, name="f")
    first = tf.assert_equal(a, b)
    tf.assert_equal(a, b, message="hi", name="chk")
    tf.debugging.assert_equal(a, b)
    tf.Assert(tf.reduce_all(f > 0), ["bad", f, 3.0])
    tf.assert_positive(f)
    with tf.Session() as sess:
        failed = error(lambda: sess.run(first, {a: [1, 2], b: [1, 3]}))
result = [nodes(g), failed]
""",
    "slices": """
out = []
with tf.Graph().as_default():
    x = tf.ones([2, 3])
    with tf.Session() as sess:
        for begin, size in [([0, 0], [3, 3]), ([3, 0], [1, 1]), ([0, 0], [-2, 1]), ([1, 1], [-1, -1]),
                            ([-1, 0], [1, 1]), ([2, 0], [0, 3])]:
            built = []
            built.append(error(lambda: built.append(tf.slice(x, begin, size))))
            if len(built) == 2:
                out.append([str(built[0].shape), error(lambda: sess.run(built[0]))])
            else:
                out.append(built)
result = out
""",
    "conversions": """
result = [error(f) for f in [
    lambda: tf.random_normal([2], dtype=tf.int32), lambda: tf.constant(0.5, dtype=tf.int32),
    lambda: tf.constant(["a"], dtype=tf.int32), lambda: tf.constant(b"x", dtype=tf.float32),
    lambda: tf.constant(1, dtype=tf.string), lambda: tf.convert_to_tensor(1.5, dtype=tf.int64),
    lambda: tf.bitwise.bitwise_and(tf.constant([1]), 2.5),
    lambda: tf.logical_and(tf.constant([True]), 1)]]
""",
    "autopacking": """
g = tf.Graph()
with g.as_default():
    p = tf.placeholder(tf.int32, [], name="p")
    q = tf.placeholder(tf.int64, [], name="q")
    tf.reshape(tf.ones([4]), [-1, p])
    tf.reshape(tf.ones([4]), [[2, p][0], 2])
    tf.convert_to_tensor([[1, p], [3, 4]])
    tf.convert_to_tensor([1, q])
    tf.convert_to_tensor([1, q], dtype=tf.int32)
    clash = error(lambda: tf.convert_to_tensor([p, q]))
result = [nodes(g), re.sub(" at 0x[0-9a-f]+", "", str(clash))]
""",
    "fetch_twice_and_reprs": """
with tf.Graph().as_default():
    t = tf.ones([2]) * 2
    p = tf.placeholder(tf.bool, [], name="p")
    c = tf.cond(p, lambda: t + 1, lambda: t - 1)
    with tf.Session() as sess:
        a, b = sess.run([t, t])
        d = sess.run({"x": t, "y": [t, (t,)]})
        e, f = sess.run([c, c], {p: True})
        result = [a is b, d["x"] is d["y"][0] is d["y"][1][0], e is f,
                  re.sub("0x[0-9a-f]+", "0x", repr(sess))]
""",
}

_RUNNER = """
import json, os, re, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
tf.get_logger().setLevel("ERROR")
snippets = json.loads(sys.stdin.read())
out = {}
for key, source in snippets.items():
    scope = {"tf": tf, "re": re}
    exec(PRELUDE + source, scope)
    out[key] = scope["result"]
print("RESULT" + json.dumps(out))
"""


def _run_engine(source):
    scope = {"tf": engine, "re": re}
    exec(_PRELUDE + source, scope)  # noqa: S102 - the test's own snippets
    return json.loads(json.dumps(scope["result"]))


@pytest.fixture(scope="module")
def tf_results(tf_python):
    runner = _RUNNER.replace("PRELUDE", repr(_PRELUDE))
    done = subprocess.run([tf_python, "-c", runner], input=json.dumps(SNIPPETS), capture_output=True,
                          text=True, timeout=600, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


@pytest.mark.parametrize("key", sorted(SNIPPETS))
def test_snippet_prints_what_tensorflow_prints(tf_results, key):
    assert _run_engine(SNIPPETS[key]) == tf_results[key]
