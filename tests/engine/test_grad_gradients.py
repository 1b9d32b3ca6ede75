"""tf.gradients: graph layout and names as TensorFlow builds them, and TF's semantics for stop_gradient,
integer paths, unconnected xs, grad_ys and aggregation."""

from __future__ import annotations

import re

import numpy as np
import pytest

import engine as tf
from tests.conftest import REAL_FIXTURES


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def op_types(graph=None):
    graph = graph or tf.get_default_graph()
    return {op.name: op.type for op in graph.get_operations()}


def test_gradient_ops_live_under_gradients_scope_with_tf_names():
    a = tf.placeholder(tf.float32, [2, 3], name="a")
    b = tf.constant(np.ones((3, 4), np.float32), name="b")
    y = tf.reduce_sum(tf.matmul(a, b))
    ga, gb = tf.gradients(y, [a, b])
    assert ga.name == "gradients/MatMul_grad/MatMul:0"
    assert gb.name == "gradients/MatMul_grad/MatMul_1:0"
    names = op_types()
    assert names["gradients/grad_ys_0"] == "Fill"
    assert names["gradients/MatMul_grad/MatMul_1"] == "MatMul"
    # A second call opens gradients_1.
    (g2,) = tf.gradients(y, [a])
    assert g2.name.startswith("gradients_1/")


def test_gradient_values_of_a_small_network():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.constant([[1.0, -2.0], [0.5, 1.0], [-1.0, 3.0]])
    b = tf.constant([0.1, -0.2])
    h = tf.nn.relu(tf.matmul(x, w) + b)
    loss = tf.reduce_mean(tf.square(h))
    gw, gb, gx = tf.gradients(loss, [w, b, x])
    xv = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], np.float32)
    with tf.Session() as sess:
        gw_v, gb_v, gx_v = sess.run([gw, gb, gx], {x: xv})
    wv, bv = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 3.0]]), np.array([0.1, -0.2])
    pre = xv @ wv + bv
    dh = 2 * np.maximum(pre, 0) / pre.size * (pre > 0)
    np.testing.assert_allclose(gw_v, xv.T @ dh, rtol=1e-5)
    np.testing.assert_allclose(gb_v, dh.sum(0), rtol=1e-5)
    np.testing.assert_allclose(gx_v, dh @ wv.T, rtol=1e-5)


def test_bias_broadcast_is_undone_with_static_axes():
    x = tf.placeholder(tf.float32, [None, 4])
    b = tf.constant(np.zeros(4, np.float32))
    (gb,) = tf.gradients(tf.reduce_sum(x + b), [b])
    assert gb.shape.as_list() == [4]
    # Sum over the broadcast axis (constant axes, known when the graph is built), then Reshape.
    assert gb.op.type == "Reshape"
    total = gb.op.inputs[0].op
    assert total.type == "Sum" and total.inputs[1].op.type == "Const"
    assert "BroadcastGradientArgs" not in op_types().values()
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(gb, {x: np.ones((5, 4), np.float32)}), [5, 5, 5, 5])


def test_unknown_dims_fall_back_to_broadcast_gradient_args():
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.placeholder(tf.float32, [None, 3])
    gx, gy = tf.gradients(tf.reduce_sum(x * y), [x, y])
    assert "BroadcastGradientArgs" in op_types().values()
    with tf.Session() as sess:
        xv = np.arange(3, dtype=np.float32).reshape(3, 1)
        yv = np.ones((3, 3), np.float32)
        gx_v, gy_v = sess.run([gx, gy], {x: xv, y: yv})
    np.testing.assert_allclose(gx_v, [[3], [3], [3]])
    np.testing.assert_allclose(gy_v, np.repeat(xv, 3, axis=1))


def test_stop_gradient_blocks_backprop():
    x = tf.constant(2.0)
    y = tf.stop_gradient(x * x) + x
    (g,) = tf.gradients(y, [x])
    with tf.Session() as sess:
        assert sess.run(g) == pytest.approx(1.0)


def test_stop_gradients_argument_treats_tensors_as_constants():
    a = tf.constant(0.0)
    b = 2 * a
    (ga, gb) = tf.gradients(a + b, [a, b], stop_gradients=[a, b])
    with tf.Session() as sess:
        assert sess.run([ga, gb]) == [pytest.approx(1.0), pytest.approx(1.0)]


def test_unconnected_and_integer_inputs_get_none():
    x = tf.constant(1.0)
    unused = tf.constant(3.0)
    i = tf.constant(3)
    y = x * tf.cast(i, tf.float32)
    assert tf.gradients(y, [unused]) == [None]
    assert tf.gradients(y, [i]) == [None]
    (z,) = tf.gradients(y, [unused], unconnected_gradients="zero")
    with tf.Session() as sess:
        assert sess.run(z) == 0.0


def test_grad_ys_scales_the_seed_and_gradients_sum_over_ys():
    x = tf.constant([1.0, 2.0])
    y1 = x * 3.0
    y2 = tf.square(x)
    (g,) = tf.gradients([y1, y2], [x], grad_ys=[tf.constant([1.0, 10.0]), None])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g), [3 + 2, 30 + 4])


def test_several_uses_are_aggregated_with_add_n():
    x = tf.constant(3.0)
    y = x * x + tf.sin(x)
    (g,) = tf.gradients(y, [x])
    assert "AddN" in op_types().values()
    with tf.Session() as sess:
        assert sess.run(g) == pytest.approx(6 + np.cos(3.0), rel=1e-6)


def test_missing_gradient_raises_lookup_error_naming_the_op():
    x = tf.constant([1.0, 2.0])
    y = tf.reduce_sum(tf.cast(tf.argmax(x), tf.float32) * x)  # fine: ArgMax is not differentiable
    tf.gradients(y, [x])
    sq = tf.square(x, name="sq")
    sq.op._set_attr("_gradient_op_type", "NoSuchGradient")  # what gradient_override_map records in TF
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'sq' \(op type: Square\)"):
        tf.gradients(sq, [x])


