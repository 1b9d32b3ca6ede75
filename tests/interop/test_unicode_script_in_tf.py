"""The engine's UnicodeScript graph (tests/engine/test_unicode_script.py's) imported and run by TensorFlow
2.21 (tf_side.py's import_graph_def) gives TF's codes, which are the engine's."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import engine as tf
from tests.engine.test_unicode_script import FIXTURE, build

TF_SIDE = Path(__file__).resolve().parent / "tf_side.py"


def test_tensorflow_runs_our_graph(tmp_path, tf_python):
    with tf.Graph().as_default() as graph:
        build()
    (tmp_path / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
    points = FIXTURE["points"][::50]
    steps = [{"fetches": ["UnicodeScript:0", "nested:0"],
              "feeds": {"points:0": {"dtype": "int32", "value": points}}}]
    args = json.dumps({"graph_def": str(tmp_path / "graph.pb"), "steps": steps})
    done = subprocess.run([tf_python, str(TF_SIDE), "import_graph_def", args], capture_output=True, text=True,
                          timeout=600, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    reply = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    codes, nested = json.loads(reply.removeprefix("RESULT "))["results"][0]
    expected = dict(zip(FIXTURE["points"], FIXTURE["codes"], strict=True))
    assert codes["value"] == [expected[p] for p in points]
    assert nested["value"] == FIXTURE["nested"]
