"""GraphDefs against the ones real TensorFlow wrote (shared/fixtures/real), and import_graph_def."""

import json

import numpy as np
import pytest
from google.protobuf import text_format

import engine as tf
from engine.ops import array_ops, op_util
from engine.proto import graph_pb2


def _read_pbtxt(path):
    return text_format.Parse(path.read_text(), graph_pb2.GraphDef())


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_unnamed_constant_graph_matches_tf(real_fixtures):
    a = tf.constant(3.0, dtype=tf.float32)
    b = tf.constant(4.0)
    total = a + b
    expected = _read_pbtxt(real_fixtures / "tf1_graph_const" / "unnamed_graph_def.pbtxt")
    assert tf.get_default_graph().as_graph_def() == expected
    del total


def test_named_constant_graph_matches_tf(real_fixtures):
    a = tf.constant(3.0, name="MyConst1")
    b = tf.constant(4.0, name="MyConst2")
    tf.add(a, b, name="MyAdd")
    expected = _read_pbtxt(real_fixtures / "tf1_graph_const" / "named_graph_def.pbtxt")
    assert tf.get_default_graph().as_graph_def() == expected


def _dense_relu(x, size, scope):
    # As in fixtures/real/tf1_graph_v1_behavior/make_tf1_graph_v1_behavior.py
    with tf.variable_scope(scope):
        w = tf.get_variable("weight", [x.shape[1], size])
        b = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
        return tf.nn.relu(tf.matmul(x, w) + b)


