"""The Python object of an imported resource variable (TF 2.x's graph-mode variables, here from the real
tf1_mlp meta graph): its names, repr, conversion and operators, shared with `tf.Variable` through
`variables.BaseVariable` as TF shares them through its common `Variable` base class."""

import numpy as np
import pytest

import engine as tf
from engine.ops.resource_variable_ops import ResourceVariable


@pytest.fixture
def weight(real_fixtures):
    tf.reset_default_graph()
    tf.train.import_meta_graph(str(real_fixtures / "tf1_mlp" / "ckpt" / "mlp.ckpt.meta"))
    yield tf.global_variables()[0]
    tf.reset_default_graph()


def test_names_and_repr(weight):
    assert type(weight) is ResourceVariable
    assert repr(weight) == "<tf.Variable 'layer1/weight:0' shape=(4, 16) dtype=float32>"
    assert (weight.name, weight.op.name) == ("layer1/weight:0", "layer1/weight")
    assert weight.op.type == "VarHandleOp"
    assert weight.handle is weight.op.outputs[0]
    assert weight.graph is tf.get_default_graph()
    assert weight.get_shape() == weight.shape == tf.TensorShape([4, 16])
    assert weight.dtype == tf.float32 and weight.trainable and weight.device == ""
    assert weight.initializer.name == "layer1/weight/Assign"
    assert weight.initial_value.name == "layer1/weight/Initializer/random_uniform:0"
    assert weight.value().name == "layer1/weight/Read/ReadVariableOp:0"
    assert weight.read_value().op.name == "ReadVariableOp"
    assert weight.assign(np.zeros((4, 16), np.float32), read_value=False).name == "AssignVariableOp"


def test_conversion(weight):
    assert tf.convert_to_tensor(weight) is weight.value()
    assert tf.convert_to_tensor(weight, as_ref=True) is weight.value()
    with pytest.raises(ValueError) as info:
        tf.convert_to_tensor(weight, dtype=tf.int32)
    assert str(info.value) == (
        "Incompatible type conversion requested to type 'int32' for variable of type 'float32'"
    )


def test_operators_apply_to_the_value(weight):
    assert [(weight + 1).op.type, (1 - weight).op.type, (-weight).op.type, (weight < 1).op.type] == [
        "AddV2", "Sub", "Neg", "Less",
    ]
    assert (np.float32(2) * weight).op.type == "Mul"
    assert weight[0].shape == tf.TensorShape([16])
    assert (weight + 1).op.inputs[0] is weight.value()
    # As in TF: a variable in graph mode is no Python bool and no sequence.
    with pytest.raises(TypeError, match="Using a `tf.Tensor` as a Python `bool` is not allowed"):
        bool(weight)
    with pytest.raises(TypeError, match="'ResourceVariable' object is not iterable."):
        iter(weight)
    with tf.Session() as sess:
        sess.run(weight.initializer)
        np.testing.assert_array_equal(sess.run(abs(weight)), np.abs(sess.run(weight.value())))
