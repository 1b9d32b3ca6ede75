"""Graph structure: op naming, name scopes, control dependencies, collections, Tensor/shape reprs."""

import threading

import numpy as np
import pytest

import engine as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


# --- names --------------------------------------------------------------------------------------------------
def test_unnamed_ops_are_numbered_like_tf():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = tf.constant(3.0)
    assert [a.name, b.name, c.name] == ["Const:0", "Const_1:0", "Const_2:0"]


def test_names_are_unique_case_insensitively():
    a = tf.constant(1.0)
    first = a + a
    second = tf.add(a, a)
    third = tf.add(a, a)
    assert first.name == "add:0"
    assert second.name == "Add_1:0"  # "add" is taken regardless of case
    assert third.name == "Add_2:0"
    assert second.op.type == "AddV2"


def test_explicit_name_that_collides_gets_a_suffix():
    tf.constant(1.0, name="x")
    tf.constant(1.0, name="x_1")
    assert tf.constant(1.0, name="x").name == "x_2:0"


def test_operator_and_function_names():
    x = tf.placeholder(tf.float32, [2, 2])
    cases = {
        x + 1: ("add", "AddV2"),
        x - 1: ("sub", "Sub"),
        x * 2: ("mul", "Mul"),
        x / 2: ("truediv", "RealDiv"),
        x // 2: ("floordiv", "FloorDiv"),
        x % 2: ("mod", "FloorMod"),
        x**2: ("pow", "Pow"),
        x @ x: ("matmul", "MatMul"),
        -x: ("Neg", "Neg"),
        x < 1: ("Less", "Less"),
        abs(x): ("Abs", "Abs"),
        # "sub" etc. are taken above, and names compare case-insensitively:
        tf.subtract(x, 1): ("Sub_1", "Sub"),
        tf.multiply(x, 2): ("Mul_1", "Mul"),
        tf.matmul(x, x): ("MatMul_1", "MatMul"),
        tf.divide(x, 2): ("truediv_1", "RealDiv"),
        x[0]: ("strided_slice", "StridedSlice"),
    }
    for tensor, (name, op_type) in cases.items():
        assert (tensor.op.name, tensor.op.type) == (name, op_type)


def test_constant_operand_is_named_inside_the_op_scope():
    x = tf.constant(1.0)
    assert (x + 1).op.inputs[1].name == "add/y:0"
    assert (2 * x).op.inputs[0].name == "mul/x:0"
    assert tf.add(x, 3).op.inputs[1].name == "Add_1/y:0"  # "add" is taken (case-insensitively)


def test_invalid_op_name_is_rejected():
    with pytest.raises(ValueError, match="'-bad' is not a valid scope name"):
        with tf.name_scope("-bad"):
            pass


# --- name scopes --------------------------------------------------------------------------------------------
def test_name_scopes_nest_reenter_and_can_be_absolute():
    with tf.name_scope("scope") as s1:
        a = tf.constant(1, name="c")
    with tf.name_scope("scope") as s2:
        b = tf.constant(1, name="c")
    with tf.name_scope("scope/"):
        c = tf.constant(1, name="c")
    with tf.name_scope("outer"):
        with tf.name_scope("inner") as inner:
            d = tf.constant(1)
        with tf.name_scope(None):
            e = tf.constant(1, name="root")
    assert (s1, s2, inner) == ("scope/", "scope_1/", "outer/inner/")
    assert [a.name, b.name, c.name, d.name, e.name] == [
        "scope/c:0",
        "scope_1/c:0",
        "scope/c_1:0",
        "outer/inner/Const:0",
        "root:0",
    ]


def test_name_scope_with_default_name():
    with tf.name_scope(None, "default") as s:
        pass
    with tf.name_scope(None, "default") as s_again:
        pass
    assert (s, s_again) == ("default/", "default_1/")


def test_scope_name_is_shared_with_op_names():
    tf.constant(1.0, name="add")
    with tf.name_scope("add") as s:
        pass
    assert s == "add_1/"


# --- graphs -------------------------------------------------------------------------------------------------
def test_graph_as_default_and_tensor_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
        assert tf.get_default_graph() is g
    assert c.graph is g
    assert tf.get_default_graph() is not g
    assert g.get_operations() == [c.op]


def test_reset_default_graph_inside_nested_graph_is_refused():
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match="Do not use tf.reset_default_graph"):
            tf.reset_default_graph()


def test_lookup_by_name():
    a = tf.constant(1.0, name="a")
    g = tf.get_default_graph()
    assert g.get_operation_by_name("a") is a.op
    assert g.get_tensor_by_name("a:0") is a
    with pytest.raises(KeyError, match="The name 'b' refers to an Operation not in the graph."):
        g.get_operation_by_name("b")
    with pytest.raises(KeyError, match="The operation, 'b', does not exist in the graph."):
        g.get_tensor_by_name("b:0")
    with pytest.raises(ValueError, match="refers to an Operation, not a Tensor"):
        g.get_tensor_by_name("a")


def test_operation_properties():
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.constant([3.0, 4.0], name="b")
    total = tf.add(a, b, name="total")
    op = total.op
    assert (op.name, op.type, list(op.inputs), op.outputs) == ("total", "AddV2", [a, b], [total])
    assert op.get_attr("T") == tf.float32
    assert op.node_def.op == "AddV2" and list(op.node_def.input) == ["a", "b"]
    assert repr(op) == "<tf.Operation 'total' type=AddV2>"
    assert total.value_index == 0 and a.consumers() == [op]


