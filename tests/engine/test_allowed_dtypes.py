"""Ops refuse input dtypes outside their type attr's allowed list, with TF's construction TypeError.

The expected texts were observed from TF 2.21's `tf.compat.v1` (graph mode); see
`engine/framework/dtype_groups.py` for where the lists come from.
"""

import numpy as np
import pytest

import engine as tf
from engine.framework import dtype_groups, registry
from engine.proto import types_pb2

_SUB = (
    "bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, int64, complex64, complex128, "
    "uint32, uint64"
)
_BINARY_MORE = (
    "bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, uint32, uint64, int64, "
    "complex64, complex128"
)
_REAL = "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, uint64"
_NUMBER = (
    "float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, bfloat16, qint16, "
    "quint16, uint16, complex128, float16, uint32, uint64"
)
_UNARY_COMPLEX = "bfloat16, float16, float32, float64, complex64, complex128"
_UNARY_SIGNED = "bfloat16, float16, float32, float64, int8, int16, int32, int64, complex64, complex128"


def _refused(param, dtype, allowed):
    prefix = f"Value passed to parameter '{param}' has DataType {dtype}"
    return f"{prefix} not in list of allowed values: {allowed}"


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default():
        yield


S = lambda: tf.constant("a")  # noqa: E731
B = lambda: tf.constant(True)  # noqa: E731
I = lambda: tf.constant(1)  # noqa: E731, E741


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: S() - tf.constant("b"), _refused("x", "string", _SUB)),
        (lambda: S() - 1, _refused("x", "string", _SUB)),  # before y is converted, as TF
        (lambda: B() * B(), _refused("x", "bool", _BINARY_MORE)),  # TF 2.21 casts; TF 1.x refused
        (lambda: S() // 1, _refused("x", "string", _BINARY_MORE)),
        (lambda: tf.floordiv(S(), S()), _refused("x", "string", _BINARY_MORE)),
        (lambda: B() + B(), _refused(
            "x", "bool",
            "bfloat16, float16, float32, float64, uint8, uint16, uint32, uint64, int8, int16, int32, int64, "
            "complex64, complex128",
        )),
        (lambda: tf.pow(B(), B()), _refused(
            "x", "bool", "bfloat16, float32, float16, float64, int8, int16, int32, int64, complex64, "
            "complex128",
        )),
        (lambda: tf.maximum(S(), S()), _refused(
            "x", "string",
            "bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, uint32, int64, uint64",
        )),
        (lambda: tf.squared_difference(S(), S()), _refused(
            "x", "string", "bfloat16, float16, float32, float64, int32, int64, complex64, complex128"
        )),
        (lambda: tf.less(S(), S()), _refused("x", "string", _REAL)),
        (lambda: tf.less(B(), B()), _refused("x", "bool", _REAL)),
        (lambda: tf.abs(S()), _refused(
            "x", "string", "bfloat16, float16, float32, float64, int8, int16, int32, int64"
        )),
        (lambda: tf.sqrt(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: tf.exp(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: tf.sigmoid(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: tf.tanh(I()), _refused("x", "int32", _UNARY_COMPLEX)),
        (lambda: -S(), _refused("x", "string", _UNARY_SIGNED)),
        (lambda: -B(), _refused("x", "bool", _UNARY_SIGNED)),
        (lambda: tf.square(B()), _refused(
            "x", "bool",
            "bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, "
            "complex64, complex128",
        )),
        (lambda: tf.matmul(tf.constant([[1]], tf.int8), tf.constant([[1]], tf.int8)), _refused(
            "a", "int8",
            "bfloat16, float16, float32, float64, int32, int64, uint8, uint16, uint32, uint64, complex64, "
            "complex128",
        )),
        (lambda: tf.reduce_sum(B()), _refused("input", "bool", _NUMBER)),
        (lambda: tf.reduce_mean(S()), _refused("input", "string", _NUMBER)),
        (lambda: tf.reduce_max(B()), _refused(
            "input", "bool", _REAL + ", qint8, quint8, qint32, qint16, quint16"
        )),
        (lambda: tf.add_n([S(), S()]), _refused("inputs", "string", _NUMBER + ", variant")),
        (lambda: tf.nn.relu(S()), _refused("features", "string", _REAL + ", qint8")),
        (lambda: tf.nn.softmax(I()), _refused("logits", "int32", "float16, bfloat16, float32, float64")),
        (lambda: tf.nn.bias_add(S(), S()), _refused("value", "string", _NUMBER)),
    ],
)
def test_refused_dtype_is_tfs_construction_error(build, message):
    with pytest.raises(TypeError) as info:
        build()
    assert str(info.value) == message


def test_refused_op_is_not_added_to_the_graph():
    x = tf.constant("a")
    with pytest.raises(TypeError):
        tf.sqrt(x)
    assert [op.type for op in tf.get_default_graph().get_operations()] == ["Const"]


def test_dtype_check_comes_before_the_shape_function():
    # A scalar would fail Softmax's rank check; the dtype is reported first, as TF.
    with pytest.raises(TypeError, match="Value passed to parameter 'logits' has DataType int32"):
        tf.nn.softmax(tf.constant(1))


def test_ref_inputs_are_checked_by_their_base_dtype():
    v = tf.Variable(1.0)
    assert (v - 1.0).dtype == tf.float32
    s = tf.Variable("a")
    with pytest.raises(TypeError, match="parameter 'x' has DataType string not in list"):
        tf.sqrt(s)


@pytest.mark.parametrize(
    "build",
    [
        lambda: S() + S(),  # Add (not AddV2) takes strings
        lambda: tf.equal(S(), S()),
        lambda: tf.equal(B(), B()),
        lambda: tf.not_equal(S(), S()),
        lambda: tf.cast(I(), tf.bool),  # Cast is any -> any
        lambda: tf.cast(B(), tf.float32),
        lambda: tf.identity(S()),
        lambda: I() * 2,
        lambda: tf.constant(np.ones((2, 2), np.float32)) @ tf.constant(np.ones((2, 2), np.float32)),
    ],
)
def test_allowed_dtypes_still_build(build):
    build()


def test_declaration_needs_an_input_of_the_attr():
    with pytest.raises(ValueError, match="allows dtypes for \\['T'\\], which no input has"):
        registry.register_op("TestOnlyAllowed", infer=lambda op: [], kernel=lambda x: x, inputs=("x: U",),
                             allowed={"T": ("float32",)})


# TF's Python dtype names for DataType enum names that differ (DT_HALF is float16, ...).
_ENUM_NAMES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE"}


def _is_tf_dtype_name(name):
    return _ENUM_NAMES.get(name, "DT_" + name.upper()) in types_pb2.DataType.keys()


def test_every_declared_allowed_set_names_real_dtypes():
    declared = [registry.get_op_def(t) for t in registry.registered_ops() if registry.get_op_def(t).allowed]
    assert len(declared) > 60
    for op_def in declared:
        for attr, names in op_def.allowed.items():
            assert names, (op_def.type, attr)
            assert len(set(names)) == len(names), (op_def.type, attr)
            unknown = [n for n in names if not _is_tf_dtype_name(n)]
            assert not unknown, (op_def.type, attr, unknown)
        assert op_def.input_checks, op_def.type


def test_every_dtype_group_names_real_dtypes():
    groups = {k: v for k, v in vars(dtype_groups).items() if k.isupper()}
    assert {"NUMBER_TYPES", "REAL_NUMBER_TYPES", "FLOATING_POINT", "QUANTIZED_TYPES"} <= set(groups)
    for group, names in groups.items():
        assert all(_is_tf_dtype_name(n) for n in names), group
