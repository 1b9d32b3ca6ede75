"""Plain while frames compiled to one step each (engine/runtime/frame_compile.py): which loops compile,
and that a compiled loop gives bit for bit what the dataflow executor gives interpreting it op by op
(`interpreted`: the plan pass `frame_compilation` off), errors and side effects included -- but for the
accumulated products summed after the loop (engine/runtime/deferred_products.py), which agree to float
rounding."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.runtime import passes
from tests.engine.pass_knob import without


@pytest.fixture
def interpreted(monkeypatch):
    """Runs `fn()` with frame compilation off (the plan pass `frame_compilation`)."""
    return without(monkeypatch, passes.FRAME_COMPILATION)


def _dataflow(sess):
    """The compiled dataflow plans of the session (of every variant a plan picked by its conds)."""
    return [plan.compiled for entry in sess._plans.values() for plan in entry.plan.variants()
            if plan.executor == "dataflow"]


def _frames(sess):
    """The compiled frames of the session's dataflow plans."""
    return sorted(f for compiled in _dataflow(sess) for f in compiled.frames)


def _lstm_training(steps=3):
    """A dynamic_rnn LSTM trained with Adam: the forward loop, its gradient loop with the stacks between
    them, TensorArrays in both; the losses, final weights and compiled frames."""
    rng = np.random.RandomState(0)
    x_value = rng.uniform(-1, 1, (4, 6, 5)).astype(np.float32)
    y_value = rng.randint(0, 3, 4).astype(np.int32)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        x = tf.placeholder(tf.float32, [4, 6, 5])
        y = tf.placeholder(tf.int32, [4])
        outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(7), x, dtype=tf.float32)
        logits = tf.layers.dense(outputs[:, -1], 3)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            losses = [s.run([train, loss], {x: x_value, y: y_value})[1] for _ in range(steps)]
            weights = s.run(tf.trainable_variables())
            return losses, weights, _frames(s)


def test_lstm_training_compiles_both_loops_and_matches_the_interpreter(interpreted):
    losses, weights, frames = _lstm_training()
    assert frames == ["gradients/rnn/while/while_context", "rnn/while/while_context"]
    losses_i, weights_i, frames_i = interpreted(_lstm_training)
    assert frames_i == []
    np.testing.assert_allclose(losses, losses_i, rtol=1e-6)
    for a, b in zip(weights, weights_i, strict=True):  # the kernel's gradient is summed in another order
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert losses[-1] < losses[0]


def _lstm_kernel_gradient(rows=4):
    """The gradient of an LSTM's loss with respect to its kernel and bias, and the session's frame code."""
    rng = np.random.RandomState(3)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(2)
        x = tf.constant(rng.uniform(-1, 1, (rows, 9, 5)).astype(np.float32))
        cell = tf.nn.rnn_cell.BasicLSTMCell(6)
        outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        loss = tf.reduce_sum(outputs * outputs)
        grads = tf.gradients(loss, cell.trainable_variables)
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            values = s.run(grads)
            code = "".join(compiled.code for compiled in _dataflow(s))
            return values, code


def test_the_kernel_gradient_is_summed_as_one_product_after_the_loop(interpreted):
    """The gradient loop's `acc + MatMul(concat, dz, transpose_a=True)` becomes held rows and one GEMM
    after the loop, `acc + BiasAddGrad(dz)` one row sum."""
    (kernel, bias), code = _lstm_kernel_gradient()
    assert code.count(".add_product(") == 2 and code.count(".flush(") == 2
    # the input's part of `dz @ W^T` is read by nothing (x needs no gradient): only h's columns
    assert code.count("_narrowed_product(") == 1
    (kernel_i, bias_i), code_i = interpreted(_lstm_kernel_gradient)
    assert code_i == ""
    np.testing.assert_allclose(kernel, kernel_i, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, bias_i, rtol=1e-5, atol=1e-6)


def _counting_loop(n_value):
    """A loop whose condition and body each bump a counter: the condition runs once more than the body,
    as in TF (the last test is false)."""
    g = tf.Graph()
    with g.as_default():
        n = tf.placeholder(tf.int32, [])
        tests = tf.Variable(0, name="tests")
        bodies = tf.Variable(0, name="bodies")

        def cond(i, acc):
            with tf.control_dependencies([tf.assign_add(tests, 1)]):
                return i < n

        def body(i, acc):
            with tf.control_dependencies([tf.assign_add(bodies, 1)]):
                return i + 1, acc * 2.0

        out = tf.while_loop(cond, body, [tf.constant(0), tf.constant(1.0)])
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            got = s.run(list(out), {n: n_value})
            return [np.asarray(v).tolist() for v in got], s.run([tests, bodies]), _frames(s)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_side_effects_in_condition_and_body_run_as_interpreted(interpreted, n):
    got, counts, frames = _counting_loop(n)
    assert frames == ["while/while_context"]
    assert got == [n, 2.0**n]
    assert counts == [n + 1, n]
    assert interpreted(lambda: _counting_loop(n))[:2] == (got, counts)


