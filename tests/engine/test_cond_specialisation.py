"""Plans specialised to their conds' predicates (engine/runtime/cond_specialisation.py, the plan pass
`cond_specialisation`): a cond whose predicate depends only on feeds and constants runs as straight-line
code built for its value, giving what the dataflow executor gives (`dataflow`: the pass off), side
effects and errors included; other conds stay with the executor."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.ops import frame_ops
from engine.runtime import passes
from tests.engine.pass_knob import without


@pytest.fixture
def dataflow(monkeypatch):
    """Runs `fn()` with the pass off: every cond on the dataflow executor."""
    return without(monkeypatch, passes.COND_SPECIALISATION)


def _executors(sess):
    """{plan's executor: [its variants' executors]} of the session's plans."""
    return sorted((entry.plan.executor, sorted(p.executor for p in entry.plan.variants()))
                  for entry in sess._plans.values())


def _training_flag_mlp():
    """Dropout and a tf.cond on a placeholder_with_default flag, trained with Adam for two steps, then
    evaluated with the flag off; the losses, the weights, the steps counted in the cond's branch."""
    rng = np.random.RandomState(0)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 5])
        training = tf.placeholder_with_default(True, [])
        counted = tf.Variable(0, name="counted")
        h = tf.layers.dense(x, 8, activation=tf.nn.relu)
        h = tf.layers.dropout(h, 0.5, training=training)
        h = tf.cond(training, lambda: h + tf.cast(tf.assign_add(counted, 1), tf.float32) * 0.0,
                    lambda: h * 1.0)
        loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1) - 1.0))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        feed = {x: rng.normal(size=(6, 5)).astype(np.float32)}
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            losses = [s.run([train, loss], feed)[1] for _ in range(2)]
            losses.append(s.run(loss, {**feed, training: False}))
            weights = s.run(tf.trainable_variables())
            return losses, weights, s.run(counted), _executors(s)


def test_a_training_flags_conds_run_as_straight_line_variants(dataflow):
    losses, weights, counted, executors = _training_flag_mlp()
    # one variant per value of the flag seen, each straight-line code; the branch's assign ran twice
    assert ("branches", ["straight_line"]) in executors
    assert counted == 2
    losses_d, weights_d, counted_d, executors_d = dataflow(_training_flag_mlp)
    assert ("dataflow", ["dataflow"]) in executors_d
    assert counted_d == counted
    assert [np.asarray(v).tobytes() for v in losses] == [np.asarray(v).tobytes() for v in losses_d]
    for a, b in zip(weights, weights_d, strict=True):
        assert a.tobytes() == b.tobytes()


def _nested(mode_value, x_value):
    """Nested conds on a string mode fed by the caller, with a Merge's value_index fetched."""
    g = tf.Graph()
    with g.as_default():
        mode = tf.placeholder(tf.string, [])
        x = tf.placeholder(tf.float32, [])
        is_train = tf.equal(mode, "train")
        out = tf.cond(is_train,
                      lambda: tf.cond(x > 0.0, lambda: x * 2.0, lambda: -x),
                      lambda: tf.cond(tf.equal(mode, "eval"), lambda: x + 100.0, lambda: tf.constant(7.0)))
        index = out.op.outputs[1]  # the Merge's value_index
        with tf.Session() as s:
            got = s.run([out, index], {mode: mode_value, x: x_value})
            return [np.asarray(v).tolist() for v in got], [type(v) for v in got], _executors(s)


@pytest.mark.parametrize("mode, x", [("train", 3.0), ("train", -2.0), ("eval", 1.5), ("infer", 0.0)])
def test_nested_conds_on_a_fed_mode(dataflow, mode, x):
    got, types, executors = _nested(mode, x)
    assert executors == [("branches", ["straight_line"])]
    want = {"train": 2 * x if x > 0 else -x, "eval": x + 100.0, "infer": 7.0}[mode]
    assert got == [want, 1 if mode == "train" else 0]  # a cond's Merge reads (false, true)
    got_d, types_d, _ = dataflow(lambda: _nested(mode, x))
    assert (got_d, types_d) == (got, types)


def test_a_predicate_known_only_during_the_run_stays_with_the_executor():
    v = tf.Variable(2.0)
    out = tf.cond(v > 1.0, lambda: v * 3.0, lambda: v)
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(out) == 6.0
        assert _executors(s) == [("dataflow", ["dataflow"]), ("straight_line", ["straight_line"])]


def test_fetching_an_untaken_value_fails_as_in_the_executor(dataflow):
    def run():
        g = tf.Graph()
        with g.as_default():
            p = tf.placeholder(tf.bool, [])
            x = tf.constant(1.0)
            _, taken_if_true = frame_ops.switch(x, p)
            with tf.Session() as s:
                assert s.run(taken_if_true, {p: True}) == 1.0
                with pytest.raises(tf.errors.InvalidArgumentError) as info:
                    s.run(taken_if_true, {p: False})
                return str(info.value)

    assert "does not have value" in run()
    assert run() == dataflow(run)


def test_an_error_in_the_taken_branch_names_its_op(dataflow):
    def run(p_value):
        g = tf.Graph()
        with g.as_default():
            p = tf.placeholder(tf.bool, [])
            table = tf.constant([1.0, 2.0])
            out = tf.cond(p, lambda: tf.gather(table, 5, name="pick"), lambda: tf.constant(0.0))
            with tf.Session() as s:
                try:
                    return s.run(out, {p: p_value})
                except tf.errors.InvalidArgumentError as e:
                    return str(e)

    assert run(False) == 0.0
    message = run(True)
    assert "cond/pick" in message
    assert dataflow(lambda: run(True)) == message


def test_a_predicate_that_is_not_a_scalar_goes_to_the_executor(dataflow):
    def run(value):
        g = tf.Graph()
        with g.as_default():
            p = tf.placeholder(tf.bool)  # no static shape: a vector can be fed
            out = tf.cond(p, lambda: tf.constant(1), lambda: tf.constant(2))
            with tf.Session() as s:
                try:
                    return s.run(out, {p: value})
                except Exception as e:  # noqa: BLE001 - compared with the executor's
                    return type(e).__name__

    assert run(True) == 1 and run(np.array(False)) == 2
    assert run(np.array([True, False])) == dataflow(lambda: run(np.array([True, False])))


def test_a_read_and_a_write_with_no_edge_between_them_keep_the_executors_order(dataflow):
    """A metric's value fetched with its update op: nothing orders the variables' reads and the
    update, and the executor (as TF's) reads first, whatever the fetch order; so does a variant."""

    def run():
        g = tf.Graph()
        with g.as_default():
            labels = tf.placeholder(tf.int64, [None])
            preds = tf.placeholder(tf.int64, [None])
            flag = tf.placeholder_with_default(True, [])
            value, update = tf.metrics.accuracy(labels, tf.cond(flag, lambda: preds, lambda: preds * 0))
            with tf.Session() as s:
                s.run(tf.local_variables_initializer())
                got = s.run([update, value], {labels: [1, 2, 3, 4], preds: [1, 2, 0, 0]})
                return [float(v) for v in got], _executors(s)

    got, executors = run()
    assert got == [0.5, 0.0]  # TF 2.21 gives [0.5, 0.0] for this first run
    assert ("branches", ["straight_line"]) in executors
    assert dataflow(run)[0] == got
