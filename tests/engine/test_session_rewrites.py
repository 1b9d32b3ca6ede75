"""A session that has already run an op follows later changes to that op (`_set_attr`, `_update_input`,
`_add_control_input`): its plans and its compiled kernels are made again, never reused stale.

This deviates from TF on purpose (TF logs "This mutation will have no effect" and keeps running the old
op in that session); a new TF session sees the changed op, which is what these sessions show too.
"""

import numpy as np
import pytest

import engine as tf

X = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
Y = np.array([[10.0, 20.0], [30.0, 40.0]], np.float32)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_set_attr_reaches_a_plan_already_built():
    # The axis is a Const, so the plan bound the reduction with keep_dims read when it was built.
    total = tf.reduce_sum(tf.constant(X), 0)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(total), [4.0, 6.0])
        total.op._set_attr("keep_dims", True)
        np.testing.assert_array_equal(sess.run(total), [[4.0, 6.0]])


def test_set_attr_reaches_a_compiled_kernel():
    # A fed axis runs the general kernel, compiled once per session with keep_dims read at compile time.
    # Rewiring the input afterwards rebuilt the plan but used to reuse that kernel: the new input with
    # the old keep_dims.
    x = tf.constant(X)
    axis = tf.placeholder(tf.int32)
    total = tf.reduce_sum(x, axis)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(total, {axis: 0}), [4.0, 6.0])
        total.op._set_attr("keep_dims", True)
        total.op._update_input(0, tf.constant(Y))
        np.testing.assert_array_equal(sess.run(total, {axis: 0}), [[40.0, 60.0]])
    with tf.Session() as fresh:
        np.testing.assert_array_equal(fresh.run(total, {axis: 0}), [[40.0, 60.0]])


def test_rewrites_keep_variable_values():
    v = tf.Variable(1.0)
    doubled = v * 2.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(tf.assign_add(v, 1.0))
        assert sess.run(doubled) == 4.0
        doubled.op._update_input(1, tf.constant(3.0))
        assert sess.run(doubled) == 6.0


def test_ops_still_being_built_do_not_replan_sessions():
    # Attrs set and control inputs added while an op is created (gradients mark their MatMuls, ops in a
    # control_dependencies block) concern no plan, so sessions keep theirs.
    a = tf.constant(X)
    out = tf.matmul(a, a)
    with tf.Session() as sess:
        sess.run(out)
        plans = dict(sess._plans)
        with tf.control_dependencies([out.op]):
            tf.identity(a)
        tf.gradients(out, a)
        sess.run(out)
        assert sess._plans == plans
