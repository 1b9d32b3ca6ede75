"""examples/deep_mnist.py runs as a TF1 script: a few steps of the tf.layers convnet under a
MonitoredTrainingSession write checkpoints, the graph (with dropout's tf.cond) and summaries, and the
held-out accuracy is printed."""

import re
import subprocess
import sys
from pathlib import Path

from engine.io.tfrecord import read_records
from engine.proto import event_pb2, graph_pb2

ROOT = Path(__file__).resolve().parents[2]


def test_a_few_steps_write_checkpoints_graph_and_summaries(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "deep_mnist.py"),
                           f"--checkpoint_dir={tmp_path}", "--steps=20"],
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", done.stdout).group(1))
    assert 0.0 <= accuracy <= 1.0
    assert "Saving checkpoints for 20 into" in done.stderr and "Restoring parameters from" in done.stderr
    assert (tmp_path / "model.ckpt-20.index").is_file()

    events = [event_pb2.Event.FromString(r) for path in tmp_path.glob("events.out.tfevents.*")
              for r in read_records(path)]
    tags = {v.tag for e in events for v in e.summary.value}
    assert {"loss", "train_accuracy", "input/image/0"} <= tags
    graph = graph_pb2.GraphDef.FromString(next(e.graph_def for e in events if e.graph_def))
    nodes = {n.name: n.op for n in graph.node}
    assert nodes["dropout/cond/Merge"] == "Merge" and nodes["conv2d_1/Conv2D"] == "Conv2D"
    assert nodes["dense_1/MatMul"] == "MatMul" and "accuracy/update_op" in nodes
