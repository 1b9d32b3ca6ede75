"""CheckNumerics and the checks built on it, with TensorFlow 2.21's node names, error texts and gradient
message (read from tf.compat.v1 with v2 behaviour disabled)."""

import numpy as np
import pytest

import engine as tf


@pytest.mark.parametrize("value, found", [([1.0, np.nan], "NaN"), ([np.inf, 1.0], "Inf"),
                                          ([np.inf, np.nan], "Inf and NaN")])
def test_check_numerics_fails_the_run_with_tf_text(value, found):
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [None])
        checked = tf.check_numerics(x, "bad x")
        assert checked.name == "CheckNumerics:0" and checked.shape.as_list() == [None]
        np.testing.assert_array_equal(sess.run(checked, {x: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(checked, {x: value})
    assert caught.value.message == f"bad x : Tensor had {found} values\n\t [[{{{{node CheckNumerics}}}}]]"


def test_verify_tensor_all_finite_builds_tf_nodes_and_checks_gradients():
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None])
        checked = tf.check_numerics(x, "bad x")
        verified = tf.verify_tensor_all_finite(x, "msg")
        assert verified.name == "VerifyFinite/control_dependency:0"
        assert [op.name for op in verified.op.control_inputs] == ["VerifyFinite/CheckNumerics"]
        assert [op.name for op in graph.get_operations()] == [
            "Placeholder", "CheckNumerics", "VerifyFinite/CheckNumerics", "VerifyFinite/control_dependency"]
        grad = tf.gradients(checked * 2.0, x)[0]
        assert grad.op.type == "CheckNumerics"
        assert grad.op.get_attr("message") == \
            b"Not a number (NaN) or infinity (Inf) values detected in gradient. b'bad x'"
        assert tf.debugging.assert_all_finite is tf.verify_tensor_all_finite
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="msg : Tensor had NaN values"):
                sess.run(verified, {x: [np.nan]})


def test_add_check_numerics_ops_checks_every_float_output():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [], name="x")
        tf.log(x, name="log")
        tf.constant(1, name="int")  # not a float: unchecked
        check = tf.add_check_numerics_ops()
        assert (check.type, check.name) == ("NoOp", "group_deps")
        sess.run(check, {x: 2.0})
        with pytest.raises(tf.errors.InvalidArgumentError, match="log:0 : Tensor had Inf values"):
            sess.run(check, {x: 0.0})