def test_variables_and_layers_match_tf_node_for_node(real_fixtures):
    """Names, op types, inputs and attrs (incl. _class colocation) of the reference-variable graph."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    tf.placeholder(tf.float32, [None, 2], name="y")
    h = _dense_relu(x, 4, "layer1")
    _dense_relu(h, 2, "layer2")
    init = tf.global_variables_initializer()
    ours = tf.get_default_graph().as_graph_def()
    expected = _read_pbtxt(real_fixtures / "tf1_graph_v1_behavior" / "graph_def.pbtxt")
    reference = {n.name: n for n in expected.node}
    assert ours.versions == expected.versions
    for node in ours.node:
        if node.name == "init":
            continue  # TF's init also waits for nothing else; compared below
        assert node == reference[node.name], node.name
    reference_order = [n.name for n in expected.node if n.name in {m.name for m in ours.node}]
    assert [n.name for n in ours.node] == reference_order
    assert list(init.node_def.input) == list(reference["init"].input)
    assert [v.name for v in tf.global_variables()] == [
        "layer1/weight:0",
        "layer1/bias:0",
        "layer2/weight:0",
        "layer2/bias:0",
    ]


def test_import_real_tf_graph_round_trips_and_trains(real_fixtures):
    expected = _read_pbtxt(real_fixtures / "tf1_graph_v1_behavior" / "graph_def.pbtxt")
    graph = tf.Graph()
    with graph.as_default():
        assert tf.import_graph_def(expected, name="") is None
    exported = graph.as_graph_def()
    assert len(exported.node) == len(expected.node)
    for ours, theirs in zip(exported.node, expected.node, strict=True):
        assert ours == theirs, ours.name
    feed = {"x:0": np.ones((2, 3), np.float32), "y:0": np.zeros((2, 2), np.float32)}
    with tf.Session(graph=graph) as sess:
        sess.run("init")
        before = sess.run("mean_squared_error/value:0", feed)
        for _ in range(20):
            sess.run("GradientDescent", feed)
        after = sess.run("mean_squared_error/value:0", feed)
    assert after < before or before == 0.0


def test_import_with_prefix_input_map_and_return_elements():
    source = tf.Graph()
    with source.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        v = tf.Variable([1.0, 1.0], name="v")
        tf.add(x, v, name="out")
    graph_def = source.as_graph_def()
    with tf.Graph().as_default() as target:
        feed = tf.constant([10.0, 20.0], name="feed")
        out, init = tf.import_graph_def(
            graph_def, input_map={"x:0": feed}, return_elements=["out:0", "v/Assign"]
        )
        assert out.name == "import/out:0" and init.name == "import/v/Assign"
        assert target.get_operation_by_name("import/v/read").get_attr("_class") == [b"loc:@import/v"]
        with tf.Session() as sess:
            sess.run(init)
            assert sess.run(out).tolist() == [11.0, 21.0]
        again = tf.import_graph_def(graph_def, return_elements=["out"])
        assert again[0].name == "import_1/out"


def test_import_unknown_op_type():
    graph_def = graph_pb2.GraphDef()
    graph_def.node.add(name="n", op="NoSuchOp")
    with pytest.raises(tf.errors.NotFoundError, match="Op type not registered 'NoSuchOp'"):
        tf.import_graph_def(graph_def)


def _many_ops():
    """A graph touching every op type this engine's core registers."""
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    i = tf.constant([[1, 2, 3], [4, 5, 6]])
    outs = [
        tf.identity(x),
        *tf.identity_n([x, i]),
        tf.stop_gradient(x),
        tf.reshape(x, [3, -1]),
        tf.cast(i, tf.float32),
        tf.transpose(x),
        tf.transpose(tf.complex(x, x), conjugate=True),
        tf.concat([x, x], 1),
        tf.stack([x, x]),
        tf.unstack(x)[0],
        tf.split(x, 3, axis=1)[0],
        tf.split(x, [1, 2], axis=1)[1],
        tf.squeeze(tf.expand_dims(x, 0)),
        tf.tile(x, [1, 2]),
        tf.pad(x, [[1, 0], [0, 1]]),
        tf.pad(x, [[1, 0], [0, 1]], constant_values=2.0),
        tf.pad(x, [[1, 1], [1, 1]], mode="REFLECT"),
        tf.math.xlogy(x, x),
        tf.gather(x, [1, 0]),
        tf.slice(x, [0, 1], [2, 2]),
        x[:, 1:],
        tf.shape(x),
        # dynamic shapes keep Shape/Size/Rank ops (known ones fold to Consts, as in TF):
        tf.shape(tf.where(x > 0.5)),
        *tf.shape_n([x, i]),
        tf.size(tf.where(x > 0.5)),
        tf.rank(tf.placeholder_with_default(x, shape=None)),
        tf.zeros_like(tf.where(x > 0.5)),
        op_util.make_tensor("OnesLike", [x], attrs={"T": tf.float32}),
        array_ops.broadcast_gradient_args(tf.shape(tf.where(x > 0.5)), [1, 2])[0],
        tf.size(x),
        tf.rank(x),
        tf.one_hot([0, 2], 3),
        tf.where(x > 0.5, x, -x),
        tf.where(x > 0.5),
        tf.where_v2(x > 0.5, x, 0.0),
        tf.fill([2, 2], 1.0),
        tf.zeros([3]),
        tf.ones([1200]),
        tf.zeros_like(x),
        tf.ones_like(x),
        tf.eye(3),
        tf.eye(2, 3),
        tf.broadcast_to(tf.constant([1.0, 2.0, 3.0]), [2, 3]),
        tf.placeholder_with_default(x, [2, 3]),
        tf.range(5),
        tf.linspace(0.0, 1.0, 4),
        tf.cumsum(x, 1),
        x + 1,
        x - 1,
        x * 2,
        x / 2,
        tf.div(i, 2),
        x // 2,
        x % 2,
        x**2,
        tf.maximum(x, 0.2),
        tf.minimum(x, 0.2),
        tf.squared_difference(x, 1.0),
        tf.div_no_nan(x, x),
        tf.atan2(x, x),
        -x,
        abs(x),
        tf.sign(x),
        tf.square(x),
        tf.sqrt(x),
        tf.rsqrt(x),
        tf.exp(x),
        tf.log(x),
        tf.log1p(x),
        tf.reciprocal(x),
        tf.floor(x),
        tf.ceil(x),
        tf.round(x),
        tf.sin(x),
        tf.cos(x),
        tf.tanh(x),
        tf.sigmoid(x),
        tf.is_nan(x),
        tf.is_inf(x),
        tf.is_finite(x),
        tf.acos(x),
        tf.asin(x),
        tf.atan(x),
        tf.tan(x),
        tf.sinh(x),
        tf.cosh(x),
        tf.expm1(x),
        tf.rint(x),
        tf.add(tf.constant("a"), "b"),
        tf.equal(x, x),
        tf.not_equal(x, x),
        x < 1,
        x <= 1,
        x > 1,
        x >= 1,
        tf.logical_and(x > 0, x < 1),
        tf.logical_or(x > 0, x < 1),
        tf.logical_not(x > 0),
        tf.add_n([x, x]),
        tf.matmul(x, x, transpose_b=True),
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([2, 3, 2])),
        tf.reduce_sum(x, 1),
        tf.reduce_mean(x),
        tf.reduce_max(x),
        tf.reduce_min(x),
        tf.reduce_prod(x),
        tf.reduce_any(x > 0),
        tf.reduce_all(x > 0),
        tf.argmax(x, 1),
        tf.argmin(x, 1),
        tf.clip_by_value(x, 0.1, 0.9),
        tf.tensordot(x, tf.ones([3, 2]), 1),
        tf.nn.relu(x),
        tf.nn.relu6(x),
        tf.nn.elu(x),
        tf.nn.selu(x),
        tf.nn.softplus(x),
        tf.nn.softsign(x),
        tf.nn.leaky_relu(x),
        tf.nn.softmax(x),
        tf.nn.log_softmax(x),
        tf.nn.bias_add(x, [1.0, 2.0, 3.0]),
        tf.nn.dropout(x, rate=0.5, seed=1),
        tf.random_normal([2], seed=1),
        tf.truncated_normal([2], seed=1),
        tf.random_uniform([2], maxval=5, dtype=tf.int32, seed=1),
        tf.random_shuffle(i, seed=1),
        tf.multinomial([[0.0, 1.0]], 3, seed=1),
        tf.gather_nd(x, [[1, 2], [0, 0]]),
        tf.scatter_nd([[1], [0]], [1.0, 2.0], [3]),
        *tf.nn.top_k(x, 2),
        tf.nn.in_top_k(x, [2, 0], 1),
        tf.cumprod(x, 1, exclusive=True),
        tf.reverse(x, [1]),
        tf.einsum("ij,kj->ik", x, x),
        tf.nn.lrn(tf.reshape(x, [1, 1, 2, 3]), 1),
        *tf.gradients(tf.nn.fused_batch_norm(tf.reshape(x, [1, 1, 2, 3]), tf.ones([3]), tf.zeros([3]))[0],
                      [x]),
        tf.nn.conv3d(tf.reshape(x, [1, 1, 2, 3, 1]), tf.ones([1, 2, 2, 1, 2]), [1, 1, 1, 1, 1], "SAME"),
        tf.nn.max_pool3d(tf.reshape(x, [1, 1, 2, 3, 1]), [1, 1, 2, 2, 1], [1, 1, 1, 1, 1], "VALID"),
        tf.nn.avg_pool3d(tf.reshape(x, [1, 1, 2, 3, 1]), [1, 1, 2, 2, 1], [1, 1, 1, 1, 1], "SAME"),
        tf.nn.depthwise_conv2d(tf.reshape(x, [1, 2, 3, 1]), tf.ones([1, 2, 1, 2]), [1, 1, 1, 1], "SAME"),
    ]
    v = tf.Variable(1.0, name="v")
    outs += [tf.assign_add(v, 1.0), tf.assign_sub(v, 1.0), tf.is_variable_initialized(v), tf.group(x, v)]
    outs.append(tf.count_up_to(tf.Variable(0, name="counter"), 3))
    return x, outs


