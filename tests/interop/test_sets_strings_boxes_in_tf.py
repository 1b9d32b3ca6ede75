"""The engine's set, string-split and image-box graphs load and run in TensorFlow: the model of
tests/fixtures/sets_strings_boxes, written as a GraphDef by the engine, imported by TF 2.21
(tf_side.py's import_graph_def) and run (the seeded sample_distorted_bounding_box ops three times,
continuing their Philox streams), gives the engine's values."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import numpy as np

import engine as tf
from tests.engine.test_sets_strings_boxes import MODEL, assert_same

TF_SIDE = Path(__file__).resolve().parent / "tf_side.py"


def _plain(encoded):
    """tf_side.encode's {"dtype", "shape", "value"} in the fixture's form (MODEL.plain)."""
    if encoded["dtype"] == "bytes":
        text = [base64.b64decode(v).decode("latin-1") for v in encoded["value"]]
        return {"dtype": "string", "shape": encoded["shape"], "values": text}
    values = np.asarray(encoded["value"], encoded["dtype"]).reshape(-1).tolist()
    return {"dtype": encoded["dtype"], "shape": encoded["shape"], "values": values}


def test_tensorflow_runs_our_graph_to_our_values(tmp_path, tf_python):
    with tf.Graph().as_default() as graph:
        feeds, out, repeated = MODEL.build(tf)
        tensors = MODEL.parts(tf, out)
        with tf.Session() as sess:
            runs = [sess.run(tensors, feeds)]
            runs += [sess.run({k: tensors[k] for k in repeated}, feeds) for _ in range(2)]
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
    keys = [list(tensors), repeated, repeated]
    steps = [{"fetches": [tensors[k].name for k in names]} for names in keys]
    args = json.dumps({"graph_def": str(tmp_path / "graph.pb"), "steps": steps})
    done = subprocess.run([tf_python, str(TF_SIDE), "import_graph_def", args], capture_output=True, text=True,
                          timeout=600, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    reply = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    results = json.loads(reply.removeprefix("RESULT "))["results"]
    for ours, names, theirs in zip(runs, keys, results, strict=True):
        assert_same({k: MODEL.plain(v) for k, v in ours.items()},
                    {k: _plain(v) for k, v in zip(names, theirs, strict=True)})
