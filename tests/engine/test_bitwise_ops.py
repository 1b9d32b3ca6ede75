"""`&`, `|`, `^`, `~` and `tf.bitwise`: op types, names, dtypes, values and error texts.

Every expectation below was printed by TensorFlow 2.21 (`tf.compat.v1` with `disable_v2_behavior()`).
Shape errors use TF 2.x's "for '{{node name}} = Type[attrs](inputs)'"
form, as TF does.
"""

import operator
import re

import numpy as np
import pytest

import engine as tf
from engine.framework import registry

NOT_INTEGER = (
    "Value passed to parameter 'x' has DataType {} not in list of allowed values: "
    "int8, int16, int32, int64, uint8, uint16, uint32, uint64"
)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


@pytest.fixture
def t():
    """The tensors TF's outputs were recorded with, named as they were."""
    return {
        "b1": tf.constant([True, False, True], name="b1"),
        "b2": tf.constant([True, True, False], name="b2"),
        "i1": tf.constant([12, 10, -3], name="i1"),
        "i2": tf.constant([10, 6, 5], name="i2"),
        "i64": tf.constant([1, 2, 3], dtype=tf.int64, name="i64"),
        "u8": tf.constant([1, 2, 255], dtype=tf.uint8, name="u8"),
        "f1": tf.constant([1.0, 2.0], name="f1"),
    }


def describe(y):
    return y.op.type, y.op.name, y.dtype.name, [i.op.name for i in y.op.inputs]


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_bool_operators_are_logical_ops(t):
    b1, b2 = t["b1"], t["b2"]
    assert describe(b1 & b2) == ("LogicalAnd", "and", "bool", ["b1", "b2"])
    assert describe(b1 | b2) == ("LogicalOr", "or", "bool", ["b1", "b2"])
    assert describe(b1 ^ b2) == ("LogicalAnd", "xor", "bool", ["xor/LogicalOr", "xor/LogicalNot"])
    assert describe(~b1) == ("LogicalNot", "LogicalNot", "bool", ["b1"])
    assert describe(b1 & True) == ("LogicalAnd", "and_1", "bool", ["b1", "and_1/y"])
    assert describe(True | b1) == ("LogicalOr", "or_1", "bool", ["or_1/x", "b1"])
    assert describe(True ^ b1) == ("LogicalAnd", "xor_1", "bool", ["xor_1/LogicalOr", "xor_1/LogicalNot"])
    assert "LogicalAnd" not in tf.get_default_graph().get_operation_by_name("and").node_def.attr


def test_integer_operators_are_bitwise_ops_inside_the_operator_scope(t):
    i1, i2 = t["i1"], t["i2"]
    assert describe(i1 & i2) == ("BitwiseAnd", "and/BitwiseAnd", "int32", ["i1", "i2"])
    assert describe(i1 | i2) == ("BitwiseOr", "or/BitwiseOr", "int32", ["i1", "i2"])
    assert describe(i1 ^ i2) == ("BitwiseXor", "xor/BitwiseXor", "int32", ["i1", "i2"])
    assert describe(~i1) == ("Invert", "Invert", "int32", ["i1"])
    assert describe(~t["u8"]) == ("Invert", "Invert_1", "uint8", ["u8"])
    assert describe(t["u8"] & t["u8"]) == ("BitwiseAnd", "and_1/BitwiseAnd", "uint8", ["u8", "u8"])
    y = i1 & i2
    assert y.op.get_attr("T") == tf.int32


def test_python_operands_are_converted_where_tf_converts_them(t):
    i1 = t["i1"]
    assert describe(i1 & 3) == ("BitwiseAnd", "and/BitwiseAnd", "int32", ["i1", "and/BitwiseAnd/y"])
    assert describe(3 & i1) == ("BitwiseAnd", "and_1/BitwiseAnd", "int32", ["and_1/x", "i1"])
    assert describe(i1 | np.array([1, 2, 3])) == (
        "BitwiseOr",
        "or/BitwiseOr",
        "int32",
        ["i1", "or/BitwiseOr/y"],
    )
    assert describe(np.array([1, 2, 3], np.int32) ^ i1) == (
        "BitwiseXor",
        "xor/BitwiseXor",
        "int32",
        ["xor/x", "i1"],
    )


