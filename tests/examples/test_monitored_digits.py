"""examples/monitored_digits.py runs as a TF1 script: flags, a MonitoredTrainingSession that checkpoints,
restores on a second run and writes summaries, then an evaluation of the weights' moving averages."""

import re
import subprocess
import sys
from pathlib import Path

from engine.io.tfrecord import read_records
from engine.proto import event_pb2

ROOT = Path(__file__).resolve().parents[2]


def _run(checkpoint_dir, steps):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "monitored_digits.py"),
                           f"--checkpoint_dir={checkpoint_dir}", f"--steps={steps}"],
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    accuracy = re.search(r"test accuracy \(averaged weights\): ([0-9.]+)", done.stdout).group(1)
    return float(accuracy), done.stderr


def test_trains_checkpoints_resumes_and_evaluates(tmp_path):
    accuracy, log = _run(tmp_path, 100)
    assert accuracy > 0.8
    assert "Saving checkpoints for 100 into" in log and "loss = " in log
    _, log = _run(tmp_path, 150)
    assert "Restoring parameters from" in log and "Saving checkpoints for 150 into" in log
    assert "Saving checkpoints for 0 into" not in log  # the second run went on from step 100
    assert (tmp_path / "graph.pbtxt").is_file() and (tmp_path / "model.ckpt-150.index").is_file()
    events = [event_pb2.Event.FromString(r) for path in tmp_path.glob("events.out.tfevents.*")
              for r in read_records(path)]
    steps = sorted(e.step for e in events for v in e.summary.value if v.tag == "loss")
    assert steps[0] == 1 and steps[-1] >= 141 and len(steps) >= 15
