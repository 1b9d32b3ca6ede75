"""Our TensorArray GraphDefs (tests/engine/tensor_array_graphs.py, gradients included) imported into real
TensorFlow (TF1 behaviour) and run there: TF's values, so the ops are TF's own, attrs and all."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

import engine as tf
from tests.engine import tensor_array_graphs
from tests.interop.test_control_flow_in_tf import TF_SIDE


@pytest.mark.parametrize("name", sorted(tensor_array_graphs.GRAPHS))
def test_our_graph_runs_in_tf(tf_python, name):
    g = tf.Graph()
    with g.as_default():
        fetch, feeds = tensor_array_graphs.GRAPHS[name](tf)
    with tf.Session(graph=g) as s:
        ours = [s.run(fetch, {g.get_tensor_by_name(k): v for k, v in feed.items()}) for feed in feeds]
    graph = g.as_graph_def().SerializeToString().hex()
    spec = {"graph": graph, "fetch": [t.name for t in fetch], "feeds": feeds, "init": []}
    proc = subprocess.run([tf_python, "-c", TF_SIDE], input=json.dumps(spec), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = json.loads(proc.stdout.splitlines()[-1])
    for run_ours, run_theirs in zip(ours, theirs, strict=True):
        for a, b in zip(run_ours, run_theirs, strict=True):
            np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=1e-6)