def test_operator_values(t):
    b1, b2, i1, i2, u8 = t["b1"], t["b2"], t["i1"], t["i2"], t["u8"]
    out = run([b1 & b2, b1 | b2, b1 ^ b2, ~b1, i1 & i2, i1 | i2, i1 ^ i2, ~i1, ~u8, u8 ^ u8])
    expected = [
        np.array([True, False, False]),
        np.array([True, True, True]),
        np.array([False, True, True]),
        np.array([False, True, False]),
        np.array([8, 2, 5], np.int32),
        np.array([14, 14, -3], np.int32),
        np.array([6, 12, -8], np.int32),
        np.array([-13, -11, 2], np.int32),
        np.array([254, 253, 0], np.uint8),
        np.array([0, 0, 0], np.uint8),
    ]
    for got, want in zip(out, expected, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("op", [operator.and_, operator.or_, operator.xor])
@pytest.mark.parametrize(
    ("left", "right", "dtype"),
    [("f1", "f1", "float32"), ("f1", 1, "float32"), ("f1", "b1", "float32")],
)
def test_non_integer_non_bool_operands_are_a_type_error(t, op, left, right, dtype):
    x = t[left]
    y = t[right] if isinstance(right, str) else right
    with pytest.raises(TypeError, match=f"^{re.escape(NOT_INTEGER.format(dtype))}$"):
        op(x, y)


@pytest.mark.parametrize("dtype", [tf.float32, tf.string])
def test_invert_of_non_integer_non_bool_is_a_type_error(dtype):
    x = tf.constant(["a"] if dtype == tf.string else [1.0], dtype=dtype)
    with pytest.raises(TypeError, match=f"^{re.escape(NOT_INTEGER.format(dtype.name))}$"):
        operator.invert(x)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda t: t["i1"] & t["b1"],
            "Input 'y' of 'BitwiseAnd' Op has type bool that does not match type int32 of argument 'x'.",
        ),
        (
            lambda t: t["i1"] | t["i64"],
            "Input 'y' of 'BitwiseOr' Op has type int64 that does not match type int32 of argument 'x'.",
        ),
        (
            lambda t: t["b1"] & t["i1"],
            "Input 'y' of 'LogicalAnd' Op has type int32 that does not match expected type of bool.",
        ),
        (
            lambda t: t["b1"] | t["i1"],
            "Input 'y' of 'LogicalOr' Op has type int32 that does not match expected type of bool.",
        ),
        # xor on bool is built from LogicalOr first, so that op reports the mismatch.
        (
            lambda t: t["b1"] ^ t["i1"],
            "Input 'y' of 'LogicalOr' Op has type int32 that does not match expected type of bool.",
        ),
        (
            lambda t: tf.logical_and(t["i1"], t["i1"]),
            "Input 'x' of 'LogicalAnd' Op has type int32 that does not match expected type of bool.",
        ),
        (
            lambda t: tf.logical_not(t["i1"]),
            "Input 'x' of 'LogicalNot' Op has type int32 that does not match expected type of bool.",
        ),
    ],
)
def test_mixed_dtypes_are_tfs_input_type_error(t, build, message):
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        build(t)


@pytest.mark.parametrize(
    ("build", "prefix"),
    [
        (
            lambda t: t["i1"] & 2.5,
            "Expected int32 passed to parameter 'y' of op 'BitwiseAnd', got 2.5 of type 'float' instead. "
            "Error: ",
        ),
        (
            lambda t: t["i1"] ^ 2.5,
            "Expected int32 passed to parameter 'y' of op 'BitwiseXor', got 2.5 of type 'float' instead. "
            "Error: ",
        ),
        (
            lambda t: t["b1"] & 1,
            "Expected bool passed to parameter 'y' of op 'LogicalAnd', got 1 of type 'int' instead. Error: ",
        ),
        (
            lambda t: t["b1"] ^ 1,
            "Expected bool passed to parameter 'y' of op 'LogicalOr', got 1 of type 'int' instead. Error: ",
        ),
        (
            lambda t: t["i1"] & [1.5, 2.0, 3.0],
            "Expected int32 passed to parameter 'y' of op 'BitwiseAnd', got [1.5, 2.0, 3.0] of type 'list' "
            "instead. Error: ",
        ),
    ],
)
def test_unconvertible_python_operand_is_tfs_parameter_error(t, build, prefix):
    with pytest.raises(TypeError, match=f"^{re.escape(prefix)}Expected (int32|bool), but got "):
        build(t)


