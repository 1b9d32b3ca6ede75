"""`tf.gradients` (aggregation_method, colocate_gradients_with_ops, grad_ys, stop_gradients,
unconnected_gradients) and the optimizers' compute_gradients / minimize / apply_gradients arguments
(gate_gradients, grad_loss, var_list) build TF's ops and raise TF's errors: one set of calls made by the
same code under TensorFlow 2.21 (tests/fixtures/optimizers/arguments_tf.json, written by make_fixture.py
there) and here."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "optimizers"
spec = importlib.util.spec_from_file_location("gradient_arguments", FIXTURES / "gradient_arguments.py")
arguments = importlib.util.module_from_spec(spec)
spec.loader.exec_module(arguments)
THEIRS = json.loads((FIXTURES / "arguments_tf.json").read_text())
# TF also lists bfloat16 as a valid loss dtype; the engine has no bfloat16
BFLOAT16 = {"grad_loss_int", "int_loss"}


@pytest.fixture(scope="module")
def ours():
    return json.loads(json.dumps(arguments.cases(tf)))


@pytest.mark.parametrize("case", sorted(set(THEIRS["cases"]) - BFLOAT16))
def test_call_builds_tfs_ops_or_raises_tfs_error(ours, case):
    assert ours[case] == THEIRS["cases"][case]


@pytest.mark.parametrize("case", sorted(BFLOAT16))
def test_invalid_loss_dtype_is_tfs_error_without_bfloat16(ours, case):
    assert ours[case] == [*THEIRS["cases"][case][:2], THEIRS["cases"][case][2].replace(", tf.bfloat16", "")]


@pytest.mark.parametrize("key", sorted(THEIRS["gradient_graphs"]))
def test_aggregation_and_colocation_build_tfs_gradient_graph(key):
    method, colocate = key.split("-")
    ours = json.loads(json.dumps(arguments.gradient_graph(tf, int(method), colocate == "True")))
    assert ours == THEIRS["gradient_graphs"][key]


@pytest.mark.parametrize("method", [tf.AggregationMethod.ADD_N, tf.AggregationMethod.EXPERIMENTAL_TREE,
                                    tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N])
@pytest.mark.parametrize("gate", [tf.train.Optimizer.GATE_NONE, tf.train.Optimizer.GATE_OP,
                                  tf.train.Optimizer.GATE_GRAPH])
def test_every_method_and_gate_trains_to_the_same_values(method, gate):
    rng = np.random.RandomState(1)
    x0, w0 = rng.randn(4, 3).astype(np.float32), rng.randn(3, 3).astype(np.float32)
    results = []
    chosen = {"aggregation_method": method, "gate_gradients": gate, "colocate_gradients_with_ops": True}
    for args in ({}, chosen):
        with tf.Graph().as_default():
            w = tf.Variable(w0, name="w")
            h = tf.matmul(x0, w)
            loss = tf.reduce_sum(tf.matmul(h, w)) + tf.reduce_sum(tf.tanh(h))
            train = tf.train.GradientDescentOptimizer(0.01).minimize(loss, grad_loss=tf.constant(0.5), **args)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(3):
                    sess.run(train)
                results.append(sess.run(w))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)
