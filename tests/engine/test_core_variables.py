"""Variables, get_variable / variable_scope sharing rules, initializers, and their TF error texts."""

import math

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _op_names():
    return [op.name for op in tf.get_default_graph().get_operations()]


def _op_types():
    return {op.name: op.type for op in tf.get_default_graph().get_operations()}


def test_variable_builds_tf_ops():
    v = tf.Variable([1.0, 2.0], name="v")
    assert _op_names() == ["v/initial_value", "v", "v/Assign", "v/read"]
    assert _op_types() == {
        "v/initial_value": "Const",
        "v": "VariableV2",
        "v/Assign": "Assign",
        "v/read": "Identity",
    }
    assert repr(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32_ref>"
    assert v.initializer.name == "v/Assign"
    assert v.initial_value.name == "v/initial_value:0"
    assert v.value().name == "v/read:0"
    assert v.op.type == "VariableV2"
    assert v.dtype == tf.float32_ref and v.dtype.base_dtype == tf.float32
    assert tf.global_variables() == [v] and tf.trainable_variables() == [v]


def test_variable_default_name_and_collections():
    a = tf.Variable(1.0)
    b = tf.Variable(2, trainable=False)
    c = tf.Variable(3.0, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert [a.name, b.name, c.name] == ["Variable:0", "Variable_1:0", "Variable_2:0"]
    assert tf.global_variables() == [a, b]
    assert tf.trainable_variables() == [a, c]
    assert tf.local_variables() == [c]


def test_variable_methods():
    v = tf.Variable(10.0, name="v")
    set_to = v.assign(3.0)
    add = v.assign_add(2.0)
    sub = v.assign_sub(1.0)
    read = v.read_value()
    assert set_to.op.type == "Assign" and add.op.type == "AssignAdd" and sub.op.type == "AssignSub"
    assert set_to.dtype == tf.float32_ref
    assert read.op.type == "Identity" and read.op.name == "read"
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert v.eval() == 10.0
        sess.run(set_to)
        sess.run(add)
        assert sess.run(sub) == 4.0
        assert sess.run(read) == 4.0
        assert sess.run(v + 1) == 5.0


def test_assign_ops_are_colocated_with_their_variable():
    v = tf.Variable([1.0], name="v")
    a = tf.assign(v, [2.0])
    assert a.op.get_attr("_class") == [b"loc:@v"]
    assert a.op.get_attr("use_locking") is True


def test_reading_uninitialized_variable():
    v1 = tf.Variable(1.0, name="v1")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(v1)
    assert info.value.message.startswith("Attempting to use uninitialized value v1")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(v1 * 2)
    assert "Attempting to use uninitialized value v1" in str(info.value)
    assert info.value.op.name == "v1/read"


def test_initializer_helpers_and_reports():
    a = tf.Variable(1.0, name="a")
    tf.get_local_variable("b", shape=[], initializer=tf.zeros_initializer())
    report = tf.report_uninitialized_variables()
    with tf.Session() as sess:
        assert sess.run(report).tolist() == [b"a", b"b"]
        assert sess.run(tf.is_variable_initialized(a)) == False  # noqa: E712 - numpy bool
        sess.run(tf.global_variables_initializer())
        assert sess.run(report).tolist() == [b"b"]
        sess.run(tf.local_variables_initializer())
        assert sess.run(report).tolist() == []
        assert sess.run(tf.is_variable_initialized(a)) == True  # noqa: E712
    assert tf.variables_initializer([a]).type == "NoOp"
    assert tf.variables_initializer([]).type == "NoOp"


def test_assign_shape_mismatch_is_caught_when_building():
    v = tf.Variable([1.0, 2.0], name="v")
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 2 and 3"):
        tf.assign(v, [1.0, 2.0, 3.0])


def test_assign_requires_a_variable():
    with pytest.raises(TypeError, match="requires that input 'ref' be a mutable tensor"):
        tf.assign(tf.constant(1.0), 2.0)


# --- get_variable / variable_scope --------------------------------------------------------------------------
def test_get_variable_default_glorot_uniform_ops_and_range():
    with tf.variable_scope("layer1"):
        w = tf.get_variable("weight", [3, 4])
    names = _op_names()
    assert names[:7] == [
        "layer1/weight/Initializer/random_uniform/shape",
        "layer1/weight/Initializer/random_uniform/min",
        "layer1/weight/Initializer/random_uniform/max",
        "layer1/weight/Initializer/random_uniform/RandomUniform",
        "layer1/weight/Initializer/random_uniform/sub",
        "layer1/weight/Initializer/random_uniform/mul",
        "layer1/weight/Initializer/random_uniform",
    ]
    assert names[7:] == ["layer1/weight", "layer1/weight/Assign", "layer1/weight/read"]
    limit = math.sqrt(6.0 / (3 + 4))
    graph = tf.get_default_graph()
    assert graph.get_tensor_by_name("layer1/weight/Initializer/random_uniform/max:0").op.get_attr(
        "value"
    ) == np.float32(limit)
    with tf.Session() as sess:
        sess.run(w.initializer)
        value = sess.run(w)
    assert value.shape == (3, 4) and np.abs(value).max() <= limit


def test_get_variable_default_initializer_for_ints_is_zeros():
    v = tf.get_variable("counts", [2], dtype=tf.int32)
    assert "counts/Initializer/zeros" in _op_names()
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v).tolist() == [0, 0]


def test_get_variable_initializer_forms():
    a = tf.get_variable("a", [2], initializer=tf.ones_initializer)  # a class
    b = tf.get_variable("b", [2], initializer=tf.constant_initializer(7.0))  # an instance
    c = tf.get_variable("c", initializer=tf.constant([1, 2, 3]))  # a tensor: shape from it
    d = tf.get_variable("d", initializer=[[1.0, 2.0]])  # a value
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run([a, b, c, d])
    assert values[0].tolist() == [1.0, 1.0]
    assert values[1].tolist() == [7.0, 7.0]
    assert values[2].tolist() == [1, 2, 3] and values[2].dtype == np.int32
    assert values[3].tolist() == [[1.0, 2.0]]
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("e", [3], initializer=tf.constant([1, 2, 3]))


def test_get_variable_already_exists():
    tf.get_variable("w", [1])
    with pytest.raises(ValueError) as info:
        tf.get_variable("w", [1])
    assert str(info.value).startswith(
        "Variable w already exists, disallowed. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in "
        "VarScope? Originally defined at:"
    )
    assert "test_core_variables.py" in str(info.value)


def test_get_variable_does_not_exist():
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError) as info:
            tf.get_variable("missing", [1])
    assert str(info.value) == (
        "Variable s/missing does not exist, or was not created with tf.get_variable(). Did you mean to set "
        "reuse=tf.AUTO_REUSE in VarScope?"
    )


