"""The engine's channels-first graphs (tests/fixtures/nchw/nchw_cases.py: NCHW/NCDHW convolutions, pools,
their transposed, depthwise and separable forms, their gradients and the channels_first tf.layers) import
into TensorFlow 2.21, which then raises the same CPU error as the engine or computes the same values.
Runs under the suite's ``tf_python`` (tests/conftest.py); skips without TensorFlow, or fails under
CI/REQUIRE_TF."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import numpy as np

import engine as tf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "nchw"
spec = importlib.util.spec_from_file_location("nchw_cases", FIXTURES / "nchw_cases.py")
nchw_cases = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nchw_cases)

# Imports every case's GraphDef into a graph of its own, runs the variables' Assign ops (the engine's
# initializers), then the fetches; prints {case: {"error": [class, last two lines]} or {"values": [...]}}.
_RUN_IN_TF = """
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
out = {}
for case in json.load(open(sys.argv[1])):
    folder = os.path.join(os.path.dirname(sys.argv[1]), case)
    meta = json.load(open(os.path.join(folder, "meta.json")))
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(open(os.path.join(folder, "graph.pb"), "rb").read())
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        feed = {name: np.load(os.path.join(folder, f"feed{i}.npy")) for i, name in enumerate(meta["feeds"])}
        with tf.Session() as sess:
            sess.run([op for op in g.get_operations() if op.type == "Assign"])
            try:
                out[case] = {"values": [v.tolist() for v in sess.run(meta["fetches"], feed)]}
            except tf.errors.OpError as e:
                out[case] = {"error": [type(e).__name__, "\\n".join(e.message.split("\\n")[-2:])]}
print(json.dumps(out))
"""


def test_channels_first_graphs_run_in_tensorflow_as_in_the_engine(tmp_path, tf_python):
    graphs = {}
    ours = nchw_cases.cases(tf, graphs)
    for case, (graph_def, fetches, feeds) in graphs.items():
        folder = tmp_path / case
        folder.mkdir()
        (folder / "graph.pb").write_bytes(graph_def)
        for i, value in enumerate(feeds.values()):
            np.save(folder / f"feed{i}.npy", value)
        (folder / "meta.json").write_text(json.dumps({"fetches": fetches, "feeds": list(feeds)}))
    (tmp_path / "cases.json").write_text(json.dumps(sorted(graphs)))
    result = subprocess.run([tf_python, "-c", _RUN_IN_TF, str(tmp_path / "cases.json")], check=True,
                            timeout=600, capture_output=True, text=True)
    theirs = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(theirs) == sorted(ours)
    for case, record in ours.items():
        if "error" in record:
            assert theirs[case] == {"error": record["error"]}, case
        else:
            assert "values" in theirs[case], (case, theirs[case])
            for mine, expected in zip(record["values"], theirs[case]["values"], strict=True):
                np.testing.assert_allclose(mine, expected, rtol=1e-4, atol=1e-5, err_msg=case)
