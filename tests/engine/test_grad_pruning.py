"""engine.runtime.prune (the dependency optimizer): gated gradients nothing reads are not computed."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.runtime import prune as dependency_optimizer


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _mlp_train_op():
    x = tf.placeholder(tf.float32, [None, 5], name="x")
    w1 = tf.Variable(np.ones((5, 4), np.float32), name="w1")
    w2 = tf.Variable(np.ones((4, 3), np.float32), name="w2")
    loss = tf.reduce_sum(tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2))
    return x, tf.train.GradientDescentOptimizer(0.1).minimize(loss)


def test_gated_input_gradient_is_not_computed():
    x, train = _mlp_train_op()
    graph = tf.get_default_graph()
    dx = graph.get_operation_by_name("gradients/MatMul_grad/MatMul")  # d loss / d x: gated, never read
    assert dx in graph.get_operation_by_name("gradients/MatMul_grad/tuple/group_deps").control_inputs
    order = dependency_optimizer.prune([train], {x: 0})
    assert dx not in order
    assert graph.get_operation_by_name("gradients/MatMul_grad/MatMul_1") in order


def test_kept_control_edges_still_order_reads_before_updates():
    """The W2 update may only run after d loss / d h (which reads W2) is computed: tuple gating."""
    x, train = _mlp_train_op()
    graph = tf.get_default_graph()
    order = dependency_optimizer.prune([train], {x: 0})
    position = {op: i for i, op in enumerate(order)}
    for op in order:
        for dep in list(op.inputs) + op.control_inputs:
            if dep is not x and getattr(dep, "op", dep) in position:
                assert position[getattr(dep, "op", dep)] < position[op], (dep, op)
    reads_w2 = graph.get_operation_by_name("gradients/MatMul_1_grad/MatMul")
    update_w2 = graph.get_operation_by_name("GradientDescent/update_w2/ApplyGradientDescent")
    assert position[reads_w2] < position[update_w2]


def test_stateful_and_placeholder_control_inputs_stay_strong():
    p = tf.placeholder(tf.float32, [], name="p")
    v = tf.Variable(0.0, name="v")
    bump = tf.assign_add(v, 1.0)
    with tf.control_dependencies([bump, p]):
        out = tf.no_op(name="out")
    order = dependency_optimizer.prune([out], {})
    assert bump.op in order and p.op in order
