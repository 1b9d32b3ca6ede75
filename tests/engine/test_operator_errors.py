"""Tensor and Variable operators given a value that does not fit the tensor's dtype raise TF's error.

Texts observed from TF 2.21 `tf.compat.v1` in graph mode.
"""

import numpy as np
import pytest

import engine as tf


def _mismatch(op_type, observed, dtype="int32", args=("x", "y")):
    return (
        f"Input '{args[1]}' of '{op_type}' Op has type {observed} that does not match type {dtype} "
        f"of argument '{args[0]}'."
    )


GEN_OPS = [
    ("-", lambda a, b: a - b, "Sub"),
    ("*", lambda a, b: a * b, "Mul"),
    ("//", lambda a, b: a // b, "FloorDiv"),
    ("%", lambda a, b: a % b, "FloorMod"),
    ("**", lambda a, b: a**b, "Pow"),
    ("<", lambda a, b: a < b, "Less"),
    ("<=", lambda a, b: a <= b, "LessEqual"),
    (">", lambda a, b: a > b, "Greater"),
    (">=", lambda a, b: a >= b, "GreaterEqual"),
]
REFLECTED_COMPARE = {"<": "Greater", "<=": "GreaterEqual", ">": "Less", ">=": "LessEqual"}


@pytest.mark.parametrize("make", [lambda: tf.constant(1), lambda: tf.Variable(1)], ids=["tensor", "variable"])
@pytest.mark.parametrize(("symbol", "apply", "op_type"), GEN_OPS, ids=[o[0] for o in GEN_OPS])
@pytest.mark.parametrize("value", [2.5, [1.5], (1.5,), [[1.5], [2.5]], "s", 2j, [None]])
def test_generated_op_operator_names_parameter_y(make, symbol, apply, op_type, value):
    with tf.Graph().as_default():
        with pytest.raises(TypeError) as info:
            apply(make(), value)
    text = str(info.value)
    assert text.startswith(
        f"Expected int32 passed to parameter 'y' of op '{op_type}', got {value!r} of type "
        f"'{type(value).__name__}' instead. Error: Expected int32, but got "
    ), text


@pytest.mark.parametrize(("symbol", "apply", "op_type"), GEN_OPS, ids=[o[0] for o in GEN_OPS])
def test_reflected_operator_is_the_conversion_error(symbol, apply, op_type):
    with tf.Graph().as_default():
        t = tf.constant(1)
        if symbol in REFLECTED_COMPARE:  # Python swaps `2.5 < t` into `t > 2.5`
            message = f"Expected int32 passed to parameter 'y' of op '{REFLECTED_COMPARE[symbol]}', got 2.5 "
        else:
            message = "Expected int32, but got 2.5 of type 'float'."
        with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(".", r"\.")):
            apply(2.5, t)


@pytest.mark.parametrize(
    ("apply", "message"),
    [
        (lambda t: t + 2.5, _mismatch("AddV2", "float32")),
        (lambda t: t + [1.5], _mismatch("AddV2", "float32")),
        (lambda t: t / 2.5, "`x` and `y` must have the same dtype, got tf.int32 != tf.float32."),
        (lambda t: t @ 2.5, _mismatch("MatMul", "float32", args=("a", "b"))),
        (lambda t: 2.5 + t, "Expected int32, but got 2.5 of type 'float'."),
        (lambda t: 2.5 / t, "Expected int32, but got 2.5 of type 'float'."),
        (lambda t: 2.5 @ t, "Expected int32, but got 2.5 of type 'float'."),
        (lambda t: t - tf.constant(1.5), _mismatch("Sub", "float32")),
        (lambda t: t < tf.constant(1.5), _mismatch("Less", "float32")),
        (lambda t: t - tf.Variable(1.5), _mismatch("Sub", "float32")),
        (lambda t: t + tf.constant(1.5), _mismatch("AddV2", "float32")),
        (lambda t: t / tf.constant(1.5), "`x` and `y` must have the same dtype, got tf.int32 != tf.float32."),
        (lambda t: t @ tf.constant([[1.5]]), _mismatch("MatMul", "float32", args=("a", "b"))),
        (lambda t: tf.Variable(1) * 2.5, "Expected int32 passed to parameter 'y' of op 'Mul', got 2.5 "),
    ],
)
def test_dispatching_operators_keep_their_own_error(apply, message):
    """`+`, `/` and `@` convert the right operand with the tensor's dtype as a hint first (as TF's
    `_add_dispatch`, `_truediv_python3`, `matmul`), so they report the mismatch of the converted value."""
    with tf.Graph().as_default():
        with pytest.raises(TypeError) as info:
            apply(tf.constant([[1]]))
    assert str(info.value).startswith(message), str(info.value)