def test_get_variable_shape_and_dtype_mismatch():
    with tf.variable_scope("s"):
        tf.get_variable("w", [2, 3])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError) as info:
            tf.get_variable("w", [3, 3])
        assert str(info.value) == (
            "Trying to share variable s/w, but specified shape (3, 3) and found shape (2, 3)."
        )
        with pytest.raises(ValueError) as info:
            tf.get_variable("w", [2, 3], dtype=tf.int32)
        assert str(info.value) == (
            "Trying to share variable s/w, but specified dtype int32 and found dtype float32."
        )


def test_new_variable_needs_a_full_shape():
    with pytest.raises(
        ValueError,
        match=r"Shape of a new variable \(v\) must be fully defined, but instead was "
        r"<unknown>.",
    ):
        tf.get_variable("v")


def test_reuse_and_auto_reuse():
    with tf.variable_scope("m"):
        w = tf.get_variable("w", [1])
    with tf.variable_scope("m", reuse=True):
        assert tf.get_variable("w", [1]) is w
        with tf.variable_scope("inner"):
            assert tf.get_variable_scope().reuse is True  # reuse is inherited
    with tf.variable_scope("m", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("w", [1]) is w
        fresh = tf.get_variable("new", [1])
    assert fresh.name == "m/new:0"
    with tf.variable_scope("m") as scope:
        scope.reuse_variables()
        assert tf.get_variable("w") is w


def test_reentering_scope_object_and_name_scopes():
    with tf.variable_scope("model") as scope:
        a = tf.constant(1.0)
    with tf.variable_scope(scope, reuse=True) as again:
        b = tf.constant(1.0)
    with tf.variable_scope("model"):
        c = tf.constant(1.0)
    assert scope.name == again.name == "model"
    assert scope.original_name_scope == "model/"
    assert [a.name, b.name, c.name] == ["model/Const:0", "model_1/Const:0", "model_2/Const:0"]


def test_nested_variable_scopes_and_variables_ignore_name_scope():
    with tf.name_scope("ns"):
        with tf.variable_scope("outer"):
            with tf.variable_scope("inner"):
                v = tf.get_variable("v", [1])
                op = tf.constant(1.0)
    assert v.name == "outer/inner/v:0"
    assert op.name == "ns/outer/inner/Const:0"


def test_variable_scope_initializer_and_default_name():
    with tf.variable_scope(None, default_name="block", initializer=tf.constant_initializer(3.0)):
        v = tf.get_variable("v", [2])
    with tf.variable_scope(None, default_name="block"):
        u = tf.get_variable("v", [2])
    assert (v.name, u.name) == ("block/v:0", "block_1/v:0")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v).tolist() == [3.0, 3.0]


