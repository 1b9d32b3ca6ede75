"""TF 2.21's diagonal ops (MatrixDiagV3, MatrixDiagPartV3, MatrixSetDiagV3: what its tf.eye, tf.linalg.diag,
diag_part and set_diag build) in a GraphDef TF wrote (tests/fixtures/diag_v3/make_fixture.py): imported and
run here, they give TF's values and static shapes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import engine as tf
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "diag_v3"


def test_tf_graph_with_v3_diagonal_ops_runs_with_tfs_values():
    graph_def = tf.GraphDef()
    graph_def.ParseFromString((FIXTURE / "graph.pb").read_bytes())
    assert {"MatrixDiagV3", "MatrixDiagPartV3", "MatrixSetDiagV3"} <= {n.op for n in graph_def.node}
    tf.import_graph_def(graph_def, name="")
    expected = np.load(FIXTURE / "values.npz")
    names = dict(entry.split("=") for entry in expected["names"])
    graph = tf.get_default_graph()
    fetches = {key: graph.get_tensor_by_name(name) for key, name in names.items()}
    with tf.Session() as sess:
        values = sess.run(fetches)
    for key, value in values.items():
        assert fetches[key].shape.as_list() == list(expected[key].shape), key
        np.testing.assert_array_equal(value, expected[key], err_msg=key)
