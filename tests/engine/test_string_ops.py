"""String ops: values, names and error texts as TensorFlow 2.21's (`tf.compat.v1`, graph mode) gave them for
the same calls (observed with the tf_python oracle; string values are bytes, as TF returns them)."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

AB = [["a", "b"], ["c", "d"]]

CASES = [
    (lambda: tf.reduce_join(AB), b"abcd"),
    (lambda: tf.reduce_join(AB, 0), [b"ac", b"bd"]),
    (lambda: tf.reduce_join(AB, [0, 1], separator="-"), b"a-c-b-d"),
    (lambda: tf.reduce_join(AB, [1, 0], separator="-"), b"a-b-c-d"),
    (lambda: tf.strings.reduce_join(AB, -1, keep_dims=True), [[b"ab"], [b"cd"]]),
    (lambda: tf.substr(["hello", "hi"], 1, 3), [b"ell", b"i"]),
    (lambda: tf.strings.substr(["hello", "hi"], -2, 1), [b"l", b"h"]),
    (lambda: tf.strings.substr(["héllo"], 1, 2, unit="UTF8_CHAR"), ["él".encode()]),
    (lambda: tf.strings.length(["héllo", ""]), [6, 0]),
    (lambda: tf.strings.length(["héllo"], unit="UTF8_CHAR"), [5]),
    (lambda: tf.strings.upper(["héllo Ab"]), [b"H\xc3\xa9LLO AB"]),
    (lambda: tf.strings.lower(["HÉllo Ab"], encoding="utf-8"), [b"h\xc3\xa9llo ab"]),
    (lambda: tf.strings.strip(["  a b \n"]), [b"a b"]),
    (lambda: tf.regex_replace(["hello world"], "o", "0"), [b"hell0 w0rld"]),
    (
        lambda: tf.strings.regex_replace(["hello world"], "(l+)", r"<\1>", replace_global=False),
        [b"he<ll>o world"],
    ),
    (lambda: tf.strings.regex_replace(["ab"], tf.constant("b"), tf.constant("c")), [b"ac"]),
    (lambda: tf.strings.regex_full_match(["abc", "xabc"], "a.c"), [True, False]),
    (lambda: tf.as_string([1.5, -2.25]), [b"1.500000", b"-2.250000"]),
    (lambda: tf.as_string([1.5, 2.0], precision=2, width=8, fill="0"), [b"00001.50", b"00002.00"]),
    (lambda: tf.as_string([12345.678], scientific=True), [b"1.234568e+04"]),
    (lambda: tf.strings.as_string([0.1, 1e10], shortest=True), [b"0.1", b"1e+10"]),
    (lambda: tf.as_string([3, -4]), [b"3", b"-4"]),
    (lambda: tf.as_string([True, False]), [b"true", b"false"]),
    (lambda: tf.as_string([7], width=4), [b"   7"]),
    (
        lambda: tf.string_to_number(["1.5", " 2", "-3e2", "inf"]),
        np.array([1.5, 2.0, -300.0, np.inf], np.float32),
    ),
    (lambda: tf.strings.to_number(["12", "-7"], out_type=tf.int32), np.array([12, -7], np.int32)),
    (lambda: tf.strings.join([["a", "b"], "c"]), [b"ac", b"bc"]),
    (lambda: tf.string_join(["a", "b"], separator="-"), b"a-b"),
    (lambda: tf.string_to_hash_bucket_fast(["hello", "", "abc"], 1000), [296, 263, 385]),
    (lambda: tf.strings.to_hash_bucket_fast(["hello"], 2**62), [3786372426573024488]),
    (lambda: tf.strings.to_hash_bucket_strong(["hello", "", "abc"], 1000, [1, 2]), [622, 435, 917]),
    (lambda: tf.strings.format("x={} y={}", [tf.constant([1, 2]), tf.constant(3.5)]), b"x=[1 2] y=3.5"),
]


@pytest.mark.parametrize("build, expected", CASES)
def test_values_are_tfs(build, expected):
    with tf.Session() as sess:
        value = sess.run(build())
    expected = np.asarray(expected, dtype=getattr(expected, "dtype", None))
    if expected.dtype.kind in "SO":
        assert np.asarray(value, dtype=object).tolist() == expected.tolist()
    else:
        assert value.dtype == expected.dtype or expected.dtype.kind == "i" and value.dtype.kind == "i"
        np.testing.assert_array_equal(value, expected)


def test_op_types_and_names_are_tfs():
    assert tf.regex_replace(["a"], "a", "b").op.type == "StaticRegexReplace"
    assert tf.strings.regex_full_match(["a"], "a").op.type == "StaticRegexFullMatch"
    assert tf.string_join(["a", "b"]).name == "StringJoin:0"
    assert tf.reduce_join(["a"]).name == "ReduceJoin/ReduceJoin:0"
    assert tf.substr(["a"], 0, 1).name == "Substr:0"
    assert tf.strings.to_hash_bucket_fast(["a"], 3).dtype == tf.int64
    assert tf.reduce_join(tf.placeholder(tf.string, [2, 3]), 1).shape.as_list() == [2]


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: tf.substr(["hello", "hi"], 3, 3), "pos 3 out of range for string b'hi' at index 1"),
        (
            lambda: tf.strings.to_number(["1.5"], out_type=tf.int32),
            "StringToNumberOp could not correctly convert string: 1.5",
        ),
        (lambda: tf.string_to_number(["abc"]), "StringToNumberOp could not correctly convert string: abc"),
        (
            lambda: tf.strings.to_number(["99999999999"], out_type=tf.int32),
            "StringToNumberOp could not correctly convert string: 99999999999",
        ),
        (
            lambda: tf.as_string([1.5], scientific=True, shortest=True),
            "Cannot select both scientific and shortest notation",
        ),
    ],
)
def test_run_time_errors_are_tfs(build, message):
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(build())
    assert info.value.message.split("\n")[0] == message


def test_format_checks_its_placeholders():
    with pytest.raises(
        ValueError,
        match=r"The template expects 2 tensors, but the inputs only has 1. Please ensure "
        "the number of placeholders in template matches inputs length.",
    ):
        tf.strings.format("x={} {}", [tf.constant(1)])