def test_control_dependencies():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    with tf.control_dependencies([a, b.op]):
        c = tf.constant(3.0)
        d = c + 1  # its input already depends on a and b, so no extra control inputs
        with tf.control_dependencies(None):
            e = tf.constant(4.0)
    assert c.op.control_inputs == [a.op, b.op]
    assert d.op.control_inputs == []
    assert e.op.control_inputs == []
    assert [i for i in c.op.node_def.input] == ["^Const", "^Const_1"]


def test_finalized_graph_refuses_new_ops():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0)
    g.finalize()
    assert g.finalized
    with g.as_default(), pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
        tf.constant(2.0)


def test_collections_with_scope_filter():
    with tf.variable_scope("a"):
        va = tf.get_variable("v", [1])
    with tf.variable_scope("b"):
        vb = tf.get_variable("v", [1])
    tf.add_to_collection("mine", va)
    tf.add_to_collections(["mine", "other"], vb)
    assert tf.get_collection("mine") == [va, vb]
    assert tf.get_collection("mine", scope="b") == [vb]
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="a") == [va]
    ref = tf.get_collection_ref("mine")
    ref.append("x")
    assert tf.get_collection("mine")[-1] == "x"
    assert tf.get_collection("missing") == []
    assert set(tf.get_default_graph().get_all_collection_keys()) >= {"mine", "other", "variables"}
    assert tf.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"


# --- tensors and shapes -------------------------------------------------------------------------------------
def test_tensor_reprs_and_unknown_dims():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.int32)
    # TF 2.21 in v1 mode: repr for lists and dicts, str for print; unknown rank prints no shape.
    assert repr(x) == "<tf.Tensor 'Placeholder:0' shape=(?, 3) dtype=float32>"
    assert repr(y) == "<tf.Tensor 'Placeholder_1:0' shape=<unknown> dtype=int32>"
    assert str(x) == 'Tensor("Placeholder:0", shape=(?, 3), dtype=float32)'
    assert str(y) == 'Tensor("Placeholder_1:0", dtype=int32)'
    assert str(x.shape) == "(?, 3)"
    assert x.shape.as_list() == [None, 3]
    assert x.get_shape().ndims == 2
    assert repr(x.shape) == "TensorShape([Dimension(None), Dimension(3)])"
    assert str(tf.TensorShape([3])) == "(3,)"
    assert x.shape[1] == 3 and x.shape[1].value == 3 and x.shape[0].value is None


def test_tensor_shape_compatibility():
    s = tf.TensorShape([None, 3])
    assert s.is_compatible_with([5, 3])
    assert not s.is_compatible_with([5, 4])
    assert s.merge_with([5, None]).as_list() == [5, 3]
    with pytest.raises(ValueError, match="are not compatible"):
        s.merge_with([5, 4])
    assert tf.TensorShape(None).ndims is None
    with pytest.raises(ValueError, match="as_list\\(\\) is not defined on an unknown TensorShape."):
        tf.TensorShape(None).as_list()


def test_dtype_reprs_and_inference():
    assert repr(tf.float32) == "tf.float32"
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert repr(tf.float32._as_ref) == "tf.float32_ref"
    assert tf.constant(1.5).dtype == tf.float32
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(2**40).dtype == tf.int64
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant("s").dtype == tf.string
    assert tf.constant(np.float64(1.0)).dtype == tf.float64
    assert tf.constant([1, 2.5]).dtype == tf.float32
    assert tf.as_dtype("float32") is tf.float32 and tf.as_dtype(np.int64) is tf.int64
    for dt in (tf.float16, tf.float64, tf.int8, tf.int16, tf.int64, tf.uint8):
        assert tf.as_dtype(dt.as_datatype_enum) is dt


def test_tensor_bool_iter_and_len_raise_tf_errors():
    x = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="Using a `tf.Tensor` as a Python `bool` is not allowed."):
        bool(x)
    with pytest.raises(TypeError, match="Tensor objects are only iterable when eager execution is enabled."):
        iter(x)
    with pytest.raises(TypeError, match="len is not well defined for symbolic Tensors."):
        len(x)


def test_tensor_equality_is_identity_like_tf1():
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert a == a and a != b
    assert {a: 1, b: 2}[b] == 2


def test_slicing_builds_strided_slice():
    x = tf.placeholder(tf.float32, [None, 3])
    s = x[:, 0]
    assert s.op.type == "StridedSlice"
    assert s.shape.as_list() == [None]
    assert [t.op.name for t in s.op.inputs[1:]] == [
        "strided_slice/stack",
        "strided_slice/stack_1",
        "strided_slice/stack_2",
    ]
    assert x[1:].shape.as_list() == [None, 3]
    assert x[..., None].shape.as_list() == [None, 3, 1]
    with tf.Session() as sess:
        value = np.arange(6, dtype=np.float32).reshape(2, 3)
        np.testing.assert_array_equal(sess.run(x[:, ::-1][1], {x: value}), value[:, ::-1][1])


def test_convert_to_tensor_dtype_mismatch():
    a = tf.constant(1.0)
    with pytest.raises(
        ValueError, match="Tensor conversion requested dtype int32 for Tensor with dtype float32"
    ):
        tf.convert_to_tensor(a, dtype=tf.int32)
    with pytest.raises(TypeError, match="Expected int32, but got 1.5 of type 'float'."):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(
        TypeError, match="Input 'y' of 'AddV2' Op has type int32 that does not match type float32"
    ):
        tf.add(a, tf.constant(1))


def test_default_graph_stack_is_per_thread():
    seen = {}
    g = tf.Graph()

    def worker():
        seen["worker"] = tf.get_default_graph()

    with g.as_default():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert tf.get_default_graph() is g
    assert seen["worker"] is tf.get_default_graph()  # the worker sees the global default graph, not g
