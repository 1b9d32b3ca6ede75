"""Printed forms and build-time error texts as TensorFlow 2.21 prints them in v1 mode.

Every expected string below was printed by real TF (tf.compat.v1 with disable_v2_behavior) for the same
program; docs/engine.md's "Printed forms and error texts" table lists them side by side.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_tensor_repr_and_str():
    a = tf.constant([1.0, 2.0], name="a")
    p = tf.placeholder(tf.float32, name="p")
    q = tf.placeholder(tf.int32, [None, 3], name="q")
    assert repr(a) == "<tf.Tensor 'a:0' shape=(2,) dtype=float32>"
    assert str(a) == 'Tensor("a:0", shape=(2,), dtype=float32)'
    assert repr(p) == "<tf.Tensor 'p:0' shape=<unknown> dtype=float32>"
    assert str(p) == 'Tensor("p:0", dtype=float32)'
    assert repr(q) == "<tf.Tensor 'q:0' shape=(?, 3) dtype=int32>"
    assert str(q) == 'Tensor("q:0", shape=(?, 3), dtype=int32)'
    assert str(tf.constant(3)) == 'Tensor("Const:0", shape=(), dtype=int32)'
    assert repr([a]) == "[<tf.Tensor 'a:0' shape=(2,) dtype=float32>]"
    assert repr({"a": a}) == "{'a': <tf.Tensor 'a:0' shape=(2,) dtype=float32>}"


def test_operation_variable_graph_reprs():
    a = tf.constant([1.0, 2.0], name="a")
    v = tf.Variable([1.0, 2.0], name="v")
    w = tf.get_variable("w", [2, 3])
    vi = tf.Variable(1, name="vi")
    assert repr(a.op) == "<tf.Operation 'a' type=Const>"
    assert repr(v.op) == "<tf.Operation 'v' type=VariableV2>"
    assert repr(v) == str(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32_ref>"
    assert repr(w) == "<tf.Variable 'w:0' shape=(2, 3) dtype=float32_ref>"
    assert repr(vi) == "<tf.Variable 'vi:0' shape=() dtype=int32_ref>"
    assert repr(v.value()) == "<tf.Tensor 'v/read:0' shape=(2,) dtype=float32>"
    graph_repr = r"<tensorflow\.python\.framework\.ops\.Graph object at 0x[0-9a-f]+>"
    assert re.fullmatch(graph_repr, repr(tf.Graph()))


def test_shape_dimension_dtype_reprs():
    assert repr(tf.TensorShape([2, None])) == "TensorShape([Dimension(2), Dimension(None)])"
    assert str(tf.TensorShape([2, None])) == "(2, ?)"
    assert (repr(tf.TensorShape(None)), str(tf.TensorShape(None))) == ("TensorShape(None)", "<unknown>")
    assert (repr(tf.TensorShape([])), str(tf.TensorShape([]))) == ("TensorShape([])", "()")
    assert (repr(tf.TensorShape([3])), str(tf.TensorShape([3]))) == ("TensorShape([Dimension(3)])", "(3,)")
    assert (repr(tf.Dimension(3)), str(tf.Dimension(3))) == ("Dimension(3)", "3")
    assert (repr(tf.Dimension(None)), str(tf.Dimension(None))) == ("Dimension(None)", "?")
    assert (repr(tf.float32), str(tf.float32)) == ("tf.float32", "<dtype: 'float32'>")
    assert repr(tf.Variable([1.0]).dtype) == "tf.float32_ref"
    assert str(tf.int64) == "<dtype: 'int64'>"


def test_variable_takes_dtype_positionally_as_trainable():
    """`tf.Variable(value, tf.float32)`: the dtype lands in `trainable`, which TF keeps as given."""
    v = tf.Variable(np.zeros(3), tf.float32)
    assert v.trainable is tf.float32
    assert repr(v.dtype) == "tf.float64_ref"
    assert v in tf.trainable_variables()


@pytest.mark.parametrize(
    ("build", "text"),
    [
        (
            lambda: tf.reshape(tf.ones([2, 3]), [4]),
            "Cannot reshape a tensor with 6 elements to shape [4] (4 elements) for '{{node Reshape}} = "
            "Reshape[T=DT_FLOAT, Tshape=DT_INT32](ones, Reshape/shape)' with input shapes: [2,3], [1] and "
            "with "
            "input tensors computed as partial shapes: input[1] = [4].",
        ),
        (
            lambda: tf.matmul(tf.ones([2, 3]), tf.ones([2, 3])),
            "Dimensions must be equal, but are 3 and 2 for '{{node MatMul}} = MatMul[T=DT_FLOAT, "
            "grad_a=false, "
            "grad_b=false, transpose_a=false, transpose_b=false](ones, ones_1)' with input shapes: [2,3], "
            "[2,3].",
        ),
        (
            lambda: tf.ones([2, 3]) + tf.ones([4]),
            "Dimensions must be equal, but are 3 and 4 for '{{node add}} = AddV2[T=DT_FLOAT](ones, ones_1)' "
            "with "
            "input shapes: [2,3], [4].",
        ),
        (
            lambda: tf.concat([tf.ones([2, 3]), tf.ones([2])], 0),
            "Shape must be rank 2 but is rank 1 for '{{node concat}} = ConcatV2[N=2, T=DT_FLOAT, "
            "Tidx=DT_INT32](ones, ones_1, concat/axis)' with input shapes: [2,3], [2], [].",
        ),
        (
            lambda: tf.assign(tf.Variable(tf.ones([2])), tf.ones([3])),
            "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3]. for '{{node "
            "Assign}} = Assign[T=DT_FLOAT, use_locking=true, validate_shape=true](Variable, ones_1)' with "
            "input "
            "shapes: [2], [3].",
        ),
        (
            lambda: tf.nn.conv2d(tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 2, 4]), [1, 1, 1, 1], "SAME"),
            "Depth of input (3) is not a multiple of input depth of filter (2) for '{{node Conv2D}} = "
            'Conv2D[T=DT_FLOAT, data_format="NHWC", dilations=[1, 1, 1, 1], explicit_paddings=[], '
            'padding="SAME", strides=[1, 1, 1, 1], use_cudnn_on_gpu=true](ones, ones_1)\' with input shapes: '
            "[1,5,5,3], [3,3,2,4].",
        ),
        (
            lambda: tf.expand_dims(tf.ones([2, 3]), 5),
            "dim 5 not in the interval [-3, 2]. for '{{node ExpandDims}} = ExpandDims[T=DT_FLOAT, "
            "Tdim=DT_INT32](ones, ExpandDims/dim)' with input shapes: [2,3], [] and with computed input "
            "tensors: input[1] = <5>.",
        ),
        (
            lambda: tf.gather(tf.ones([2, 3]), [[1]], axis=-3),
            "Shape must be at least rank 3 but is rank 2 for '{{node GatherV2}} = GatherV2[Taxis=DT_INT32, "
            "Tindices=DT_INT32, Tparams=DT_FLOAT, batch_dims=0](ones, GatherV2/indices, GatherV2/axis)' with "
            "input shapes: [2,3], [1,1], [] and with computed input tensors: input[2] = <-3>.",
        ),
        (
            lambda: tf.split(tf.ones([2, 3]), 2, axis=1),
            "Dimension size must be evenly divisible by 2 but is 3\n\tNumber of ways to split should "
            "evenly divide the split dimension for '{{node split}} = Split[T=DT_FLOAT, num_split=2]"
            "(split/split_dim, ones)' with input shapes: [], [2,3] and with computed input tensors: "
            "input[0] = <1>.",
        ),
        (
            lambda: tf.stack([tf.ones([2]), tf.ones([2]), tf.ones([3])]),
            "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3].\n\tFrom "
            "merging shape 1 with other shapes. for '{{node stack_1}} = Pack[N=3, T=DT_FLOAT, axis=0]"
            "(ones, ones_1, ones_2)' with input shapes: [2], [2], [3].",
        ),
        (
            lambda: tf.where(tf.ones([2], tf.bool), tf.ones([3]), tf.ones([3])),
            "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3]. for '{{node "
            "Select}} = Select[T=DT_FLOAT](ones, ones_1, ones_2)' with input shapes: [2], [3], [3].",
        ),
        (
            lambda: tf.pad(tf.ones([2, 3]), [[1, 1]]),
            "Shape must be rank 1 but is rank 2 for '{{node Pad}} = Pad[T=DT_FLOAT, "
            "Tpaddings=DT_INT32](ones, Pad/paddings)' with input shapes: [2,3], [1,2].",
        ),
        (
            lambda: tf.reduce_all(tf.placeholder(tf.bool, [2, 3]), 5),
            "Invalid reduction dimension 5 for input with 2 dimensions. for '{{node All}} = "
            "All[Tidx=DT_INT32, "
            "keep_dims=false](Placeholder, All/reduction_indices)' with input shapes: [2,3], [] and with "
            "computed input tensors: input[1] = <5>.",
        ),
    ],
)
def test_build_time_shape_errors_name_the_node_as_tf2(build, text):
    with pytest.raises(ValueError) as info:
        build()
    assert str(info.value) == text


def test_node_summary_renders_every_attr_kind():
    from engine.framework import node_summary
    from engine.proto import attr_value_pb2, node_def_pb2

    nd = node_def_pb2.NodeDef(name="n", op="Op", input=["a", "b:1", "^c"], device="/cpu:0")
    nd.attr["s"].s = b'say "hi"\n'
    nd.attr["f"].f = 0.1
    nd.attr["shape"].shape.dim.add(size=-1)
    nd.attr["shape"].shape.dim.add(size=3)
    nd.attr["types"].list.type.extend([1, 3])
    nd.attr["ints"].list.i.extend(range(40))
    nd.attr["_class"].list.s.append(b"loc:@x")
    nd.attr["unknown"].shape.unknown_rank = True
    nd.attr["fn"].func.name = "f"
    nd.attr["fn"].func.attr["T"].CopyFrom(attr_value_pb2.AttrValue(type=1))
    assert node_summary.summarize_node_def(nd) == (
        '{{node n}} = Op[f=0.1, fn=f[T=DT_FLOAT], ints=[0, 1, 2, 3, 4, ..., 34, 35, 36, 37, 38, 39], '
        's="say \\"hi\\"\\n", shape=[?,3], types=[DT_FLOAT, DT_INT32], unknown=<unknown>](a, b:1, ^c)'
    )
    assert node_summary.summarize_node_def(nd, at_creation=False).endswith(
        'unknown=<unknown>, _device="/cpu:0"](a, b:1, ^c)'
    )


@pytest.mark.parametrize(
    ("build", "error", "text"),
    [
        (
            lambda: tf.random_uniform([2], dtype=tf.int8),
            ValueError,
            "Argument `dtype` got invalid value <dtype: 'int8'>. Accepted dtypes are "
            "(tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int32, tf.int64).",
        ),
        (
            lambda: tf.random_uniform([2], dtype=tf.int32),
            ValueError,
            "Must specify maxval for integer dtype tf.int32",
        ),
        (
            lambda: tf.multinomial([[1.0, 2.0]], 2, output_dtype=tf.int8),
            ValueError,
            "Argument `dtype` got invalid value <dtype: 'int8'>. Accepted dtypes are (tf.int32, tf.int64).",
        ),
        (
            lambda: tf.nn.dropout(tf.ones([2]), keep_prob=0.0),
            ValueError,
            "`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate=1.0",
        ),
        (
            lambda: tf.nn.dropout(tf.ones([2]), keep_prob=0.5, rate=0.5),
            ValueError,
            "Cannot specify both 'keep_prob' and 'rate'.",
        ),
        (lambda: tf.nn.dropout(tf.ones([2])), ValueError, "`rate` must be provided. Received: rate=None"),
        (
            lambda: tf.nn.dropout(tf.ones([2], tf.int32), rate=0.5),
            ValueError,
            "`x.dtype` must be a floating point tensor as `x` will be scaled. "
            "Received: x_dtype=<dtype: 'int32'>",
        ),
        (
            lambda: tf.nn.dropout(tf.ones([2]), keep_prob="a"),
            ValueError,
            "`keep_prob` must be a floating point number or Tensor. Received: keep_prob=a",
        ),
    ],
)
def test_random_and_dropout_argument_errors(build, error, text):
    with pytest.raises(error) as info:
        build()
    assert str(info.value) == text


def test_op_error_repr_and_pickle():
    """TF's OpError hands Exception no args: repr shows `InvalidArgumentError()`, str the message."""
    import pickle

    error = tf.errors.InvalidArgumentError(None, None, "msg")
    assert (repr(error), str(error), error.message) == ("InvalidArgumentError()", "msg", "msg")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is tf.errors.InvalidArgumentError and again.message == "msg"
    assert again.error_code == tf.errors.INVALID_ARGUMENT
