"""tf.while_loop built as TF1 builds it: node for node the graphs real TensorFlow writes
(tests/fixtures/control_flow/make_fixtures.py), the same values, and TF's errors."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.engine.control_flow_fixtures import FIXTURES, nodes


def _run_all(fetch, feeds_by_key, parse):
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return {key: [np.asarray(v).tolist() for v in s.run(fetch, parse(key))] for key in feeds_by_key}


def test_while_loop_with_a_variable_matches_tf_node_for_node():
    fixture = FIXTURES["while"]
    g = tf.Graph()
    with g.as_default():
        n = tf.placeholder(tf.int32, [], name="n")
        w = tf.Variable(2.0, name="w")
        i, acc = tf.while_loop(
            lambda i, acc: i < n, lambda i, acc: (i + 1, acc * w), [tf.constant(0), tf.constant(1.0)]
        )
        tf.global_variables_initializer()
        assert nodes(g) == fixture["nodes"]
        assert _run_all([i, acc], fixture["values"], lambda k: {n: int(k)}) == fixture["values"]


def test_nested_while_loops_match_tf_node_for_node():
    fixture = FIXTURES["nested_while"]
    g = tf.Graph()
    with g.as_default():

        def outer_body(i, total):
            _, inner = tf.while_loop(lambda j, s: j < i, lambda j, s: (j + 1, s + j), [0, 0])
            return i + 1, total + inner

        i, total = tf.while_loop(lambda i, t: i < 5, outer_body, [tf.constant(0), tf.constant(0)])
        assert nodes(g) == fixture["nodes"]
        assert _run_all([i, total], fixture["values"], lambda k: {}) == fixture["values"]


def test_loop_in_cond_and_cond_in_loop_match_tf():
    fixture = FIXTURES["loops_and_conds"]
    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder(tf.bool, [], name="p")
        n = tf.placeholder(tf.int32, [], name="n")
        in_cond = tf.cond(
            p, lambda: tf.while_loop(lambda i: i < n, lambda i: i + 1, [0]), lambda: tf.constant(-1)
        )
        _, in_loop = tf.while_loop(
            lambda i, s: i < n,
            lambda i, s: (i + 1, tf.cond(tf.equal(i % 2, 0), lambda: s + i, lambda: s - 1)),
            [0, 0],
        )
        assert [n_[:2] for n_ in nodes(g)] == [n_[:2] for n_ in fixture["nodes"]]
        got = _run_all(
            [in_cond, in_loop],
            fixture["values"],
            lambda k: {p: k.split(",")[0] == "True", n: int(k.split(",")[1])},
        )
        assert got == fixture["values"]


def test_nested_structures_and_maximum_iterations():
    x = tf.constant([1.0, 2.0])
    out = tf.while_loop(
        lambda v: v["k"] < 100,
        lambda v: {"k": v["k"] + 1, "x": (v["x"][0] * 2.0,)},
        [{"k": tf.constant(0), "x": (x,)}],
        maximum_iterations=3,
    )
    assert isinstance(out, dict) and set(out) == {"k", "x"}
    single = tf.while_loop(lambda k: k < 10, lambda k: k + 1, [tf.constant(0)])
    same = tf.while_loop(lambda k: k < 10, lambda k: k + 1, [tf.constant(0)], return_same_structure=True)
    assert isinstance(single, tf.Tensor) and isinstance(same, list)
    with tf.Session() as s:
        k, (xs,) = s.run([out["k"], out["x"]])
        assert k == 3 and xs.tolist() == [8.0, 16.0]
        assert s.run(single) == 10 and s.run(same) == [10]


def test_indexing_a_tensor_by_the_loop_counter_keeps_the_element_shape():
    # TF's StridedSlice shape function knows `ids[i]` is a scalar with `i` unknown: a sum over it keeps
    # the accumulator's shape (the engine once lost it and raised the shape-invariant error).
    ids = tf.constant([3, 1, 2])
    rows = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])

    def body(i, total, row_sum):
        assert ids[i].shape == tf.TensorShape([]) and rows[i].shape == tf.TensorShape([2])
        return i + 1, total + tf.reduce_sum(ids[i]), row_sum + rows[i]

    _, total, row_sum = tf.while_loop(lambda i, *_: i < 3, body, [0, tf.constant(0), tf.zeros([2])])
    with tf.Session() as s:
        assert s.run(total) == 6 and s.run(row_sum).tolist() == [9.0, 12.0]


def test_variables_assigned_in_the_body():
    v = tf.Variable(0.0)
    i = tf.while_loop(
        lambda i: i < 4, lambda i: tf.tuple([i + 1], control_inputs=[tf.assign_add(v, 1.5)])[0], [0]
    )
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(i) == 4
        assert s.run(v) == 6.0


def test_shape_invariants_as_tf():
    x = tf.zeros([1])
    with pytest.raises(
        ValueError,
        match=r"enters the loop with shape \(1,\), but has shape \(2,\) after one "
        r"iteration. To allow the shape to vary across iterations, use the "
        r"`shape_invariants` argument",
    ):
        tf.while_loop(lambda x: tf.size(x) < 8, lambda x: tf.concat([x, x], 0), [x])
    grown = tf.while_loop(
        lambda x: tf.size(x) < 8,
        lambda x: tf.concat([x, x], 0),
        [x],
        shape_invariants=[tf.TensorShape([None])],
    )
    assert grown.shape.as_list() == [None]
    with pytest.raises(ValueError, match="is not compatible with the initial shape of the loop variable"):
        tf.while_loop(lambda x: True, lambda x: x, [x], shape_invariants=[tf.TensorShape([2])])
    with tf.Session() as s:
        assert s.run(grown).shape == (8,)


def test_while_loop_argument_errors():
    with pytest.raises(TypeError, match="cond must be callable"):
        tf.while_loop(1, lambda x: x, [0])
    with pytest.raises(TypeError, match="body must be callable"):
        tf.while_loop(lambda x: True, 1, [0])
    with pytest.raises(TypeError, match="parallel_iterations must be a positive integer"):
        tf.while_loop(lambda x: True, lambda x: x, [0], parallel_iterations=0)
    with pytest.raises(ValueError, match="No loop variables provided"):
        tf.while_loop(lambda: True, lambda: 1, [])


def test_outside_control_dependencies_in_the_body():
    v = tf.Variable(1.0)
    bump = tf.assign_add(v, 1.0)

    def body(i, acc):
        with tf.control_dependencies([bump]):  # an op outside the loop: pulled in through an Identity
            return i + 1, acc + v

    i, acc = tf.while_loop(lambda i, acc: i < 3, body, [0, 0.0])
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run([i, acc]) == [3, 6.0]
        assert s.run(v) == 2.0  # the outside assign ran once per run of the loop, not per iteration


@pytest.mark.parametrize("interpret", [False, True])
def test_fetching_a_loop_output_with_a_value_computed_from_it(monkeypatch, interpret):
    """The second fetch is already ordered when its turn comes: the loops' bodies are still planned
    (they once were dropped with it: "NextIteration_1 is not in list")."""
    from engine.runtime import passes

    if interpret:
        monkeypatch.setenv(passes.ENV, "none")
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        _, total = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + x), [0, tf.zeros([3])])
        picked = tf.gather(total, 1)
        with tf.Session() as s:
            feed = {x: [1.0, 2.0, 3.0]}
            assert s.run(picked, feed) == 6.0
            got = s.run([picked, total], feed)
            assert got[0] == 6.0 and got[1].tolist() == [3.0, 6.0, 9.0]
            assert s.run([total, picked], feed)[1] == 6.0
