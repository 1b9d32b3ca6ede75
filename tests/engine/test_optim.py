"""Optimizers, slots, global step, learning-rate schedules and gradient clipping (TF 1.x behaviour)."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def quadratic(shape=(2, 2)):
    """loss = sum((v - target)^2) / 2 with gradient v - target."""
    v = tf.Variable(np.full(shape, 2.0, np.float32), name="v")
    target = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    loss = tf.reduce_sum(tf.square(v - target)) / 2
    return v, target, loss


def run_steps(train, n, fetch=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(n):
            sess.run(train)
        return sess.run(fetch) if fetch is not None else None


def test_adam_graph_has_tf_names_slots_and_accumulators():
    v, _, loss = quadratic()
    opt = tf.train.AdamOptimizer(0.1)
    train = opt.minimize(loss)
    ops = {op.name: op.type for op in tf.get_default_graph().get_operations()}
    assert train.name == "Adam" and train.type == "NoOp"
    assert ops["Adam/update_v/ApplyAdam"] == "ApplyAdam"
    assert ops["v/Adam"] == "VariableV2" and ops["v/Adam_1"] == "VariableV2"
    assert (
        ops["beta1_power"] == "VariableV2" and ops["Adam/mul"] == "Mul" and ops["Adam/Assign_1"] == "Assign"
    )
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(v, "m").name == "v/Adam:0"
    assert opt.get_slot(v, "v").name == "v/Adam_1:0"
    assert opt.get_slot(v, "nope") is None
    assert [x.name for x in opt.variables()] == ["beta1_power:0", "beta2_power:0", "v/Adam:0", "v/Adam_1:0"]
    slots = [x for x in tf.global_variables() if x.name.startswith("v/Adam")]
    assert slots and all(x not in tf.trainable_variables() for x in slots)


def _one_step_numpy(kind, v, g, lr):
    if kind == "adagrad":
        acc = 0.1 + g * g
        return v - lr * g / np.sqrt(acc)
    if kind == "rmsprop":
        ms = 1.0 + (g * g - 1.0) * (1 - 0.9)
        return v - lr * g / np.sqrt(ms + 1e-10)
    if kind == "centered":
        ms = 1.0 + (g * g - 1.0) * 0.1
        mg = g * 0.1
        return v - lr * g / np.sqrt(ms - mg * mg + 1e-10)
    if kind == "adadelta":
        acc = 0.05 * g * g
        update = np.sqrt(1e-8) / np.sqrt(acc + 1e-8) * g
        return v - lr * update
    if kind == "adam":
        m, s = 0.1 * g, 0.001 * g * g
        alpha = lr * np.sqrt(1 - 0.999) / (1 - 0.9)
        return v - alpha * m / (np.sqrt(s) + 1e-8)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind,make",
    [
        ("adagrad", lambda: tf.train.AdagradOptimizer(0.5)),
        ("rmsprop", lambda: tf.train.RMSPropOptimizer(0.5)),
        ("centered", lambda: tf.train.RMSPropOptimizer(0.5, centered=True)),
        ("adadelta", lambda: tf.train.AdadeltaOptimizer(0.5)),
        ("adam", lambda: tf.train.AdamOptimizer(0.5)),
    ],
)
def test_one_step_of_each_optimizer_follows_tf_update_rule(kind, make):
    v, target, loss = quadratic()
    opt = make()
    train = opt.minimize(loss)
    got = run_steps(train, 1, v)
    expected = _one_step_numpy(kind, np.full((2, 2), 2.0), 2.0 - target, 0.5)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_slot_names_follow_creation_order():
    v, _, loss = quadratic()
    opt = tf.train.RMSPropOptimizer(0.1, momentum=0.9, centered=True)
    opt.minimize(loss)
    assert opt.get_slot(v, "rms").op.name == "v/RMSProp"
    assert opt.get_slot(v, "mg").op.name == "v/RMSProp_1"
    assert opt.get_slot(v, "momentum").op.name == "v/RMSProp_2"
    assert tf.get_default_graph().get_operation_by_name("RMSProp/update_v/ApplyCenteredRMSProp")


def test_global_step_is_incremented_and_returned():
    _, _, loss = quadratic()
    step = tf.train.get_or_create_global_step()
    assert step.op.name == "global_step" and step.dtype.base_dtype == tf.int64
    assert tf.train.get_global_step() is step
    assert tf.train.get_or_create_global_step() is step
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    # As in TF 1.x, the train op is the AssignAdd Operation (running it returns None).
    assert isinstance(train, tf.Operation)
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert [(sess.run(train), int(sess.run(step)))[1] for _ in range(3)] == [1, 2, 3]
        assert sess.run(train) is None
        assert tf.train.global_step(sess, step) == 4
    with pytest.raises(ValueError, match='"global_step" already exists.'):
        tf.train.create_global_step()


def test_compute_and_apply_gradients_with_clipping():
    v, target, loss = quadratic()
    opt = tf.train.GradientDescentOptimizer(1.0)
    grads_and_vars = opt.compute_gradients(loss)
    assert [var for _, var in grads_and_vars] == [v]
    grads, norm = tf.clip_by_global_norm([g for g, _ in grads_and_vars], 1.0)
    train = opt.apply_gradients(zip(grads, [v], strict=True))
    g0 = 2.0 - target
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(norm) == pytest.approx(np.linalg.norm(g0), rel=1e-6)
        sess.run(train)
        np.testing.assert_allclose(sess.run(v), 2.0 - g0 / np.linalg.norm(g0), rtol=1e-5)


def test_clip_by_norm_and_global_norm_edge_cases():
    t = tf.constant([3.0, 4.0])
    zero = tf.constant([0.0, 0.0])
    clipped = tf.clip_by_norm(t, 1.0)
    unclipped = tf.clip_by_norm(t, 10.0)
    z = tf.clip_by_norm(zero, 1.0)
    inf_clip, _ = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(clipped), [0.6, 0.8], rtol=1e-6)
        np.testing.assert_allclose(sess.run(unclipped), [3.0, 4.0], rtol=1e-6)
        np.testing.assert_allclose(sess.run(z), [0.0, 0.0])
        assert np.isnan(sess.run(inf_clip[0])).all()
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.clip_by_global_norm(t, 1.0)


def test_learning_rate_schedules():
    step = tf.placeholder(tf.int64, [])
    exp = tf.train.exponential_decay(0.1, step, 10, 0.5)
    stair = tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True)
    poly = tf.train.polynomial_decay(0.1, step, 10, end_learning_rate=0.01, power=2.0)
    piece = tf.train.piecewise_constant(step, [5, 10], [1.0, 0.5, 0.1])
    with tf.Session() as sess:
        for s in (0, 5, 15):
            e, st, p, pc = sess.run([exp, stair, poly, piece], {step: s})
            assert e == pytest.approx(0.1 * 0.5 ** (s / 10), rel=1e-6)
            assert st == pytest.approx(0.1 * 0.5 ** (s // 10), rel=1e-6)
            assert p == pytest.approx((0.1 - 0.01) * (1 - min(s, 10) / 10) ** 2 + 0.01, rel=1e-5)
            assert pc == {0: 1.0, 5: 1.0, 15: 0.1}[s]
        assert sess.run(piece, {step: 7}) == 0.5
    with pytest.raises(ValueError, match="global_step is required for exponential_decay."):
        tf.train.exponential_decay(0.1, None, 10, 0.5)
    with pytest.raises(
        ValueError, match="The length of boundaries should be 1 less than the length of values"
    ):
        tf.train.piecewise_constant(step, [1], [1.0])


def test_learning_rate_tensor_drives_the_update():
    v, target, loss = quadratic()
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(1.0, step, 1, 0.5, staircase=True)
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=step)
    got = run_steps(train, 2, v)
    after_one = 2.0 - 1.0 * (2.0 - target)
    np.testing.assert_allclose(got, after_one - 0.5 * (after_one - target), rtol=1e-6)


def test_optimizer_errors_match_tf():
    v = tf.Variable(1.0, name="v")
    unrelated = tf.constant(2.0) * 3.0
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(unrelated)
    with pytest.raises(ValueError, match="No variables to optimize."):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0, var_list=[])
    with pytest.raises(
        ValueError,
        match=r"Invalid type tf.int32 for .*, expected: \[tf.float32, tf.float64, "
        r"tf.float16\].",
    ):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1) * 2, var_list=[v])


def test_update_ops_run_when_the_train_op_depends_on_them():
    """TF1 optimizers do not run UPDATE_OPS by themselves; the documented pattern makes them run."""
    v, _, loss = quadratic()
    counter = tf.Variable(0, name="counter")
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
    assert run_steps(train, 3, counter) == 3
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
