"""tf.Assert, tf.Print and the tf.assert_* family: TF's op names, and TF's texts when a check fails
(read from TensorFlow 2.21 with v2 behaviour off)."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.ops.logging_ops import summarize_value

X = [1.0, -2.0, 3.0, 4.0, 5.0]
Y = [1.0, 2.0, 3.0, 4.0, 6.0]


def _failure(check, feeds):
    with tf.Session() as s, pytest.raises(tf.errors.InvalidArgumentError) as info:
        s.run(check, feeds)
    return info.value.message.split("\n\t")[0]


def test_assert_family_messages_match_tf():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        y = tf.placeholder(tf.float32, [None], name="y")
        feeds = {x: X, y: Y}
        expected = {
            tf.assert_equal(x, y): "[Condition x == y did not hold element-wise:] [x (x:0) = ] [1 -2 3...] "
            "[y (y:0) = ] [1 2 3...]",
            tf.assert_positive(x): "[] [Condition x > 0 did not hold element-wise:] [x (x:0) = ] [1 -2 3...]",
            tf.assert_less(x, y): "[Condition x < y did not hold element-wise:] [x (x:0) = ] [1 -2 3...] "
            "[y (y:0) = ] [1 2 3...]",
            tf.assert_non_negative(x, message="hello"): "[hello.  ] [Condition x >= 0 did not hold "
            "element-wise:] [x (x:0) = ] [1 -2 3...]",
            tf.assert_negative(x): "[] [Condition x < 0 did not hold element-wise:] [x (x:0) = ] [1 -2 3...]",
            tf.assert_greater(x, y): "[Condition x > y did not hold element-wise:] [x (x:0) = ] [1 -2 3...] "
            "[y (y:0) = ] [1 2 3...]",
            tf.assert_none_equal(x, y): "[Condition x != y did not hold element-wise:] [x (x:0) = ] "
            "[1 -2 3...] [y (y:0) = ] [1 2 3...]",
            tf.assert_greater_equal(x, y): "[Condition x >= y did not hold element-wise:] [x (x:0) = ] "
            "[1 -2 3...] [y (y:0) = ] [1 2 3...]",
            tf.assert_non_positive(x): "[] [Condition x <= 0 did not hold element-wise:x (x:0) = ] "
            "[1 -2 3...]",
        }
        for check, text in expected.items():
            assert check.type == "Merge" and check.name.endswith("Assert/AssertGuard/Merge")
            assert _failure(check, feeds) == "assertion failed: " + text
        with tf.Session() as s:
            s.run(tf.assert_less_equal(x, y), feeds)  # holds: runs, no error
        assert tf.assert_positive(x).name == "assert_positive_1/assert_less/Assert/AssertGuard/Merge"


def test_assert_rank_static_and_dynamic():
    x = tf.placeholder(tf.float32, [None], name="xr")
    assert tf.assert_rank(x, 1).type == "NoOp"
    with pytest.raises(ValueError, match=r"Tensor xr:0 must have rank 2.  Received rank 1, shape \(\?,\)"):
        tf.assert_rank(x, 2)
    z = tf.placeholder(tf.float32, name="zr")
    check = tf.assert_rank(z, 2)
    assert _failure(check, {z: [1.0]}) == "assertion failed: [] [Tensor zr:0 must have rank] [2] " \
                                          "[Received shape: ] [1]"


def test_static_checks_happen_at_construction():
    assert tf.assert_equal(1, 1).type == "NoOp"
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"x == y did not hold element-wise:\nx"):
        tf.assert_equal(1, 2)


def test_assert_as_a_control_dependency():
    x = tf.placeholder(tf.float32, [None])
    with tf.control_dependencies([tf.assert_positive(x)]):
        y = tf.identity(x) * 2.0
    with tf.Session() as s:
        assert s.run(y, {x: [1.0, 2.0]}).tolist() == [2.0, 4.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x > 0"):
            s.run(y, {x: [1.0, -2.0]})


def test_summarize_value_as_tf():
    # TF's SummarizeValue: rows in brackets but no outer pair (Assert and Print put one around each value).
    assert summarize_value(np.array([[1, 2], [3, 4]]), 3) == "[1 2][3...]..."
    assert summarize_value(np.array([[1.5, -2.25, 3, 4, 5, 6]], np.float32), 3) == "[1.5 -2.25 3...]..."
    assert summarize_value(np.array([True, False]), 3) == "1 0"
    assert summarize_value(np.array(b"bad"), 3) == "bad"
    assert summarize_value(np.array([b'a"b\n']), 3) == 'a\\"b\\n'  # C-escaped, as absl::CEscape
    assert summarize_value(np.array([[1, 2], [3, 4]]), 10) == "[1 2][3 4]"
    assert summarize_value(np.zeros((2, 0)), 3) == ""


def test_assert_message_of_matrices_as_tf():
    """Texts real TF 2.21 printed for these Asserts."""
    expected = {
        ((2, 3), 3): "assertion failed: [[0 1 2]...]",
        ((2, 3), 4): "assertion failed: [[0 1 2][3...]...]",
        ((2, 2, 2), 3): "assertion failed: [[[0 1][2...]]...]",
        ((2, 2, 2), 20): "assertion failed: [[[0 1][2 3]][[4 5][6 7]]]",
    }
    for (shape, summarize), text in expected.items():
        value = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
        with tf.Graph().as_default(), tf.Session() as s:
            check = tf.Assert(tf.constant(False), [tf.constant(value)], summarize=summarize)
            with pytest.raises(tf.errors.InvalidArgumentError) as raised:
                s.run(check)
            assert raised.value.message.splitlines()[0] == text


def test_print_writes_to_stderr_first_n_times(capfd):
    x = tf.constant([1.0, 2.5, 3.0, 4.0])
    out = tf.Print(x, [x, tf.constant("s")], message="value: ", first_n=2, summarize=2)
    with tf.Session() as s:
        for _ in range(3):
            assert s.run(out).tolist() == [1.0, 2.5, 3.0, 4.0]
    assert capfd.readouterr().err == "value: [1 2.5...][s]\n" * 2
    assert out.op.type == "Print" and out.op.name == "Print"


def test_tf_print_formats_as_tf(capfd):
    import sys

    x = tf.constant([[1.5, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7]])
    p = tf.print("loss:", x, tf.range(10), 3, {"a": tf.constant(2)}, [tf.constant(True)], tf.constant("str"),
                 summarize=2)
    p2 = tf.print(tf.range(10), output_stream=sys.stdout, sep="|", end="!\n")
    p3 = tf.print(tf.zeros([2, 2, 2]), tf.constant(1.0 / 3), tf.constant(1e-8), tf.constant(2.5, tf.float64))
    assert p.type == "PrintV2" and p.inputs[0].op.get_attr("template") == b"loss: {} {} 3 {'a': {}} [{}] {}"
    with tf.Session() as s:
        s.run(p)
        s.run(p2)
        s.run(p3)
    out = capfd.readouterr()
    assert out.out == "[0 1 2 ... 7 8 9]!\n"
    assert out.err == (
        "loss: [[1.5 2 ... 6 7]\n [1 2 ... 6 7]] [0 1 ... 8 9] 3 {'a': 2} [1] \"str\"\n"
        "[[[0 0]\n  [0 0]]\n\n [[0 0]\n  [0 0]]] 0.333333343 1e-08 2.5\n"
    )
