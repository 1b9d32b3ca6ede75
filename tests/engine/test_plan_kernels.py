"""Plan-time kernel specialisation (engine/runtime/binding.py, forwarding.py): kernels bound to the
values a plan knows (ApplyAdam's hyper-parameters, reduction axes, Reshape targets) and buffer
forwarding into dead intermediates -- bit for bit the values of the general kernels, and never a
write into anything that can still be seen."""

import re

import numpy as np
import pytest

import engine as tf
from engine import session
from engine.ops import op_util
from tests.engine.mlp import relu_mlp


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _general_kernels_only(monkeypatch):
    """Plans as they were before binding and forwarding: every input passed to the compiled kernel."""
    monkeypatch.setenv("ENGINE_PLAN_PASSES", "all,-bound_kernels,-buffer_forwarding")


def _arguments(plan, op_type):
    """The argument lists of the plan's kernel calls for ops of `op_type`."""
    lines = plan.code.splitlines()
    calls = []
    for number, op in plan.line_ops.items():
        if op.type == op_type:
            calls.append(re.search(r"k\d+\(([^)]*)\)", lines[number - 1]).group(1).split(", "))
    return calls


def _forwarding_types(plan):
    """The op types of the plan's lines that reuse a dead input's buffer."""
    lines = plan.code.splitlines()
    return [op.type for number, op in plan.line_ops.items() if "buffer" in lines[number - 1]]


def _train_mlp(steps, lr=None):
    """Adam on a small relu MLP from fixed values; returns (losses, variables, the step's plan)."""
    x, y, _, loss, xv, yv = relu_mlp()
    rate = tf.placeholder(tf.float32, [], name="lr") if lr is not None else 0.01
    train_op = tf.train.AdamOptimizer(rate).minimize(loss)
    feed = {x: xv, y: yv} if lr is None else {x: xv, y: yv, rate: lr}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([train_op, loss], feed)[1] for _ in range(steps)]
        variables = sess.run(tf.global_variables())
        plan = sess._plans[((session._LIST, (train_op, loss)), tuple(feed))]
    return losses, variables, plan


def test_bound_and_forwarding_kernels_give_the_general_kernels_values_bit_for_bit(monkeypatch):
    losses, variables, plan = _train_mlp(4)
    # var, m, v, beta1_power, beta2_power, grad: lr, beta1, beta2 and epsilon are bound
    assert [len(args) for args in _arguments(plan, "ApplyAdam")] == [6] * 6, plan.code
    # dead buffers reused: by 3 bias adds, 2 relus, 2 relu gradients, the loss gradient's multiply, and
    # as scratch by the weights' Adam updates (the biases' gradients are views, from Reshape)
    assert sorted(_forwarding_types(plan)) == sorted(
        ["AddV2"] * 3 + ["Relu"] * 2 + ["ReluGrad"] * 2 + ["Mul"] + ["ApplyAdam"] * 3), plan.code

    tf.reset_default_graph()
    _general_kernels_only(monkeypatch)
    general_losses, general_variables, general_plan = _train_mlp(4)
    assert [len(args) for args in _arguments(general_plan, "ApplyAdam")] == [10] * 6
    assert "buffer" not in general_plan.code
    np.testing.assert_array_equal(losses, general_losses)
    for a, b in zip(variables, general_variables, strict=True):
        np.testing.assert_array_equal(a, b)


def test_adam_with_a_fed_learning_rate_keeps_the_general_kernel_and_agrees():
    losses, variables, _ = _train_mlp(3)
    tf.reset_default_graph()
    fed_losses, fed_variables, plan = _train_mlp(3, lr=np.float32(0.01))
    assert [len(args) for args in _arguments(plan, "ApplyAdam")] == [10] * 6, plan.code
    np.testing.assert_array_equal(losses, fed_losses)
    for a, b in zip(variables, fed_variables, strict=True):
        np.testing.assert_array_equal(a, b)