def test_reflected_unconvertible_python_operand_is_the_conversion_error(t):
    with pytest.raises(TypeError, match="^Expected int32, but got 2.5 of type 'float'.$"):
        2.5 & t["i1"]


def test_or_with_a_float_ends_in_attribute_error_as_in_tf(t):
    # TF's wrapper asks hasattr(float, "__ror__"), which sees `type.__ror__` (for `int | None`).
    with pytest.raises(AttributeError, match="^'float' object has no attribute '__ror__'$"):
        t["i1"] | 2.5


def test_logical_xor_names_only_its_last_op():
    b1 = tf.constant([True, False, True], name="b1")
    b2 = tf.constant([True, True, False], name="b2")
    y = tf.logical_xor(b1, b2)
    assert describe(y) == ("LogicalAnd", "LogicalXor", "bool", ["LogicalOr", "LogicalNot"])
    z = tf.logical_xor(b1, b2, name="lx")
    assert describe(z) == ("LogicalAnd", "lx", "bool", ["LogicalOr_1", "LogicalNot_1"])
    names = [op.name for op in tf.get_default_graph().get_operations() if op.type != "Const"]
    assert names == [
        "LogicalOr",
        "LogicalAnd",
        "LogicalNot",
        "LogicalXor",
        "LogicalOr_1",
        "LogicalAnd_1",
        "LogicalNot_1",
        "lx",
    ]


def test_variables_share_the_operators():
    v = tf.Variable([5, 6, 7], name="v")
    vb = tf.Variable([True, False, True], name="vb")
    vf = tf.Variable([1.0], name="vf")
    b1 = tf.constant([True, False, True], name="b1")
    assert describe(v & 3) == ("BitwiseAnd", "and/BitwiseAnd", "int32", ["v/read", "and/BitwiseAnd/y"])
    assert describe(3 & v) == ("BitwiseAnd", "and_1/BitwiseAnd", "int32", ["and_1/x", "v/read"])
    assert describe(v ^ v) == ("BitwiseXor", "xor/BitwiseXor", "int32", ["v/read", "v/read"])
    assert describe(~v) == ("Invert", "Invert", "int32", ["v/read"])
    assert describe(~vb) == ("LogicalNot", "LogicalNot", "bool", ["vb/read"])
    assert describe(vb | b1) == ("LogicalOr", "or", "bool", ["vb/read", "b1"])
    with pytest.raises(TypeError, match=f"^{re.escape(NOT_INTEGER.format('float32'))}$"):
        vf & 1.0
    with pytest.raises(TypeError, match=f"^{re.escape(NOT_INTEGER.format('float32'))}$"):
        operator.invert(vf)


def test_bitwise_module_names_and_attrs(t):
    i1, i2 = t["i1"], t["i2"]
    assert describe(tf.bitwise.bitwise_and(i1, i2)) == ("BitwiseAnd", "BitwiseAnd", "int32", ["i1", "i2"])
    assert describe(tf.bitwise.bitwise_and(i1, i2, name="foo")) == (
        "BitwiseAnd",
        "foo",
        "int32",
        ["i1", "i2"],
    )
    assert describe(tf.bitwise.bitwise_or(i1, i2)) == ("BitwiseOr", "BitwiseOr", "int32", ["i1", "i2"])
    assert describe(tf.bitwise.bitwise_xor(i1, i2)) == ("BitwiseXor", "BitwiseXor", "int32", ["i1", "i2"])
    assert describe(tf.bitwise.invert(i1)) == ("Invert", "Invert", "int32", ["i1"])
    assert describe(tf.bitwise.invert(i1, name="inv")) == ("Invert", "inv", "int32", ["i1"])
    assert describe(tf.bitwise.left_shift(i1, i2)) == ("LeftShift", "LeftShift", "int32", ["i1", "i2"])
    assert describe(tf.bitwise.right_shift(i1, i2)) == ("RightShift", "RightShift", "int32", ["i1", "i2"])
    assert describe(tf.bitwise.bitwise_and(i1, 3)) == (
        "BitwiseAnd",
        "BitwiseAnd_1",
        "int32",
        ["i1", "BitwiseAnd_1/y"],
    )
    assert describe(tf.bitwise.bitwise_and(3, i1)) == (
        "BitwiseAnd",
        "BitwiseAnd_2",
        "int32",
        ["BitwiseAnd_2/x", "i1"],
    )
    assert describe(tf.bitwise.invert(3)) == ("Invert", "Invert_1", "int32", ["Invert_1/x"])
    for op_type in ("BitwiseAnd", "Invert", "LeftShift"):
        op = tf.get_default_graph().get_operation_by_name(op_type)
        assert dict(op.node_def.attr) == {"T": op.node_def.attr["T"]}
        assert op.get_attr("T") == tf.int32


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda t: tf.bitwise.bitwise_and(t["f1"], t["f1"]), NOT_INTEGER.format("float32")),
        (lambda t: tf.bitwise.bitwise_and(t["b1"], t["b1"]), NOT_INTEGER.format("bool")),
        (lambda t: tf.bitwise.bitwise_and(2.5, t["i1"]), NOT_INTEGER.format("float32")),
        (lambda t: tf.bitwise.invert(t["b1"]), NOT_INTEGER.format("bool")),
        (lambda t: tf.bitwise.invert(3.0), NOT_INTEGER.format("float32")),
        (lambda t: tf.bitwise.left_shift(t["f1"], t["f1"]), NOT_INTEGER.format("float32")),
        (
            lambda t: tf.bitwise.bitwise_and(t["i1"], t["i64"]),
            "Input 'y' of 'BitwiseAnd' Op has type int64 that does not match type int32 of argument 'x'.",
        ),
    ],
)
def test_bitwise_type_errors(t, build, message):
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        build(t)