def test_every_core_op_rebuilds_from_its_node_def():
    _, outs = _many_ops()
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default() as rebuilt:
        tf.import_graph_def(graph_def, name="")
    assert rebuilt.as_graph_def() == graph_def
    originals = {op.name: op for op in tf.get_default_graph().get_operations()}
    for op in rebuilt.get_operations():
        for a, b in zip(op.outputs, originals[op.name].outputs, strict=True):
            assert (a.dtype, a.shape.as_list() if a.shape.ndims is not None else None) == (
                b.dtype,
                b.shape.as_list() if b.shape.ndims is not None else None,
            ), op.name
    assert len(outs) > 100


def test_every_core_op_runs():
    x, outs = _many_ops()
    tensors = [o if isinstance(o, tf.Tensor) else o for o in outs]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(tensors, {x: np.linspace(0.1, 0.9, 6, dtype=np.float32).reshape(2, 3)})
    for tensor, value in zip(tensors, values, strict=True):
        if isinstance(tensor, tf.Tensor):
            static = tensor.shape
            assert static.is_compatible_with(np.shape(value)), tensor.name
            if tensor.dtype == tf.string:
                assert isinstance(value, bytes), tensor.name
            else:
                assert np.asarray(value).dtype == tensor.dtype.base_dtype.as_numpy_dtype, tensor.name