TRIED = "Tried to convert 'y' to a tensor and failed. Error: None values not supported."
FAILED = "Failed to convert elements of "


@pytest.mark.parametrize(
    ("apply", "error", "message"),
    [
        (lambda t: t - None, ValueError, TRIED),
        (lambda t: t < None, ValueError, TRIED),
        (lambda t: t + None, ValueError, "None values not supported."),
        (lambda t: t / None, ValueError, "None values not supported."),
        (lambda t: None - t, ValueError, "None values not supported."),
        (lambda t: t + object(), TypeError, FAILED + "<object object at"),
        (lambda t: t + [1, "a"], TypeError, FAILED + "[1, 'a'] to Tensor. Consider casting "),
        (lambda t: t @ [None], TypeError, FAILED + "[None] to Tensor. Consider casting "),
        (lambda t: t / "s", TypeError, "`x` and `y` must have the same dtype, got tf.int32 != tf.string."),
    ],
)
def test_unconvertible_values(apply, error, message):
    with tf.Graph().as_default():
        with pytest.raises(error) as info:
            apply(tf.constant(1))
    assert type(info.value) is error
    assert str(info.value).startswith(message), str(info.value)


def test_failed_to_convert_text_in_full():
    with tf.Graph().as_default(), pytest.raises(TypeError) as info:
        tf.constant(1.0) * [None]
    assert str(info.value).startswith("Expected float32 passed to parameter 'y' of op 'Mul'")
    with tf.Graph().as_default(), pytest.raises(TypeError) as info:
        tf.constant(1.0) + [None]
    assert str(info.value) == (
        "Failed to convert elements of [None] to Tensor. Consider casting elements to a supported type. "
        "See https://www.tensorflow.org/api_docs/python/tf/dtypes for supported TF dtypes."
    )


def test_numbers_do_not_become_strings():
    with tf.Graph().as_default():
        s = tf.constant("a")
        with pytest.raises(TypeError, match=r"^Expected binary or unicode string, got 2\.5$"):
            np.float64(2.5) + s
        with pytest.raises(TypeError, match=r"^Expected binary or unicode string, got 1\.5$"):
            np.array([[1.5], [2.5]]) - s


def test_truediv_refuses_strings():
    with tf.Graph().as_default(), pytest.raises(TypeError) as info:
        tf.constant("a") / "b"
    assert str(info.value) == (
        "Invalid dtype tf.string in __truediv__. Expected one of {tf.uint8, tf.int8, tf.uint16, tf.int16, "
        "tf.uint32, tf.int32, tf.uint64, tf.int64, tf.bfloat16, tf.float16, tf.float32, tf.float64, "
        "tf.complex64, tf.complex128}."
    )


@pytest.mark.parametrize("value", [2, np.int64(2), [1], np.array([1]), True])
def test_fitting_values_still_build(value):
    with tf.Graph().as_default():
        t = tf.constant(1)
        for out in (t + value, value + t, t - value, t * value, t // value, t < value, value < t):
            assert out.dtype in (tf.int32, tf.bool)