def _case():
    """A fed x and a variable w, of shapes known when the plan is built (as forwarding needs)."""
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [5, 3], name="x")
    w = tf.Variable(rng.randn(3, 4).astype(np.float32), name="w")
    return x, w, rng.randn(5, 3).astype(np.float32)


def test_a_fetched_value_is_not_reused_as_a_buffer():
    x, w, xv = _case()
    m = tf.matmul(x, w)
    r = tf.nn.relu(m + 1.0)
    with tf.Session() as sess:
        sess.run(w.initializer)
        mv, rv = sess.run([m, r], {x: xv})
        wv = sess.run(w)
    np.testing.assert_array_equal(mv, xv @ wv)
    np.testing.assert_array_equal(rv, np.maximum(xv @ wv + np.float32(1), 0))


def test_a_value_that_a_view_may_share_is_not_reused_as_a_buffer():
    x, w, xv = _case()
    m = tf.matmul(x, w)
    flat = tf.reshape(m, [-1])  # a view of m's array
    r = tf.nn.relu(m)  # m's last reader
    with tf.Session() as sess:
        sess.run(w.initializer)
        flat_v, rv = sess.run([flat, r], {x: xv})
        wv = sess.run(w)
        assert "buffer" not in sess._plans[((session._LIST, (flat, r)), (x,))].code
    assert (flat_v < 0).any()
    np.testing.assert_array_equal(flat_v, (xv @ wv).reshape(-1))
    np.testing.assert_array_equal(rv, np.maximum(xv @ wv, 0))


def test_feeds_and_variables_are_never_written():
    x, w, xv = _case()
    y = tf.nn.relu(x) * 2.0
    z = tf.nn.relu(w.read_value() - 10.0)
    with tf.Session() as sess:
        sess.run(w.initializer)
        before = sess.run(w)
        fed = xv.copy()
        yv, zv = sess.run([y, z], {x: fed})
        np.testing.assert_array_equal(fed, xv)
        np.testing.assert_array_equal(sess.run(w), before)
    np.testing.assert_array_equal(yv, np.maximum(xv, 0) * 2)
    np.testing.assert_array_equal(zv, np.zeros((3, 4), np.float32))


def test_an_input_of_another_shape_than_the_output_is_not_reused():
    xv = np.random.RandomState(0).randn(5, 3).astype(np.float32)
    x = tf.placeholder(tf.float32, [5, 3], name="x")  # forwarding needs shapes known when the plan is built
    column = tf.matmul(x, tf.ones([3, 1]))  # a fresh [5, 1] array, read last by the add
    wide = tf.add(column, tf.ones([1, 4]), name="wide")  # broadcast to [5, 4]: too big for column's buffer
    narrow = tf.add(column, tf.ones([1]), name="narrow")  # [5, 1]: fits
    with tf.Session() as sess:
        wide_v = sess.run(wide, {x: xv})
        assert _arguments(sess._plans[(wide, (x,))], "AddV2") and "buffer" not in _line(sess, wide, x)
        narrow_v = sess.run(narrow, {x: xv})
        assert "buffer" in _line(sess, narrow, x)
    column_v = xv @ np.ones((3, 1), np.float32)
    np.testing.assert_array_equal(wide_v, column_v + np.ones((1, 4), np.float32))
    np.testing.assert_array_equal(narrow_v, column_v + np.float32(1))


def _line(sess, fetch, feed):
    """The plan line of the op that computes `fetch`."""
    plan = sess._plans[(fetch, (feed,))]
    number = next(n for n, op in plan.line_ops.items() if op is fetch.op)
    return plan.code.splitlines()[number - 1]


def test_reduction_axes_known_to_the_plan_are_bound_including_folded_ones():
    x, _, xv = _case()
    axis = tf.constant([1]) * 1  # folded when the plan is built, not a Const
    s = tf.reduce_sum(x, axis=axis, name="s")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(s, {x: xv}), np.add.reduce(xv, axis=1))
        assert re.search(r"= k\d+\(f0\)", sess._plans[(s, (x,))].code)