def test_add_shapes_writes_output_shapes():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    tf.identity(x, name="y")
    node = tf.get_default_graph().as_graph_def(add_shapes=True).node[1]
    assert text_format.MessageToString(node.attr["_output_shapes"], as_one_line=True) == (
        "list { shape { dim { size: -1 } dim { size: 3 } } }"
    )


def test_constant_encodings_match_tf():
    graph = tf.get_default_graph()
    tf.constant([1, 2], name="ints")
    tf.zeros([4], name="filled")
    tf.constant([True, False], name="bools")
    tf.constant(["a", "b"], name="strings")
    nodes = {n.name: n for n in graph.as_graph_def().node}
    assert nodes["ints"].attr["value"].tensor.tensor_content == b"\x01\x00\x00\x00\x02\x00\x00\x00"
    assert list(nodes["filled"].attr["value"].tensor.float_val) == [0.0]
    assert list(nodes["bools"].attr["value"].tensor.bool_val) == [True, False]
    assert list(nodes["strings"].attr["value"].tensor.string_val) == [b"a", b"b"]
    assert tf.make_ndarray(nodes["filled"].attr["value"].tensor).tolist() == [0.0] * 4


def test_real_tf_training_graph_imports_and_reproduces_its_losses(real_fixtures):
    """tf1_mlp's 375-node GraphDef (resource variables, Adam, save ops), started from TF's initial values:
    200 steps give TF's logged losses."""
    root = real_fixtures / "tf1_mlp"
    graph_def = _read_pbtxt(root / "graph_def.pbtxt")
    initial = json.loads((root / "init_variables.json").read_text())
    data = json.loads((root / "data.json").read_text())
    rows = (root / "loss.csv").read_text().splitlines()[1:]
    expected = [float(row.split(",")[1]) for row in rows if row]
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    assert graph.as_graph_def() == graph_def
    # Feed each initializer's input with TF's initial value, so both runs start from the same point.
    init_feed = {
        graph.get_operation_by_name(f"{name}/Assign").inputs[1]: np.array(spec["value"], dtype=spec["dtype"])
        for name, spec in initial.items()
    }
    feed = {"x:0": np.array(data["x"], np.float32), "y:0": np.array(data["y_onehot"], np.float32)}
    with tf.Session(graph=graph) as sess:
        sess.run("init", init_feed)
        losses = [float(sess.run(["softmax_cross_entropy_loss/value:0", "Adam"], feed)[0]) for _ in expected]
    np.testing.assert_allclose(losses, expected, rtol=1e-5)


def test_the_rebuild_graph_covers_every_core_op_type():
    """A new op type in the core modules must be added to `_many_ops` (and so to the tests above)."""
    from engine.framework import registry

    core_modules = {
        "engine.ops.array_ops",
        "engine.ops.math_ops",
        "engine.ops.nn_ops",
        "engine.ops.random_ops",
        "engine.ops.state_ops",
        "engine.ops.control_flow_ops",
        "engine.ops.constant_op",
    }
    def is_core(module):  # a core module, or a sub-family module of the math_ops / array_ops packages
        return module in core_modules or module.rpartition(".")[0] in core_modules

    # Backprop ops (``ReluGrad``, ``BiasAddGrad``, ...) and the index ops run-time-shape gradients use live
    # with their families but only gradients build them; test_grad_registry.py builds every one.
    built_by_gradients = {"InvertPermutation", "UnsortedSegmentSum"}
    core_types = {t for t in registry.registered_ops()
                  if is_core(registry.get_op_def(t).module) and not t.endswith("Grad")} - built_by_gradients
    _many_ops()
    built = {op.type for op in tf.get_default_graph().get_operations()}
    # TruncateDiv is only built by imported graphs (TF's truncatediv); its kernel is Div's.
    assert core_types - built == {"TruncateDiv"}
