"""The session's plan compiler: plan-time constant folding, shape folding for the fed shapes, pass-through
ops without kernel calls -- same values and same errors (naming the node) as running every op."""

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _plan(sess, fetch):
    return sess._plans[fetch]


def _planned_types(sess, fetch):
    """The op types that still have a line in the plan cached under `fetch` (or `(fetch, feed keys)`)."""
    return sorted(op.type for op in _plan(sess, fetch).line_ops.values())


def test_constant_subgraph_is_folded_in_the_plan_not_in_the_graph():
    a = tf.constant([1, 2, 3])
    b = tf.constant([10, 20, 30])
    y = tf.reshape(a * b + 1, tf.stack([tf.constant(3), 1]), name="y")
    graph_def = tf.get_default_graph().as_graph_def().SerializeToString()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [[11], [41], [91]])
        assert _planned_types(sess, y) == []
    assert tf.get_default_graph().as_graph_def().SerializeToString() == graph_def


def test_folded_value_is_fetched_as_a_copy():
    y = tf.constant([1.0, 2.0]) * 2.0
    with tf.Session() as sess:
        first = sess.run(y)
        first[0] = 100.0
        np.testing.assert_array_equal(sess.run(y), [2.0, 4.0])


def test_constant_op_that_fails_is_left_in_the_plan_and_names_its_node():
    y = tf.floormod(tf.constant(5), tf.constant(0), name="mod")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y)
        assert info.value.op.name == "mod"
        assert "node mod" in info.value.message
        assert _planned_types(sess, y) == ["FloorMod"]


def test_stateful_and_random_ops_are_not_folded():
    r = tf.random_uniform([3], seed=1, name="r")
    with tf.Session() as sess:
        assert not np.array_equal(sess.run(r), sess.run(r))
        assert "RandomUniform" in _planned_types(sess, r)  # (its scaling ops are pure, not constant)


def test_shapes_of_a_fed_batch_are_folded_and_another_batch_size_still_works():
    x = tf.placeholder(tf.float32, [None, 3])
    n = tf.cast(tf.shape(x)[0], tf.float32)
    flat = tf.reshape(x, tf.stack([tf.shape(x)[0] * 3]))
    mean = tf.reduce_sum(flat) / n
    with tf.Session() as sess:
        for batch in (2, 5, 2, 1):
            value = np.arange(batch * 3, dtype=np.float32).reshape(batch, 3)
            np.testing.assert_allclose(sess.run(mean, {x: value}), value.sum() / batch)
            np.testing.assert_array_equal(sess.run(flat, {x: value}), value.reshape(-1))
        plan = sess._plans[(mean, (x,))]
        assert plan.plan.feed_shapes == ((2, 3),)
        assert "Shape" not in {op.type for op in plan.line_ops.values()}


def test_fed_shape_that_breaks_a_folded_op_fails_at_run_time_naming_the_node():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reshape(x, tf.stack([tf.shape(x)[0] // 2, 2]), name="pairs")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: np.arange(4, dtype=np.float32)}), [[0, 1], [2, 3]])
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: np.arange(5, dtype=np.float32)})
        assert info.value.op.name == "pairs"


def test_reshape_to_its_own_shape_runs_no_kernel():
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.reshape(x, tf.shape(x), name="same") * 2.0
    with tf.Session() as sess:
        value = np.ones((3, 4), np.float32)
        np.testing.assert_array_equal(sess.run(y, {x: value}), value * 2)
        assert _planned_types(sess, (y, (x,))) == ["Mul"]


def test_variable_read_runs_no_kernel_and_uninitialized_read_names_the_read():
    v = tf.Variable([1.0, 2.0], name="v")
    y = v * 3.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            sess.run(y)
        assert "Attempting to use uninitialized value v" in info.value.message
        assert info.value.op.name == "v/read"
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(y), [3.0, 6.0])
        assert _planned_types(sess, y) == ["Identity", "Mul"]  # the read is `_read(cell)`, on its own line
        assert "_read(var" in _plan(sess, y).code


def test_assign_that_changes_a_variable_shape_turns_shape_folding_off_for_it():
    v = tf.Variable(np.zeros(2, np.float32), name="v")
    r = tf.reshape(v, [2], name="r")
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(r), [0, 0])
        assert _planned_types(sess, r) == ["Identity"]  # the Reshape was a no-op for the static shape
        grow = tf.assign(v, np.zeros(3, np.float32), validate_shape=False)
        sess.run(grow)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(r)
        assert info.value.op.name == "r"


def test_pass_through_ops_keep_values_and_errors():
    x = tf.placeholder(tf.float32, [2])
    y = tf.identity(tf.stop_gradient(x)) + 1.0
    with tf.control_dependencies([x.op]):
        z = tf.no_op()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [2.0, 3.0])
        assert sess.run([z, y], {x: [0.0, 0.0]})[0] is None
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value"):
            sess.run(z)


def test_uninitialized_variable_restored_with_another_shape_runs_unfolded():
    # A Saver-style restore: Assign (validate_shape=True) of a value of unknown shape, which the engine
    # accepts into an uninitialized variable.  Plans fold for the declared shape while the variable has it.
    v = tf.Variable(np.zeros(2, np.float32), name="v")
    restored = tf.placeholder(tf.float32, None)
    restore = tf.assign(v, restored)
    x = tf.placeholder(tf.float32, [None])
    y = tf.reshape(v + tf.reduce_sum(x), [2], name="y")
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(y, {x: [1.0]}), [1.0, 1.0])
        assert "Reshape" not in {op.type for op in sess._plans[(y, (x,))].line_ops.values()}
    with tf.Session() as sess:
        sess.run(restore, {restored: np.ones(3, np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: [1.0]})
        assert info.value.op.name == "y"