def test_gate_gradients_groups_with_tuple_identities():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    v = tf.Variable(np.ones((2, 2), np.float32), name="v")
    y = tf.reduce_sum(tf.matmul(tf.matmul(x, w), v))
    tf.gradients(y, [w, v], gate_gradients=True)
    names = op_types()
    assert names["gradients/MatMul_1_grad/tuple/group_deps"] == "NoOp"
    assert names["gradients/MatMul_1_grad/tuple/control_dependency"] == "Identity"
    assert names["gradients/MatMul_1_grad/tuple/control_dependency_1"] == "Identity"
    # As in TF, d y / d x (a placeholder nothing asked for) is gated too.
    assert names["gradients/MatMul_grad/tuple/group_deps"] == "NoOp"


def _fixture_nodes(path):
    text = (REAL_FIXTURES / path).read_text()
    return dict(re.findall(r'node \{\n  name: "([^"]+)"\n  op: "([^"]+)"', text))


def test_training_graph_names_match_tf1_fixture():
    def dense_relu(x, size, scope):
        with tf.variable_scope(scope):
            w = tf.get_variable("weight", [x.shape[1], size])
            b = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
            return tf.nn.relu(tf.matmul(x, w) + b)

    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 2], name="y")
    out = dense_relu(dense_relu(x, 4, "layer1"), 2, "layer2")
    loss = tf.losses.mean_squared_error(labels=y, predictions=out)
    tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    ours = op_types()
    ref = _fixture_nodes("tf1_graph_v1_behavior/graph_def.pbtxt")
    for name in [
        "gradients/grad_ys_0",
        "gradients/mean_squared_error/value_grad/div_no_nan",
        "gradients/mean_squared_error/SquaredDifference_grad/Mul",
        "gradients/layer2/Relu_grad/ReluGrad",
        "gradients/layer2/add_grad/Sum",
        "gradients/layer2/MatMul_grad/MatMul",
        "gradients/layer2/MatMul_grad/MatMul_1",
        "gradients/layer2/MatMul_grad/tuple/control_dependency_1",
        "gradients/layer1/MatMul_grad/MatMul_1",
        "GradientDescent/learning_rate",
        "GradientDescent/update_layer1/weight/ApplyGradientDescent",
        "GradientDescent/update_layer2/bias/ApplyGradientDescent",
        "GradientDescent",
        "mean_squared_error/SquaredDifference",
        "mean_squared_error/num_present",
        "mean_squared_error/value",
    ]:
        assert ours.get(name) == ref[name], name
    count = {t: list(ours.values()).count(t) for t in ("ApplyGradientDescent", "ReluGrad", "MatMul")}
    assert count == {"ApplyGradientDescent": 4, "ReluGrad": 2, "MatMul": 6}


# TF 2.x wrote tf1_mlp with resource variables (DESIGN.md); these op types and the node names that exist
# only for them differ from our reference variables by design.
RESOURCE_ONLY = (
    "VarHandleOp",
    "VarIsInitializedOp",
    "AssignVariableOp",
    "ReadVariableOp",
    "ResourceApplyAdam",
)


def test_adam_softmax_training_graph_matches_tf1_mlp_fixture():
    """The fixture program's loss, gradient and Adam nodes: same names and op types as TensorFlow's."""

    def dense(x, size, scope, relu=True):
        with tf.variable_scope(scope):
            w = tf.get_variable("weight", [x.shape[1], size])
            b = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
            h = tf.matmul(x, w) + b
            return tf.nn.relu(h) if relu else h

    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 3], name="y")
    logits = dense(dense(dense(x, 16, "layer1"), 16, "layer2"), 3, "output", relu=False)
    loss = tf.losses.softmax_cross_entropy(onehot_labels=y, logits=logits)
    tf.train.AdamOptimizer(0.01).minimize(loss)
    ours = op_types()
    ref = {
        name: op
        for name, op in _fixture_nodes("tf1_mlp/graph_def.pbtxt").items()
        if op not in RESOURCE_ONLY and name.startswith(("softmax_cross_entropy_loss/", "gradients/", "Adam"))
    }
    assert len(ref) > 150
    assert {n: ours.get(n) for n in ref} == ref
    assert ours["Adam/update_layer1/weight/ApplyAdam"] == "ApplyAdam"


def test_gradient_reaching_an_op_tf_gives_no_gradient_raises_lookup_error():
    """TF leaves ApplyGradientDescent without a gradient (not even a not-differentiable mark)."""
    from engine.ops import training_ops

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        v = tf.Variable([1.0, 2.0])
        update = training_ops.apply_gradient_descent(v, 0.1, x)
        with pytest.raises(LookupError, match=r"No gradient defined for operation 'ApplyGradientDescent' "
                                              r"\(op type: ApplyGradientDescent\)"):
            tf.gradients(update, x)


def test_second_derivative_through_conv2d_backprop_ops():
    """Conv2DBackpropInput/Filter have TF's gradients (they are not marked not differentiable)."""
    with tf.Graph().as_default():
        x = tf.constant(np.arange(2 * 4 * 4 * 1, dtype=np.float32).reshape(2, 4, 4, 1) / 10)
        f = tf.constant(np.ones((2, 2, 1, 1), np.float32))
        y = tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME")
        (gx,) = tf.gradients(tf.reduce_sum(tf.square(y)), [x])
        (gf,) = tf.gradients(tf.reduce_sum(gx), [f])
        assert gf is not None
        assert {"Conv2DBackpropInput"} <= {op.type for op in tf.get_default_graph().get_operations()}
