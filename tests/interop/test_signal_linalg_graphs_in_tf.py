"""The engine's tf.signal, tf.linalg and tf.manip graphs load and run in TensorFlow: each model of
tests/fixtures (signal_ops, linalg_more, linalg_complex, tridiagonal, linear_operator, space_batch) with
its gradients, written as a GraphDef by the engine, imported by TF 2.21 and run with the same feeds, gives
the engine's values."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.interop.test_sparse_graph_in_tf import _TF_RUNS  # runs a GraphDef on feeds, prints values

MODELS = [
    ("signal_ops", "signal_model.py", "signal_tf"),
    ("linalg_ops", "linalg_more_model.py", "linalg_more_tf"),
    ("linalg_ops", "linalg_complex_model.py", "linalg_complex_tf"),
    ("linalg_ops", "tridiagonal_model.py", "tridiagonal_tf"),
    ("linalg_ops", "linear_operator_model.py", "linear_operator_tf"),
    ("manip", "space_batch_model.py", "space_batch_tf"),
]


@pytest.mark.parametrize("folder, model_file, prefix", MODELS, ids=[m[1] for m in MODELS])
def test_tensorflow_runs_our_graph(tmp_path, tf_python, folder, model_file, prefix):
    _, _, model = model_fixture.load(folder, model_file, prefix)
    with tf.Graph().as_default() as graph:
        feeds, out, grads = model.build(tf)
        tensors = {**out, **grads}
        with tf.Session() as sess:
            ours = sess.run(tensors, feeds)
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
    spec = {
        "fetch": {k: t.name for k, t in tensors.items()},
        "feed": {p.name: np.asarray(v).tolist() for p, v in feeds.items()},
        "bytes": {},
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    done = subprocess.run(
        [tf_python, "-c", _TF_RUNS, str(tmp_path / "graph.pb"), str(tmp_path / "spec.json")],
        capture_output=True,
        text=True,
        timeout=600,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(theirs) == sorted(ours)
    for key, value in ours.items():
        their_value = np.asarray(theirs[key], value.dtype)  # flattened
        assert their_value.size == value.size, key
        # float32 sums of cancelling terms: the atol follows the tensor's scale
        atol = 2e-5 * max(1.0, float(np.max(np.abs(value), initial=0.0)))
        np.testing.assert_allclose(value, their_value.reshape(value.shape), rtol=2e-4, atol=atol, err_msg=key)
