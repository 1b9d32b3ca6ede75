"""examples/train_with_queue_runners.py: digits TFRecords train the MLP through TF1's queue runners."""

import subprocess
import sys
from pathlib import Path

from engine.io.tfrecord import read_records
from engine.proto import event_pb2

ROOT = Path(__file__).resolve().parents[2]


def test_digits_train_through_queue_runners_and_log_queue_fill(tmp_path):
    logdir = tmp_path / "logs"
    script = str(ROOT / "examples" / "train_with_queue_runners.py")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, script, "--logdir", str(logdir), "--epochs", "4"],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    steps = int(result.stdout.split(" steps")[0].split()[-1])
    assert steps == 90  # 4 epochs of 1437 training digits: 89 batches of 64 and a smaller last one
    (events_path,) = logdir.glob("events.out.tfevents.*")
    tags = {}
    for record in read_records(events_path):
        for value in event_pb2.Event.FromString(record).summary.value:
            tags.setdefault(value.tag, []).append(value.simple_value)
    assert {"loss", "test/accuracy", "train_input/input_producer/fraction_of_32_full",
            "train_input/shuffle_batch/fraction_over_1000_of_192_full",
            "test_input/batch/fraction_of_32_full"} <= set(tags)
    assert tags["loss"][-1] < 0.5 * tags["loss"][0]
    assert tags["test/accuracy"][-1] > 0.8
