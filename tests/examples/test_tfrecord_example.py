"""examples/train_from_tfrecords.py: digits written as TFRecord Examples train an MLP through tf.data."""

import subprocess
import sys
from pathlib import Path

from engine.io.tfrecord import read_records, tf_record_iterator
from engine.proto import event_pb2, example_pb2

ROOT = Path(__file__).resolve().parents[2]


def test_digits_from_tfrecords_train_and_log(tmp_path):
    logdir = tmp_path / "logs"
    script = str(ROOT / "examples" / "train_from_tfrecords.py")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, script, "--logdir", str(logdir), "--epochs", "4"],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    shards = {p.name: p for p in (logdir / "data").glob("*.tfrecord")}
    assert set(shards) == {"train-0.tfrecord", "train-1.tfrecord", "test.tfrecord"}
    examples = [example_pb2.Example.FromString(r) for r in tf_record_iterator(str(shards["test.tfrecord"]),
                                                                              "GZIP")]
    assert len(examples) == 360 and len(examples[0].features.feature["image"].float_list.value) == 64
    (events_path,) = logdir.glob("events.out.tfevents.*")
    events = [event_pb2.Event.FromString(r) for r in read_records(events_path)]
    assert any(e.graph_def for e in events)
    tags = {}
    for event in events:
        for value in event.summary.value:
            tags.setdefault(value.tag, []).append(value.simple_value)
    assert set(tags) == {"loss", "accuracy", "test/accuracy"}
    assert len(tags["loss"]) == 4 * 23 and tags["loss"][-1] < 0.5 * tags["loss"][0]
    assert tags["test/accuracy"][-1] > 0.85
