"""docs/engine.md's worked example, `Xlogy` (`tf.math.xlogy`): the code the page shows is the module's,
and the op behaves as TensorFlow 2.21's (values below were printed by tf.compat.v1)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import engine as tf
from engine.framework import registry
from engine.ops.math_ops import arithmetic

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_the_docs_show_the_modules_code():
    page = (ROOT / "docs" / "engine.md").read_text()
    section = page.split("## Adding an op", 1)[1].split("\n## ", 1)[0]
    (shown,) = re.findall(r"```python\n(.*?)```", section, re.S)
    assert shown.strip() in Path(arithmetic.__file__).read_text()
    for part in ("register_op(", "infer=", "kernel=", "inputs=", "allowed=", "def xlogy(",
                 "@register_gradient"):
        assert part in shown


def test_xlogy_values_and_node_as_tf():
    z = tf.math.xlogy(tf.constant([0.0, 1.0, 2.0]), tf.constant([0.0, 2.0, -1.0]))
    assert str(z) == 'Tensor("Xlogy:0", shape=(3,), dtype=float32)'
    with tf.Session() as sess:
        out = sess.run(z)
    np.testing.assert_allclose(out, [0.0, 0.6931472, np.nan], rtol=1e-6)
    assert out.dtype == np.float32


def test_xlogy_broadcasts_and_refuses_integers_with_tfs_text():
    assert tf.math.xlogy(tf.ones([2, 1]), tf.ones([3])).shape.as_list() == [2, 3]
    with pytest.raises(TypeError, match="Value passed to parameter 'x' has DataType int32 not in list of "
                                        "allowed values: float16, bfloat16, float32, float64, complex64, "
                                        "complex128"):
        tf.math.xlogy(tf.constant([1, 2]), tf.constant([1, 2]))


def test_xlogy_gradient_and_graph_def_round_trip():
    x = tf.placeholder(tf.float64, [2, 1])
    y = tf.placeholder(tf.float64, [3])
    gx, gy = tf.gradients(tf.reduce_sum(tf.math.xlogy(x, y)), [x, y])
    xv, yv = np.array([[0.0], [2.0]]), np.array([1.0, 2.0, 4.0])
    with tf.Session() as sess:
        gxv, gyv = sess.run([gx, gy], {x: xv, y: yv})
    np.testing.assert_allclose(gxv, [[0.0], [np.log(yv).sum()]])
    np.testing.assert_allclose(gyv, (xv / yv).sum(axis=0))

    graph_def = tf.get_default_graph().as_graph_def()
    (node,) = [n for n in graph_def.node if n.name == "Xlogy"]
    assert node.op == "Xlogy" and node.attr["T"].type == tf.float64.as_datatype_enum
    assert registry.get_op_def("Xlogy").module == "engine.ops.math_ops.arithmetic"
    with tf.Graph().as_default() as rebuilt:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=rebuilt) as sess:
            z = sess.run("Xlogy:0", {"Placeholder:0": xv, "Placeholder_1:0": yv})
    np.testing.assert_allclose(z, xv * np.log(yv))