@pytest.mark.parametrize(("axis", "keepdims"), [(None, False), (0, False), (1, True), ([0, 1], True)])
def test_float_mean_is_numpy_mean_bit_for_bit(axis, keepdims):
    values = np.random.RandomState(1).rand(37, 11).astype(np.float32) * 1000
    x = tf.placeholder(tf.float32, [None, 11])
    mean = tf.reduce_mean(x, axis=axis, keepdims=keepdims)
    with tf.Session() as sess:
        got = sess.run(mean, {x: values})
    expected = np.mean(values, axis=None if axis is None else tuple(np.atleast_1d(axis)), dtype=np.float32,
                       keepdims=keepdims)
    np.testing.assert_array_equal(got, expected)
    assert np.asarray(got).dtype == np.float32


def test_bound_reshape_of_the_wrong_size_fails_naming_the_node():
    x = tf.placeholder(tf.float32, [None])
    r = tf.reshape(x * 2.0, [2, 2], name="r")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(r, {x: np.arange(4, dtype=np.float32)}), [[0, 2], [4, 6]])
        assert re.search(r"= k\d+\(v\d+\)", sess._plans[(r, (x,))].code)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(r, {x: np.arange(3, dtype=np.float32)})
    assert info.value.op.name == "r"
    assert "Input to reshape is a tensor with 3 values, but the requested shape has 4" in info.value.message


original_widened_rows = op_util.widened_rows


def _conv_bias_values():
    """Convolutions plus a bias, the bias on either side of the add and of a subtraction (the products
    are dead, fresh results, so the bound adds write into them)."""
    rng = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [4, 6, 6, 3], name="x")
    f = tf.constant(rng.randn(3, 3, 3, 8).astype(np.float32))
    b = tf.Variable(rng.randn(8).astype(np.float32))
    convs = [tf.nn.conv2d(x, f * k, strides=[1, 1, 1, 1], padding="SAME") for k in (1.0, 2.0, 3.0)]
    outs = [convs[0] + b, b + convs[1] * 2.0, b - convs[2]]
    xv = rng.randn(4, 6, 6, 3).astype(np.float32)
    xv[0, 0, 0, 0] = np.nan
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(outs, {x: xv})
        plan = sess._plans[((session._LIST, tuple(outs)), (x,))]
    return values, plan


@pytest.fixture
def widened(monkeypatch):
    """Whether each call of `op_util.widened_rows` took the long rows, in order."""
    calls = []

    def spy(a, v):
        wide = original_widened_rows(a, v)
        calls.append(wide is not None)
        return wide

    monkeypatch.setattr(op_util, "widened_rows", spy)
    return calls


def test_bias_add_over_short_rows_gives_the_general_kernels_values_bit_for_bit(monkeypatch, widened):
    """A short vector added along the last axis goes through long rows of a tiled copy (`widened_rows`):
    the same values as the broadcasting ufunc."""
    values, plan = _conv_bias_values()
    assert widened.count(True) == 3  # the two adds and the subtraction (not the Mul by a scalar)
    assert sorted(_forwarding_types(plan)).count("AddV2") == 2 and "Sub" in _forwarding_types(plan), plan.code
    tf.reset_default_graph()
    _general_kernels_only(monkeypatch)
    general, _ = _conv_bias_values()
    for a, b in zip(values, general, strict=True):
        assert a.tobytes() == b.tobytes()


def test_bias_add_op_over_short_rows_is_numpys_broadcast_bit_for_bit(widened):
    """``tf.nn.bias_add`` (what tf.layers' convolutions add) goes through the same long rows, NHWC."""
    rng = np.random.RandomState(5)
    xv = rng.randn(3, 5, 7, 16).astype(np.float32)
    xv[1, 2, 3, 4] = np.nan
    bv = rng.randn(16).astype(np.float32)
    bv[0] = -0.0
    out = tf.nn.bias_add(tf.constant(xv), tf.constant(bv))
    with tf.Session() as sess:
        got = sess.run(out)
    assert widened == [True]
    assert got.tobytes() == (xv + bv).tobytes()
