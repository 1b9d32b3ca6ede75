"""Our TensorArray and while-loop-gradient GraphDefs (tests/engine/loop_graphs.py) imported into real
TensorFlow (TF1 behaviour) and run there: TF's values, so the ops are TF's own, attrs and all, and the
gradient loops (stacks, counters, syncs) are ones TF's executor runs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import engine as tf
from tests.engine import loop_graphs
from tests.engine.test_loop_graphs import assert_values

TF_SIDE = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
import loop_graphs
spec = json.loads(sys.stdin.read())
gd = tf.GraphDef()
gd.ParseFromString(bytes.fromhex(spec["graph"]))
with tf.Graph().as_default() as g:
    tf.import_graph_def(gd, name="")
    fetch = [g.get_tensor_by_name(n) for n in spec["fetch"]]
    print(json.dumps(loop_graphs.run_all(tf, g, fetch, spec["feeds"])))
"""


@pytest.mark.parametrize("name", sorted(loop_graphs.GRAPHS))
def test_our_graph_runs_in_tf(tf_python, name):
    g = tf.Graph()
    with g.as_default():
        fetch, feeds = loop_graphs.GRAPHS[name](tf)
    ours = loop_graphs.run_all(tf, g, fetch, feeds)
    graph = g.as_graph_def().SerializeToString().hex()
    spec = {"graph": graph, "fetch": [t.name for t in fetch], "feeds": feeds}
    here = str(Path(loop_graphs.__file__).parent)
    proc = subprocess.run([tf_python, "-c", TF_SIDE, here], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_values(ours, json.loads(proc.stdout.splitlines()[-1]))
