"""The engine's ragged graphs load and run in TensorFlow: the models of tests/fixtures/ragged
(RaggedTensor factories with their `validate` assertions, RaggedTensorToTensor/ToSparse, RaggedRange, the
ragged string splits and UnicodeDecode/Encode; the operators and dispatched elementwise ops), written as a
GraphDef by the engine, imported by TF 2.21 (tf_side.py's import_graph_def) and run, give the engine's
values."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import engine as tf
from tests.engine.test_ragged import MODEL, assert_same
from tests.interop.test_sets_strings_boxes_in_tf import _plain

TF_SIDE = Path(__file__).resolve().parent / "tf_side.py"


@pytest.mark.parametrize("build", [MODEL.build, MODEL.operators], ids=["model", "operators"])
def test_tensorflow_runs_our_ragged_graph_to_our_values(tmp_path, tf_python, build):
    with tf.Graph().as_default() as graph:
        tensors = MODEL.parts(tf, build(tf))
        with tf.Session() as sess:
            ours = sess.run(tensors)
        (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
    steps = [{"fetches": [t.name for t in tensors.values()]}]
    args = json.dumps({"graph_def": str(tmp_path / "graph.pb"), "steps": steps})
    done = subprocess.run(
        [tf_python, str(TF_SIDE), "import_graph_def", args],
        capture_output=True,
        text=True,
        timeout=600,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reply = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    theirs = json.loads(reply.removeprefix("RESULT "))["results"][0]
    assert_same(
        {k: MODEL.plain(v) for k, v in ours.items()},
        {k: _plain(v) for k, v in zip(tensors, theirs, strict=True)},
    )
