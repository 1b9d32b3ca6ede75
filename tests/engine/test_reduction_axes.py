"""Reductions, ArgMax/ArgMin and Cumsum with an axis out of range: TF's error class and text at graph
construction (a constant axis) and at run time (a fed axis), never a silently wrapped axis.

The texts are TF's (checked against TensorFlow 2.21's tf.compat.v1), shape-function errors in TF 2.x's
framing that names the node with its attrs and inputs (`for '{{node Sum}} = Sum[...](...)'`).
"""

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


REDUCTIONS = [
    (tf.reduce_sum, "Sum", tf.float32),
    (tf.reduce_mean, "Mean", tf.float32),
    (tf.reduce_max, "Max", tf.float32),
    (tf.reduce_min, "Min", tf.float32),
    (tf.reduce_prod, "Prod", tf.float32),
    (tf.reduce_all, "All", tf.bool),
    (tf.reduce_any, "Any", tf.bool),
]
ONES = np.ones((2, 3))


@pytest.mark.parametrize(("reduce", "op_type", "dtype"), REDUCTIONS)
@pytest.mark.parametrize(
    ("axis", "bad", "axes_shape", "computed"), [(5, 5, "[]", "5"), ([0, -3], -3, "[2]", "0 -3")]
)
def test_constant_axis_out_of_range_is_a_shape_error(reduce, op_type, dtype, axis, bad, axes_shape, computed):
    x = tf.placeholder(dtype, [2, 3])
    with pytest.raises(ValueError) as info:
        reduce(x, axis)
    types = "" if op_type in ("All", "Any") else "T=DT_FLOAT, "
    node = f"{{{{node {op_type}}}}} = {op_type}[{types}Tidx=DT_INT32, keep_dims=false]"
    assert str(info.value) == (
        f"Invalid reduction dimension {bad} for input with 2 dimensions. for '{node}(Placeholder, "
        f"{op_type}/reduction_indices)' with input shapes: [2,3], {axes_shape} and with computed input "
        f"tensors: input[1] = <{computed}>."
    )


@pytest.mark.parametrize(("reduce", "op_type", "dtype"), REDUCTIONS)
@pytest.mark.parametrize(("axis", "bad"), [(5, 5), ([0, -3], -3), ([2, 7], 2)])
def test_fed_axis_out_of_range_is_invalid_argument(reduce, op_type, dtype, axis, bad):
    x = tf.placeholder(dtype, [2, 3])
    a = tf.placeholder(tf.int32)
    y = reduce(x, a)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y, {x: ONES, a: axis})
    assert info.value.message == (
        f"Invalid reduction dimension ({bad} for input with 2 dimension(s)\n\t [[{{{{node {op_type}}}}}]]"
    )


@pytest.mark.parametrize(("reduce", "op_type", "dtype"), REDUCTIONS)
def test_duplicate_axes_are_invalid_argument_bound_or_fed(reduce, op_type, dtype):
    # [0, -2] names axis 0 twice: TF's shape function lets it through and the kernel refuses it, both
    # when the axes are a Const (bound when the plan is built) and when they are fed.
    x = tf.placeholder(dtype, [2, 3])
    a = tf.placeholder(tf.int32)
    const_axes = reduce(x, [0, -2])
    fed_axes = reduce(x, a)
    expected = "Invalid reduction arguments: Axes contains duplicate dimension: 0\n\t [[{{node %s}}]]"
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(const_axes, {x: ONES})
        assert info.value.message == expected % const_axes.op.name
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(fed_axes, {x: ONES, a: [0, -2]})
        assert info.value.message == expected % fed_axes.op.name


def test_constant_axis_checked_at_run_time_when_rank_is_only_known_then():
    # The input's rank is unknown when the graph is built, so the Const axis 5 passes the shape
    # function; the plan (specialised to the fed shape) must not bind a wrapped axis.
    x = tf.placeholder(tf.float32)
    y = tf.reduce_sum(x, 5)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y, {x: ONES})
    assert info.value.message == (
        "Invalid reduction dimension (5 for input with 2 dimension(s)\n\t [[{{node Sum}}]]"
    )


def test_scalar_input_has_no_axis_to_reduce():
    with pytest.raises(ValueError, match=r"^Invalid reduction dimension 0 for input with 0 dimensions\. "):
        tf.reduce_sum(tf.placeholder(tf.float32, []), 0)
    x = tf.placeholder(tf.float32)
    a = tf.placeholder(tf.int32)
    y = tf.reduce_sum(x, a, name="total")
    with tf.Session() as sess:
        assert sess.run(y, {x: 2.0, a: []}) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: 2.0, a: 0})
    assert info.value.message == (
        "Invalid reduction dimension (0 for input with 0 dimension(s)\n\t [[{{node total}}]]"
    )


def test_axes_of_rank_two_are_a_shape_error():
    with pytest.raises(ValueError) as info:
        tf.reduce_sum(tf.placeholder(tf.float32, [2, 3]), [[0], [1]])
    assert str(info.value) == (
        "Shape must be at most rank 1 but is rank 2 for '{{node Sum}} = Sum[T=DT_FLOAT, Tidx=DT_INT32, "
        "keep_dims=false](Placeholder, Sum/reduction_indices)' with input shapes: [2,3], [2,1]."
    )


def test_in_range_axes_still_reduce():
    x = tf.placeholder(tf.float32, [2, 3])
    a = tf.placeholder(tf.int32)
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.reduce_sum(x, [-1, 0]), {x: values}), values.sum())
        np.testing.assert_array_equal(sess.run(tf.reduce_max(x, a, keepdims=True), {x: values, a: -2}),
                                      values.max(0, keepdims=True))


@pytest.mark.parametrize(("arg", "op_type"), [(tf.argmax, "ArgMax"), (tf.argmin, "ArgMin")])
@pytest.mark.parametrize("axis", [2, -3])
def test_arg_reduction_axis_out_of_range(arg, op_type, axis):
    with pytest.raises(ValueError) as info:
        arg(tf.placeholder(tf.float32, [2, 3]), axis)
    assert str(info.value) == (
        f"Dimension ({axis}) must be in the range [-2, 2), where 2 is the number of dimensions in the input. "
        f"for '{{{{node {op_type}}}}} = {op_type}[T=DT_FLOAT, Tidx=DT_INT32, "
        f"output_type=DT_INT64](Placeholder, "
        f"{op_type}/dimension)' with input shapes: [2,3], [] and with computed input tensors: input[1] = "
        f"<{axis}>."
    )
    x = tf.placeholder(tf.float32, [2, None])
    a = tf.placeholder(tf.int32)
    y = arg(x, a)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: ONES, a: axis})
        assert info.value.message == (
            f"Expected dimension in the range [-2, 2), but got {axis}\n\t [[{{{{node {y.op.name}}}}}]]"
        )
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: ONES, a: [1]})
        assert info.value.message == (
            f"dim must be a scalar, but received tensor of shape: [1]\n\t [[{{{{node {y.op.name}}}}}]]"
        )
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: np.ones((2, 0)), a: -1})
        assert info.value.message == (
            f"Reduction axis 1 is empty in shape [2,0]\n\t [[{{{{node {y.op.name}}}}}]]"
        )


def test_cumsum_axis_out_of_range():
    x = tf.placeholder(tf.float32, [2, 3])
    a = tf.placeholder(tf.int32)
    y = tf.cumsum(x, a)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y, {x: ONES, a: 5})
    assert info.value.message == (
        "ScanOp: Expected scan axis in the range [-2, 2), but got 5\n\t [[{{node Cumsum}}]]"
    )
