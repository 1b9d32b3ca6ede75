"""TensorArrays and while-loop gradients against real TensorFlow: the graphs of
tests/engine/loop_graphs.py built here have TF's node names (TensorArray ops and their gradients, and
the frame and stack ops of loop gradients) and TF's values; the GraphDefs TF wrote of them run here with
TF's values; and the gradients agree with finite differences."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf
from engine.proto import graph_pb2
from tests.engine import loop_graphs
from tests.engine.control_flow_fixtures import nodes

HERE = Path(__file__).parents[1] / "fixtures" / "loops"
FIXTURES = json.loads((HERE / "loops.json").read_text())
_LOOP_GRADIENT_OPS = {"Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond", "StackV2",
                      "StackPushV2", "StackPopV2", "ControlTrigger"}


def _compared(graph_nodes):
    """TensorArray nodes in full; the frame and stack ops of loop gradients by name and type (their
    inputs name gradient ops of other op types, which are other modules' business).  Only the first
    gradients call: an optimizer's gated gradients (`gradients_1`) order their `tuple` control edges as
    control_flow_ops.tuple does, not as TF."""
    out = []
    for name, op_type, *inputs in graph_nodes:
        if name.startswith("gradients_"):
            continue
        if "TensorArray" in name or op_type.startswith("TensorArray"):
            out.append([name, op_type, inputs[0]])
        elif op_type in _LOOP_GRADIENT_OPS and name.startswith("gradients"):
            out.append([name, op_type])
    return out


def assert_values(ours, theirs):
    for run_ours, run_theirs in zip(ours, theirs, strict=True):
        for a, b in zip(run_ours, run_theirs, strict=True):
            np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=2e-5,
                                       atol=1e-6)


@pytest.mark.parametrize("name", sorted(loop_graphs.GRAPHS))
def test_graph_has_tf_names_and_values(name):
    g = tf.Graph()
    with g.as_default():
        fetch, feeds = loop_graphs.GRAPHS[name](tf)
    expected = FIXTURES[name]
    assert _compared(nodes(g)) == _compared(expected["nodes"])
    assert [t.name for t in fetch] == expected["fetch"]
    assert_values(loop_graphs.run_all(tf, g, fetch, feeds), expected["values"])


@pytest.mark.parametrize("name", sorted(loop_graphs.GRAPHS))
def test_tf_written_graph_runs_here(name):
    gd = graph_pb2.GraphDef()
    gd.ParseFromString((HERE / f"{name}.pb").read_bytes())
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
    expected = FIXTURES[name]
    fetch = [g.get_tensor_by_name(n) for n in expected["fetch"]]
    assert_values(loop_graphs.run_all(tf, g, fetch, expected["feeds"]), expected["values"])


def _finite_differences(build, values, eps=1e-6):
    """(analytic, numeric) gradients of sum(w * y) for y = build(*xs), in float64."""
    g = tf.Graph()
    with g.as_default():
        xs = [tf.placeholder(tf.float64, np.shape(v)) for v in values]
        y = build(*xs)
        with tf.Session() as s:
            shape = s.run(y, dict(zip(xs, values, strict=True))).shape
            objective = tf.reduce_sum(y * np.random.default_rng(0).uniform(0.5, 1.5, size=shape))
            grads = tf.gradients(objective, xs)
            analytic = s.run(grads, dict(zip(xs, values, strict=True)))
            numeric = []
            for i, v in enumerate(values):
                num = np.zeros_like(v)
                for idx in np.ndindex(*v.shape):
                    up = [a.copy() for a in values]
                    down = [a.copy() for a in values]
                    up[i][idx] += eps
                    down[i][idx] -= eps
                    f_up = s.run(objective, dict(zip(xs, up, strict=True)))
                    f_down = s.run(objective, dict(zip(xs, down, strict=True)))
                    num[idx] = (f_up - f_down) / (2 * eps)
                numeric.append(num)
    return analytic, numeric


def _nested(x, y):
    def outer(i, v):
        _, v = tf.while_loop(lambda j, u: j < i + 1, lambda j, u: (j + 1, tf.sin(u) * y + u), [0, v])
        return i + 1, v * x

    return tf.while_loop(lambda i, v: i < 3, outer, [0, x])[1]


def _cond_in_loop(x, y):
    def body(i, a, b):
        a = tf.cond(tf.reduce_sum(a) > 0.0, lambda: a * b, lambda: a - tf.square(b))
        return i + 1, a, b * 0.5 + tf.cos(b)  # (no stop_gradient: finite differences see through it)

    return tf.while_loop(lambda i, a, b: i < 4, body, [0, x, y])[1]


def _rnn(x, w):
    n = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float64, size=n).unstack(x)

    def body(i, h, out):
        h = tf.tanh(tf.matmul(tf.expand_dims(inputs.read(i), 0), w) + h)
        return i + 1, h, out.write(i, h[0])

    _, _, out = tf.while_loop(lambda i, h, o: i < n, body,
                              [0, tf.zeros([1, 2], tf.float64), tf.TensorArray(tf.float64, size=n)])
    return out.stack()


def _map_scan_fold(x, y):
    mapped = tf.map_fn(lambda r: tf.sin(r) * y, x)
    scanned = tf.scan(lambda a, r: a * r + y, mapped, reverse=True)
    return tf.foldl(lambda a, r: a * tf.cos(r), scanned, initializer=y) + tf.foldr(lambda a, r: a + r * r, x)


@pytest.mark.parametrize("build,shapes", [
    (_nested, [(2,), (2,)]),
    (_cond_in_loop, [(3,), (3,)]),
    (_rnn, [(4, 2), (2, 2)]),
    (_map_scan_fold, [(3, 2), (2,)]),
], ids=["nested", "cond_in_loop", "rnn", "map_scan_fold"])
def test_gradients_match_finite_differences(build, shapes):
    rng = np.random.default_rng(1)
    values = [rng.uniform(0.2, 1.0, size=s) * rng.choice([-1.0, 1.0], size=s) for s in shapes]
    analytic, numeric = _finite_differences(build, values)
    for a, n in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-6)


def test_back_prop_false_gives_no_gradient():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        v = tf.while_loop(lambda v: tf.reduce_sum(v) < 10.0, lambda v: v * 2.0, [x], back_prop=False)
        assert tf.gradients(v, x) == [None]


def test_second_order_gradient_through_a_loop_is_refused_as_in_tf():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        v = tf.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, v * v), [0, x])[1]
        grad = tf.gradients(v, x)[0]
        with pytest.raises(TypeError, match="Second-order gradient for while loops not supported."):
            tf.gradients(grad, x)