def test_trainable_false_and_local_collection():
    a = tf.get_variable("a", shape=(), trainable=False)
    b = tf.get_variable("b", shape=(), collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.trainable_variables() == [b]
    assert tf.global_variables() == [a]
    assert tf.local_variables() == [b]


# --- initializers -------------------------------------------------------------------------------------------
def test_initializer_values():
    shape = [200, 300]
    with tf.Session() as sess:
        zeros = sess.run(tf.zeros_initializer()(shape))
        ones = sess.run(tf.ones_initializer()(shape))
        const = sess.run(tf.constant_initializer(2.5)(shape))
        uni = sess.run(tf.random_uniform_initializer(-1.0, 2.0, seed=1)(shape))
        normal = sess.run(tf.random_normal_initializer(1.0, 2.0, seed=1)(shape))
        trunc = sess.run(tf.truncated_normal_initializer(0.0, 1.0, seed=1)(shape))
        glorot_n = sess.run(tf.glorot_normal_initializer(seed=1)(shape))
        vs = sess.run(
            tf.variance_scaling_initializer(scale=2.0, mode="fan_in", distribution="uniform")(shape)
        )
    assert not zeros.any() and (ones == 1).all() and (const == 2.5).all()
    assert uni.min() >= -1.0 and uni.max() < 2.0
    assert normal.mean() == pytest.approx(1.0, abs=0.05) and normal.std() == pytest.approx(2.0, abs=0.05)
    assert np.abs(trunc).max() <= 2.0
    assert glorot_n.std() == pytest.approx(math.sqrt(2.0 / 500), rel=0.05)
    assert np.abs(vs).max() <= math.sqrt(3 * 2.0 / 200)


def test_initializers_namespace():
    assert tf.initializers.zeros is tf.zeros_initializer
    assert tf.initializers.glorot_uniform is tf.glorot_uniform_initializer
    v = tf.Variable(1.0)
    assert tf.initializers.global_variables().type == "NoOp"
    assert tf.initializers.variables([v]).type == "NoOp"


def test_glorot_uniform_conv_fans():
    init = tf.glorot_uniform_initializer()
    init([3, 3, 4, 8])
    limit = math.sqrt(6.0 / (3 * 3 * 4 + 3 * 3 * 8))
    value = tf.get_default_graph().get_tensor_by_name("random_uniform/max:0").op.get_attr("value")
    assert value == np.float32(limit)