def _loops_with_dead_tensors(p_value):
    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder(tf.bool, [])
        in_cond = tf.cond(p, lambda: tf.while_loop(lambda i: i < 4, lambda i: i + 1, [0]),
                          lambda: tf.constant(-1))
        _, cond_in_loop = tf.while_loop(
            lambda i, s: i < 5,
            lambda i, s: (i + 1, tf.cond(tf.equal(i % 2, 0), lambda: s + i, lambda: s - 1)), [0, 0])

        def outer(i, total):
            _, inner = tf.while_loop(lambda j, s: j < i, lambda j, s: (j + 1, s + j), [0, 0])
            return i + 1, total + inner

        _, nested = tf.while_loop(lambda i, t: i < 4, outer, [0, 0])
        _, plain = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + 10), [0, 0])
        with tf.Session() as s:
            got = s.run([in_cond, cond_in_loop, nested, plain], {p: p_value})
            return [int(v) for v in got], _frames(s)


@pytest.mark.parametrize("p", [True, False])
def test_loops_needing_dead_tensors_stay_with_the_interpreter(interpreted, monkeypatch, p):
    monkeypatch.setenv(passes.ENV, f"all,-{passes.COND_SPECIALISATION}")
    got, frames = _loops_with_dead_tensors(p)
    # A loop in a cond branch (dead when untaken), a cond in a body, loops in a loop: interpreted.
    assert frames == ["while_2/while_context"]
    assert got == [4 if p else -1, 0 - 1 + 2 - 1 + 4, 0 + 0 + 1 + 3, 30]
    assert interpreted(lambda: _loops_with_dead_tensors(p))[0] == got
    # With the cond decided before the run (its predicate is fed), the loop in its branch is a loop of
    # the root frame when the branch is taken, and compiled; absent when not.
    monkeypatch.setenv(passes.ENV, "all")
    got_specialised, frames = _loops_with_dead_tensors(p)
    assert got_specialised == got
    assert frames == (["cond/while/while_context"] if p else []) + ["while_2/while_context"]


def _failing_loop():
    g = tf.Graph()
    with g.as_default():
        table = tf.constant([1.0, 2.0, 3.0])
        out = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + tf.gather(table, i, name="pick")),
                            [tf.constant(0), tf.constant(0.0)])
        with tf.Session() as s:
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                s.run(out)
            return str(info.value), _frames(s)


def test_an_error_in_a_compiled_loop_names_its_op_as_interpreted(interpreted):
    message, frames = _failing_loop()
    assert frames == ["while/while_context"]
    assert "while/pick" in message
    assert interpreted(_failing_loop)[0] == message


def _loop_with_an_unread_pure_op():
    """A body whose pure op only a control dependency waits for, as a gradient's `tuple/group_deps` waits
    for the gradient of a constant; the loop's value and the ops on the compiled frame's lines."""
    g = tf.Graph()
    with g.as_default():
        def body(i, acc):
            unread = tf.reduce_sum(acc * 3.0, name="unread")
            with tf.control_dependencies([unread]):
                return i + 1, tf.identity(acc * 2.0)

        out = tf.while_loop(lambda i, acc: i < 4, body, [tf.constant(0), tf.constant([1.0, 2.0])])
        with tf.Session() as s:
            value = s.run(out)
            ops = {op.name for compiled in _dataflow(s) for step in compiled.frame_steps
                   for op in step.line_ops.values()}
            return value, ops


def test_a_pure_op_nothing_reads_is_left_out_of_the_compiled_loop(interpreted):
    (i, acc), ops = _loop_with_an_unread_pure_op()
    # acc * 2.0 runs; unread and its acc * 3.0 do not, as the pass dependency_optimizer drops them
    assert "while/mul_1" in ops and not {"while/unread", "while/mul"} & ops
    (i_i, acc_i), ops_i = interpreted(_loop_with_an_unread_pure_op)
    assert ops_i == set()
    assert i == i_i == 4 and acc.tobytes() == acc_i.tobytes()


_SCALAR_OPS = ("AddV2", "Add", "Sub", "Mul", "Equal", "NotEqual", "Less", "LessEqual", "Greater",
               "GreaterEqual", "LogicalAnd", "LogicalOr")