def test_bitwise_shapes_broadcast_or_fail(t):
    y = tf.bitwise.bitwise_and(tf.constant([[1], [2]]), t["i1"])
    assert y.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(run(y), [[0, 0, 1], [0, 2, 0]])
    text = r"^Dimensions must be equal, but are 3 and 2 for '\{\{node BitwiseAnd_1\}\} = "
    text += r"BitwiseAnd\[T=DT_INT32\]"
    with pytest.raises(ValueError, match=text):
        tf.bitwise.bitwise_and(t["i1"], tf.constant([1, 2]))


def test_shift_values_clamp_the_shift_amount(t):
    i1, i2, u8 = t["i1"], t["i2"], t["u8"]
    out = run(
        [
            tf.bitwise.left_shift(i1, i2),
            tf.bitwise.right_shift(i1, i2),
            tf.bitwise.left_shift(i1, tf.constant([40, 32, -1])),
            tf.bitwise.right_shift(i1, tf.constant([40, 32, -1])),
            tf.bitwise.left_shift(u8, tf.constant([8, 9, 7], dtype=tf.uint8)),
            tf.bitwise.right_shift(
                tf.constant([-8, -1], dtype=tf.int8), tf.constant([8, 100], dtype=tf.int8)
            ),
            tf.bitwise.left_shift(tf.constant([1, -1, 5]), tf.constant([31, 31, 100])),
            tf.bitwise.right_shift(
                tf.constant([-100, 100, 7], dtype=tf.int64), tf.constant([2, -5, 63], dtype=tf.int64)
            ),
            tf.bitwise.invert(tf.constant([0, 7], dtype=tf.uint16)),
            tf.bitwise.left_shift(tf.constant([[1], [2]]), tf.constant([0, 1, 2])),
        ]
    )
    expected = [
        np.array([12288, 640, -96], np.int32),
        np.array([0, 0, -1], np.int32),
        np.array([0, 0, -3], np.int32),
        np.array([0, 0, -3], np.int32),
        np.array([128, 0, 128], np.uint8),
        np.array([-1, -1], np.int8),
        np.array([-2147483648, -2147483648, -2147483648], np.int32),
        np.array([-25, 100, 0], np.int64),
        np.array([65535, 65528], np.uint16),
        np.array([[1, 2, 4], [2, 4, 8]], np.int32),
    ]
    for got, want in zip(out, expected, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "op_type", ["BitwiseAnd", "BitwiseOr", "BitwiseXor", "Invert", "LeftShift", "RightShift"]
)
def test_bitwise_ops_are_registered_as_not_differentiable(op_type):
    assert registry.get_gradient_function(op_type) is None


def test_gradient_does_not_flow_through_bitwise_ops():
    x = tf.constant([1, 2, 3])
    y = tf.cast(tf.bitwise.bitwise_and(x, 1), tf.float32)
    assert tf.gradients(y, x) == [None]
