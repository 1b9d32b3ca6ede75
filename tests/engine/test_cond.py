"""tf.cond / tf.case / tf.identity_n: TF1's Switch/Merge graphs, names and values as real TF's
(tests/fixtures/control_flow, written by make_fixtures.py under real TensorFlow), only the taken branch
running, and gradients through cond against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.engine.control_flow_fixtures import FIXTURES, nodes


def test_cond_builds_tf_names_and_values():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [], name="x")
        y = tf.constant(3.0, name="y")
        out = tf.cond(x < y, lambda: x * y, lambda: tf.square(x) + 1.0)
        grad = tf.gradients(out, [x])[0]
        ours = {n[0]: n for n in nodes(g)}
        fixture = FIXTURES["cond"]
        # The forward cond is node for node TF's (names, types, inputs, control inputs).
        forward = [n for n in fixture["nodes"] if not n[0].startswith("gradients/")]
        assert [ours[n[0]] for n in forward] == forward
        # The gradient's control-flow nodes too (the Switch zeros of the untaken side, the cond_grad Merges).
        for name in (
            "gradients/cond/Merge_grad/cond_grad",
            "gradients/cond/mul/Switch_grad/cond_grad",
            "gradients/cond/Square/Switch_grad/cond_grad",
            "gradients/Switch",
            "gradients/zeros/Const",
        ):
            assert ours[name][:2] == next(n for n in fixture["nodes"] if n[0] == name)[:2]
        with tf.Session() as s:
            for v, expected in fixture["values"].items():
                np.testing.assert_allclose(s.run([out, grad], {x: float(v)}), expected, rtol=1e-6)


def test_nested_cond_with_structures_matches_tf():
    fixture = FIXTURES["nested_cond"]
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [2], name="a")
        p = tf.placeholder(tf.bool, [], name="p")
        q = tf.placeholder(tf.bool, [], name="q")
        out = tf.cond(
            p,
            lambda: {"s": tf.cond(q, lambda: a * 2.0, lambda: a - 1.0), "t": (a, tf.constant(1))},
            lambda: {"s": a * a, "t": (a + 1.0, tf.constant(2))},
        )
        grad = tf.gradients(out["s"], [a])[0]
        fetch = [out["s"], out["t"][0], out["t"][1], grad]
        assert [t.name for t in fetch] == fixture["fetch"]
        with tf.Session() as s:
            for key, expected in fixture["values"].items():
                pv, qv = (w == "True" for w in key.split(","))
                got = s.run(fetch, {a: [1.0, -2.0], p: pv, q: qv})
                for value, want in zip(got, expected, strict=True):
                    np.testing.assert_allclose(value, want)


def test_only_the_taken_branch_runs():
    v = tf.Variable(0.0, name="v")
    p = tf.placeholder(tf.bool, [])
    out = tf.cond(p, lambda: tf.assign_add(v, 1.0), lambda: tf.assign_add(v, 10.0))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(out, {p: True}) == 1.0
        assert s.run(v) == 1.0
        assert s.run(out, {p: False}) == 11.0
        assert s.run(v) == 11.0


def test_untaken_branch_errors_do_not_fire():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [None])
    out = tf.cond(p, lambda: tf.reshape(x, [2, 2]), lambda: tf.reshape(x, [3, -1]))
    with tf.Session() as s:
        assert s.run(out, {p: False, x: np.arange(6.0)}).shape == (3, 2)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"node cond(_\d+)?/Reshape"):
            s.run(out, {p: True, x: np.arange(6.0)})


def test_case_exclusive_and_default_match_tf():
    fixture = FIXTURES["case"]
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.int32, [], name="x")
        out = tf.case(
            [(tf.less(x, 0), lambda: tf.constant(-1)), (tf.equal(x, 0), lambda: tf.constant(0))],
            default=lambda: tf.constant(1),
            exclusive=True,
        )
        assert out.name == fixture["fetch"][0]
        names = {op.name for op in g.get_operations()}
        assert {"case/preds_c", "case/num_true_conds", "case/cond/Merge", "case/cond/cond/Merge"} <= names
        with tf.Session() as s:
            for v, expected in fixture["values"].items():
                assert s.run(out, {x: int(v)}) == expected


def test_case_exclusive_fails_when_two_predicates_hold():
    x = tf.placeholder(tf.int32, [])
    out = tf.case(
        [(x > 0, lambda: tf.constant(1)), (x > 1, lambda: tf.constant(2))],
        default=lambda: tf.constant(0),
        exclusive=True,
    )
    with tf.Session() as s:
        assert s.run(out, {x: 1}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive=True: more than 1 conditions"):
            s.run(out, {x: 5})


def test_cond_arguments_as_tf():
    p = tf.constant(True)
    assert tf.cond(p, fn1=lambda: tf.constant(1), fn2=lambda: tf.constant(2)).op.type == "Merge"
    single = tf.cond(p, lambda: [tf.constant(1.0)], lambda: [tf.constant(2.0)], strict=True)
    assert isinstance(single, list) and len(single) == 1
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.cond(True, lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(p, 1, lambda: 2)
    with pytest.raises(ValueError, match="must have the same type: int32, float32"):
        tf.cond(p, lambda: tf.constant(1), lambda: tf.constant(1.0))
    with pytest.raises(ValueError, match="true_fn must have a return value"):
        tf.cond(p, lambda: None, lambda: tf.constant(1))
    with tf.Session() as s:
        assert s.run(
            tf.cond(p, lambda: (tf.constant(1), tf.constant(2)), lambda: (tf.constant(3), tf.constant(4)))
        ) == (1, 2)


def test_cond_of_an_op_and_of_an_outside_tensor():
    v = tf.Variable(1.0)
    p = tf.placeholder(tf.bool, [])
    outside = tf.constant(7.0)
    out = tf.cond(p, lambda: outside, lambda: tf.constant(8.0))
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(out, {p: True}) == 7.0
        assert s.run(out, {p: False}) == 8.0


def test_identity_n():
    a, b = tf.identity_n([tf.constant(1.0), tf.constant([1, 2])])
    assert a.op is b.op and a.op.type == "IdentityN" and a.op.name == "IdentityN"
    with tf.Session() as s:
        av, bv = s.run([a, b])
    assert av == 1.0 and bv.tolist() == [1, 2]
    assert tf.gradients(a * 3.0, a.op.inputs[0])[0] is not None


@pytest.mark.parametrize("p_value", [True, False])
def test_cond_gradient_by_finite_differences(p_value):
    x = tf.placeholder(tf.float64, [3])
    p = tf.placeholder(tf.bool, [])
    w = tf.constant([0.5, -1.0, 2.0], tf.float64)
    out = tf.reduce_sum(tf.cond(p, lambda: tf.sin(x) * w, lambda: tf.exp(x * w) + x * x))
    grad = tf.gradients(out, x)[0]
    x0 = np.array([0.3, -0.7, 1.1])
    with tf.Session() as s:
        analytic = s.run(grad, {x: x0, p: p_value})
        eps = 1e-6
        numeric = [
            (s.run(out, {x: x0 + eps * e, p: p_value}) - s.run(out, {x: x0 - eps * e, p: p_value}))
            / (2 * eps)
            for e in np.eye(3)
        ]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)


def test_graphs_without_control_flow_keep_the_straight_line_plan():
    a = tf.constant(1.0) + tf.constant(2.0)
    with tf.Session() as s:
        s.run(a)
        plans = [entry.plan for entry in s._plans.values()]
    assert plans and all(plan.executor == "straight_line" for plan in plans)


def test_stateful_ops_group_and_control_dependencies_in_branches(capfd):
    v = tf.Variable(0.0)
    p = tf.placeholder(tf.bool, [])

    def true_fn():
        with tf.control_dependencies([tf.assign_add(v, 1.0)]):
            return tf.identity(tf.random_uniform([2], seed=3))

    def false_fn():
        printed = tf.Print(tf.zeros([2]), [tf.constant(7)], message="false branch ")
        return tf.group(printed, tf.no_op()), printed

    out = tf.cond(p, lambda: (tf.no_op(), true_fn()), false_fn)
    with tf.Session() as s:
        s.run(v.initializer)
        s.run(out, {p: True})
        assert s.run(v) == 1.0 and capfd.readouterr().err == ""  # the Print of the other branch did not run
        s.run(out, {p: False})
        assert s.run(v) == 1.0 and capfd.readouterr().err == "false branch [7]\n"


def test_case_without_default_asserts_as_tf():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.int32, [])
        out = tf.case([(x < 0, lambda: tf.constant(-1)), (x > 0, lambda: tf.constant(1))], exclusive=True)
    with tf.Session(graph=g) as s:
        assert s.run(out, {x: -2}) == -1 and s.run(out, {x: 3}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            s.run(out, {x: 0})
    assert info.value.message.split("\n\t")[0] == (
        "assertion failed: [Input error: None of conditions evaluated as True:] [0 0]")
    assert "case/cond/Assert_1/AssertGuard/Assert" in info.value.message
