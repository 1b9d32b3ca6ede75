"""The graph-free SummaryWriter (tensorboardX-style API) writes TF1-style events TensorBoard reads."""

import io
import os
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from engine.framework import ops
from engine.io.tfrecord import read_records
from engine.ops import constant_op
from engine.proto import event_pb2, graph_pb2
from engine.summary import SummaryWriter
from engine.summary.histogram import histogram


def accumulator(logdir) -> EventAccumulator:
    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0, "images": 0,
                                                       "audio": 0, "tensors": 0})
    acc.Reload()
    return acc


def read_events(logdir) -> list:
    (path,) = Path(logdir).glob("events.out.tfevents.*")
    return [event_pb2.Event.FromString(r) for r in read_records(path)]


class FakeTorchScalar:
    """Stands in for a 0-d torch tensor: only .item() gives its value."""

    def __init__(self, value):
        self._value = value

    def item(self):
        return self._value


def test_add_scalar_values_steps_and_wall_times_are_read_back_exactly(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        for step in range(1000):
            writer.add_scalar("loss", 1.0 / (step + 1), step, walltime=1000.0 + step)
        writer.add_scalar("numpy", np.float64(2.5), 1)
        writer.add_scalar("torch", FakeTorchScalar(3.5), 2)
        writer.add_scalar("int", 7, 3)
    acc = accumulator(tmp_path)
    loss = acc.Scalars("loss")
    assert [e.step for e in loss] == list(range(1000))
    assert [e.value for e in loss] == [float(np.float32(1.0 / (s + 1))) for s in range(1000)]
    assert [e.wall_time for e in loss] == [1000.0 + s for s in range(1000)]
    assert [acc.Scalars(t)[0].value for t in ("numpy", "torch", "int")] == [2.5, 3.5, 7.0]


def test_scalars_are_simple_values_like_tf1(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalar("loss", 0.5, 3)
    event = read_events(tmp_path)[1]
    assert event.summary.value[0].WhichOneof("value") == "simple_value"
    assert event.step == 3 and abs(event.wall_time - time.time()) < 60


def test_add_histogram_uses_tf_buckets_by_default_and_numpy_bins_on_request(tmp_path):
    values = np.random.default_rng(3).normal(size=500)
    with SummaryWriter(tmp_path) as writer:
        writer.add_histogram("w", values, 5)
        writer.add_histogram("w10", values, 5, bins=10)
    acc = accumulator(tmp_path)
    stored = acc.Histograms("w")[0].histogram_value
    assert list(stored.bucket_limit) == histogram(values).bucket_limit
    assert list(stored.bucket) == histogram(values).bucket
    ten = acc.Histograms("w10")[0].histogram_value
    counts, edges = np.histogram(values, bins=10)
    assert list(ten.bucket) == counts.tolist() and list(ten.bucket_limit) == edges[1:].tolist()
    assert ten.num == 500


def test_add_text_keeps_the_tag_and_uses_the_text_plugin(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_text("notes", "step *zero*", 0)
    (value,) = read_events(tmp_path)[1].summary.value
    assert value.tag == "notes"
    assert value.metadata.plugin_data.plugin_name == "text"
    assert list(value.tensor.string_val) == [b"step *zero*"]
    assert accumulator(tmp_path).Tags()["tensors"] == ["notes"]


@pytest.mark.parametrize("fmt, shape", [("CHW", (3, 4, 5)), ("HWC", (4, 5, 3)), ("HW", (4, 5))])
def test_add_image_accepts_tensorboardx_data_formats(tmp_path, fmt, shape):
    image = np.linspace(0.0, 1.0, int(np.prod(shape))).reshape(shape)
    with SummaryWriter(tmp_path) as writer:
        writer.add_image("img", image, 1, dataformats=fmt)
    (event,) = accumulator(tmp_path).Images("img")
    assert (event.height, event.width) == (4, 5)
    assert event.encoded_image_string.startswith(b"\x89PNG")


def test_add_audio_writes_a_wav_clip(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_audio("beep", np.sin(np.arange(400) / 5.0), 2, sample_rate=16000)
    (event,) = accumulator(tmp_path).Audio("beep")
    assert event.sample_rate == 16000 and event.length_frames == 400
    with wave.open(io.BytesIO(event.encoded_audio_string)) as wav:
        assert wav.getnframes() == 400


def test_add_graph_writes_an_engine_graph(tmp_path):
    graph = ops.Graph()
    with graph.as_default():
        constant_op.constant(1.0, name="one")
    with SummaryWriter(tmp_path) as writer:
        writer.add_graph(graph)
    graph_def = graph_pb2.GraphDef.FromString(read_events(tmp_path)[1].graph_def)
    assert [n.name for n in graph_def.node] == ["one"]


def test_add_scalars_writes_one_run_per_key_under_main_tag(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_scalars("curves", {"train": step * 1.0, "val": step * 2.0}, step)
    for key, factor in (("train", 1.0), ("val", 2.0)):
        events = accumulator(tmp_path / "curves" / key).Scalars("curves")
        assert [e.value for e in events] == [s * factor for s in range(3)]


def test_purge_step_writes_a_session_log_start(tmp_path):
    with SummaryWriter(tmp_path, purge_step=40):
        pass
    event = read_events(tmp_path)[1]
    assert event.session_log.status == event_pb2.SessionLog.START and event.step == 40


def test_default_logdir_is_runs_date_hostname_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1") as writer:
        logdir = writer.get_logdir()
    assert logdir.startswith("runs" + os.sep) and logdir.endswith("_lr0.1")
    assert (tmp_path / writer.path).parent == tmp_path / logdir


def test_flush_makes_events_readable_while_the_writer_stays_open(tmp_path):
    writer = SummaryWriter(tmp_path, flush_secs=3600)
    try:
        writer.add_scalar("x", 1.0, 1)
        writer.flush()
        assert [e.step for e in accumulator(tmp_path).Scalars("x")] == [1]
    finally:
        writer.close()


def test_threads_sharing_one_writer_each_get_every_step_in_order(tmp_path):
    import threading

    writer = SummaryWriter(tmp_path)

    def work(k):
        for step in range(10000):
            writer.add_scalar(f"thread{k}", step * 0.5, step)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    by_tag: dict[str, list] = {}
    for event in read_events(tmp_path)[1:]:  # every record's CRCs are checked while reading
        (value,) = event.summary.value
        by_tag.setdefault(value.tag, []).append((event.step, value.simple_value))
    for k in range(4):
        assert by_tag[f"thread{k}"] == [(step, step * 0.5) for step in range(10000)]
