"""The dataflow executor on graphs real TensorFlow wrote: while loops (frames, loop invariants, nested
loops), a loop inside an untaken cond branch (dead frames) and a cond inside a loop body.  The GraphDefs
and values come from tests/fixtures/control_flow/make_fixtures.py run under real TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.engine.control_flow_fixtures import FIXTURES, HERE, import_graph


def test_tf_while_loop_with_a_variable_in_the_body_runs():
    g = import_graph("while")
    fixture = FIXTURES["while"]
    with g.as_default(), tf.Session() as s:
        s.run("init")
        fetch = [g.get_tensor_by_name(n) for n in fixture["fetch"]]
        for n, expected in fixture["values"].items():
            assert [v.tolist() for v in s.run(fetch, {"n:0": int(n)})] == expected
        executors = [entry.plan.executor for entry in s._plans.values()]
        assert executors == ["straight_line", "dataflow"]  # the initializer, the loop


def test_tf_nested_while_loops_run():
    g = import_graph("nested_while")
    fixture = FIXTURES["nested_while"]
    with g.as_default(), tf.Session() as s:
        fetch = [g.get_tensor_by_name(n) for n in fixture["fetch"]]
        assert [v.tolist() for v in s.run(fetch)] == fixture["values"][""]


@pytest.mark.parametrize("key", sorted(FIXTURES["loops_and_conds"]["values"]))
def test_loop_in_cond_and_cond_in_loop(key):
    g = import_graph("loops_and_conds")
    fixture = FIXTURES["loops_and_conds"]
    pv, nv = key.split(",")
    with g.as_default(), tf.Session() as s:
        fetch = [g.get_tensor_by_name(n) for n in fixture["fetch"]]
        got = s.run(fetch, {"p:0": pv == "True", "n:0": int(nv)})
    assert [np.asarray(v).tolist() for v in got] == fixture["values"][key]


def test_fetching_a_dead_tensor_fails_as_tf():
    p = tf.placeholder(tf.bool, [])
    x = tf.constant(1.0)
    out = tf.cond(p, lambda: x + 1.0, lambda: x - 1.0)
    true_side = out.op.inputs[1]
    with tf.Session() as s:
        assert s.run(true_side, {p: True}) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not have value"):
            s.run(true_side, {p: False})


def test_tf_meta_graph_with_loop_and_cond_restores_and_runs():
    fixture = FIXTURES["meta"]
    g = tf.Graph()
    with g.as_default():
        saver = tf.train.import_meta_graph(str(HERE / "meta" / "model.meta"))
        with tf.Session() as s:
            saver.restore(s, str(HERE / "meta" / "model"))
            for key, expected in fixture["values"].items():
                n, p = key.split(",")
                got = s.run(fixture["fetch"], {"n:0": int(n), "p:0": p == "True"})
                assert [np.asarray(v).tolist() for v in got] == expected