@pytest.mark.parametrize("op_type", _SCALAR_OPS)
def test_numpy_scalar_operators_give_the_kernels_values_bit_for_bit(op_type):
    """The pass `scalar_operators` calls an op type's `on_scalars` operator for numpy scalars: the same
    type and bits as its ufunc kernel, overflow, NaN, infinities and mixed widths included."""
    from engine.framework import registry
    from engine.runtime.scalar_operators import scalar_first

    definition = registry.get_op_def(op_type)
    fast = scalar_first(definition.kernel, definition.on_scalars)
    if op_type.startswith("Logical"):
        values = [np.bool_(True), np.bool_(False)]
    else:
        values = [np.int32(2**31 - 1), np.int32(-(2**31)), np.int32(7), np.int64(-3), np.uint8(250),
                  np.float32(1e38), np.float32(np.nan), np.float32(-0.0), np.float32(np.inf),
                  np.float64(0.1), np.float16(65504), np.complex64(1 - 2j)]
    with np.errstate(all="ignore"):
        for a in values:
            for b in values:
                want = definition.kernel(a, b)
                got = fast(a, b)
                assert type(got) is type(want), (a, b)
                assert np.asarray(got).tobytes() == np.asarray(want).tobytes(), (a, b, got, want)
        # not numpy scalars (a 0-d array, a Python number): the kernel itself
        array = np.array(values[0])
        assert type(fast(array, values[1])) is type(definition.kernel(array, values[1]))


def _scalar_counters():
    """A loop of int32 and float32 counters against Const and fed bounds, the int one wrapping around."""
    g = tf.Graph()
    with g.as_default():
        n = tf.placeholder(tf.int32, [])
        step = tf.constant(2**30, tf.int32)

        def body(i, k, big, x):
            return i + 1, k - 3, big + step, x * tf.constant(1.5, tf.float32) + 0.1

        out = tf.while_loop(lambda i, k, big, x: tf.logical_and(i < n, k > -100), body,
                            [tf.constant(0), tf.constant(10), tf.constant(0), tf.constant(1.0)])
        with tf.Session() as s:
            got = s.run(list(out), {n: 7})
            code = "".join(compiled.code for compiled in _dataflow(s))
            return got, code


def test_a_loops_scalar_counters_run_on_numpy_scalars_as_interpreted(interpreted):
    got, code = _scalar_counters()
    assert "_as_scalar(" in code  # the Const step and the fed bound, once before the loop
    got_i, _ = interpreted(_scalar_counters)
    assert [type(v) for v in got] == [type(v) for v in got_i]
    assert [np.asarray(v).tobytes() for v in got] == [np.asarray(v).tobytes() for v in got_i]
    assert np.asarray(got[2]).dtype == np.int32 and int(got[2]) == -(2**31) + 2**30  # 7 * 2**30 wrapped


def _loop_between_root_ops(index):
    """Root ops before and after a compiled loop; the last one fails for an index out of range."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3])
        at = tf.placeholder(tf.int32, [])
        doubled = x * 2.0
        _, total = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + doubled),
                                 [tf.constant(0), tf.zeros([3])])
        picked = tf.gather(total, at, name="picked")
        with tf.Session() as s:
            try:
                got = s.run([picked, total], {x: [1.0, 2.0, 3.0], at: index})
            except tf.errors.InvalidArgumentError as e:
                got = str(e)
            line = [compiled.line_plan is not None for compiled in _dataflow(s)]
            return got, line


def test_with_every_loop_compiled_the_root_runs_as_straight_line_code(interpreted):
    (picked, total), line = _loop_between_root_ops(2)
    assert line == [True]
    assert picked == 18.0 and total.tolist() == [6.0, 12.0, 18.0]
    message, _ = _loop_between_root_ops(7)
    assert "picked" in message  # a root op's error names it, as the executor's did
    assert interpreted(lambda: _loop_between_root_ops(7))[0] == message
    # a cond outside the loops, on a predicate known only as the run goes (a variable's value), leaves
    # values that can be dead: the root stays with the executor
    g = tf.Graph()
    with g.as_default():
        p = tf.Variable(False)
        out = tf.cond(p, lambda: tf.while_loop(lambda i: i < 4, lambda i: i + 1, [0]),
                      lambda: tf.constant(-1))
        with tf.Session() as s:
            s.run(p.initializer)
            assert s.run(out) == -1
            assert [compiled.line_plan for compiled in _dataflow(s)] == [None]


def test_the_straight_line_root_runs_its_ops_in_the_executors_order(interpreted):
    """A metric's value fetched with its update op after a compiled loop: nothing orders the variables'
    reads and the update, and the executor (as TF's) reads first; so does the straight-line root."""

    def run():
        g = tf.Graph()
        with g.as_default():
            labels = tf.placeholder(tf.int64, [None])
            preds = tf.placeholder(tf.int64, [None])
            _, looped = tf.while_loop(lambda i, p: i < 2, lambda i, p: (i + 1, p), [0, preds])
            value, update = tf.metrics.accuracy(labels, looped)
            with tf.Session() as s:
                s.run(tf.local_variables_initializer())
                got = s.run([update, value], {labels: [1, 2, 3, 4], preds: [1, 2, 0, 0]})
                return [float(v) for v in got], [c.line_plan is not None for c in _dataflow(s)]

    got, line = run()
    assert line == [True]
    assert got == [0.5, 0.0]
    assert interpreted(run)[0] == got
