"""Events we frame are read back identically, by us and by TensorBoard's own loader."""

import pytest

from engine.io.tfrecord import TFRecordReader, TFRecordWriter
from engine.proto import event_pb2, summary_pb2


def make_events():
    events = [event_pb2.Event(wall_time=1.5e9, file_version="brain.Event:2")]
    for step in range(50):
        summary = summary_pb2.Summary(value=[
            summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (step + 1)),
            summary_pb2.Summary.Value(tag="acc", simple_value=step / 50.0),
        ])
        events.append(event_pb2.Event(wall_time=1.5e9 + step, step=step, summary=summary))
    events.append(event_pb2.Event(wall_time=1.6e9, step=50, session_log=event_pb2.SessionLog(
        status=event_pb2.SessionLog.CHECKPOINT, checkpoint_path="model.ckpt-50")))
    return events


@pytest.fixture
def event_file(tmp_path):
    path = tmp_path / "events.out.tfevents.1500000000.testhost"
    with open(path, "wb") as f:
        writer = TFRecordWriter(f)
        for event in make_events():
            writer.write(event.SerializeToString())
    return path


def test_events_read_back_identically(event_file):
    read = [event_pb2.Event.FromString(r) for r in TFRecordReader(event_file).records()]
    assert read == make_events()


def test_tensorboard_event_accumulator_reads_our_file(event_file):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(event_file.parent), size_guidance={"scalars": 0})
    accumulator.Reload()
    assert sorted(accumulator.Tags()["scalars"]) == ["acc", "loss"]
    loss = accumulator.Scalars("loss")
    assert [e.step for e in loss] == list(range(50))
    expected = [summary_pb2.Summary.Value(simple_value=1.0 / (s + 1)).simple_value for s in range(50)]
    assert [e.value for e in loss] == expected
