"""tf.summary.FileWriter: event files TensorBoard reads as its own, written through a background thread."""

import gc
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from engine.framework import ops
from engine.io.tfrecord import read_records
from engine.ops import constant_op
from engine.proto import config_pb2, event_pb2, graph_pb2, meta_graph_pb2, summary_pb2
from engine.session import Session
from engine.summary import FileWriter, FileWriterCache, builders, event_file_writer
from engine.summary.histogram import histogram

ROOT = Path(__file__).resolve().parents[2]


def event_files(logdir) -> list[Path]:
    return sorted(Path(logdir).glob("events.out.tfevents.*"))


def read_events(logdir) -> list:
    (path,) = event_files(logdir)
    return [event_pb2.Event.FromString(r) for r in read_records(path)]


def accumulator(logdir) -> EventAccumulator:
    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def scalar_bytes(tag, value) -> bytes:
    return builders.scalar_summary(tag, value).SerializeToString()


def test_file_name_holds_seconds_hostname_and_suffix(tmp_path):
    before = int(time.time())
    with FileWriter(tmp_path / "run", filename_suffix=".v1") as writer:
        assert writer.get_logdir() == str(tmp_path / "run")
    after = int(time.time())
    (path,) = event_files(tmp_path / "run")
    match = re.fullmatch(r"events\.out\.tfevents\.(\d+)\.(.+)\.v1", path.name)
    assert match and match.group(2) == socket.gethostname()
    assert before <= int(match.group(1)) <= after


def test_first_record_is_file_version_brain_event_2(tmp_path):
    with FileWriter(tmp_path):
        pass
    (first,) = read_events(tmp_path)
    assert first.file_version == "brain.Event:2"
    assert first.wall_time == int(first.wall_time)  # whole seconds, as TF writes it
    assert event_files(tmp_path)[0].name.split(".")[3] == str(int(first.wall_time))


def test_missing_logdir_is_created(tmp_path):
    with FileWriter(tmp_path / "a" / "b" / "c"):
        pass
    assert len(event_files(tmp_path / "a" / "b" / "c")) == 1


def test_event_accumulator_reads_graph_scalars_and_histograms_we_wrote(tmp_path):
    graph = ops.Graph()
    with graph.as_default():
        a = constant_op.constant(3.0, name="MyConst1")
        b = constant_op.constant(4.0, name="MyConst2")
        constant_op.constant([1.0, 2.0], name="Pair")
        del a, b
    rng = np.random.default_rng(0)
    histogram_values = {step: rng.normal(step, 1.0, size=300) for step in (0, 10, 20)}
    with FileWriter(tmp_path, graph) as writer:
        for step in range(50):
            writer.add_summary(scalar_bytes("loss", 1.0 / (step + 1)), step)
            writer.add_summary(builders.scalar_summary("acc", step * 0.01), global_step=step)
        for step, values in histogram_values.items():
            writer.add_summary(builders.histogram_summary("weights", values), step)
    acc = accumulator(tmp_path)
    assert sorted(acc.Tags()["scalars"]) == ["acc", "loss"]
    assert [e.step for e in acc.Scalars("loss")] == list(range(50))
    assert [e.value for e in acc.Scalars("loss")] == [float(np.float32(1.0 / (s + 1))) for s in range(50)]
    assert [e.value for e in acc.Scalars("acc")] == [float(np.float32(s * 0.01)) for s in range(50)]
    stored = acc.Histograms("weights")
    assert [e.step for e in stored] == [0, 10, 20]
    for event in stored:
        ours = histogram(histogram_values[event.step])
        got = event.histogram_value
        assert (got.min, got.max, got.num, got.sum, got.sum_squares) == (
            ours.min, ours.max, ours.num, ours.sum, ours.sum_squares)
        assert list(got.bucket_limit) == ours.bucket_limit and list(got.bucket) == ours.bucket
    assert [n.name for n in acc.Graph().node] == ["MyConst1", "MyConst2", "Pair"]
    assert acc.MetaGraph().graph_def.node[0].name == "MyConst1"


def test_graph_in_constructor_writes_graph_def_then_meta_graph_def(tmp_path):
    graph = ops.Graph()
    with graph.as_default():
        constant_op.constant(1.0, name="c")
    with FileWriter(tmp_path, graph):
        pass
    kinds = [e.WhichOneof("what") for e in read_events(tmp_path)]
    assert kinds == ["file_version", "graph_def", "meta_graph_def"]
    events = read_events(tmp_path)
    graph_def = graph_pb2.GraphDef.FromString(events[1].graph_def)
    assert "_output_shapes" in graph_def.node[0].attr  # a Graph is written with shapes, as TF does
    meta = meta_graph_pb2.MetaGraphDef.FromString(events[2].meta_graph_def)
    assert [n.name for n in meta.graph_def.node] == ["c"]


def test_add_graph_alone_writes_only_the_graph_def(tmp_path):
    graph = ops.Graph()
    with graph.as_default():
        constant_op.constant(1.0, name="c")
    with FileWriter(tmp_path) as writer:
        writer.add_graph(graph, global_step=7)
    events = read_events(tmp_path)
    assert [e.WhichOneof("what") for e in events] == ["file_version", "graph_def"]
    assert events[1].step == 7


def test_add_graph_accepts_a_graph_def_and_rejects_other_things(tmp_path):
    graph_def = graph_pb2.GraphDef()
    graph_def.node.add(name="n", op="NoOp")
    with FileWriter(tmp_path) as writer:
        writer.add_graph(graph_def)
        with pytest.raises(ValueError, match="only graph, or graph_def"):
            writer.add_graph(ops.Graph(), graph_def=graph_def)
        with pytest.raises(TypeError, match="instance of `Graph`"):
            writer.add_graph("not a graph")
    assert graph_pb2.GraphDef.FromString(read_events(tmp_path)[1].graph_def) == graph_def


def test_summary_op_output_goes_straight_into_add_summary(tmp_path):
    graph = ops.Graph()
    with graph.as_default():
        from engine import summary

        summary.scalar("loss", constant_op.constant(0.25))
        merged = summary.merge_all()
        with Session() as sess, FileWriter(tmp_path, graph) as writer:
            writer.add_summary(sess.run(merged), 3)
    (event,) = accumulator(tmp_path).Scalars("loss")
    assert (event.step, event.value) == (3, 0.25)


def test_metadata_is_kept_only_on_the_first_value_of_a_tag(tmp_path):
    text = builders.text_summary("notes", "hello")
    with FileWriter(tmp_path) as writer:
        writer.add_summary(text, 0)
        writer.add_summary(text.SerializeToString(), 1)
    assert text.value[0].HasField("metadata")  # the caller's proto is left alone
    values = [e.summary.value[0] for e in read_events(tmp_path)[1:]]
    assert values[0].metadata.plugin_data.plugin_name == "text"
    assert not values[1].HasField("metadata")
    assert values[1].tensor == values[0].tensor


def test_add_summary_rejects_other_types(tmp_path):
    with FileWriter(tmp_path) as writer, pytest.raises(TypeError, match="Summary protobuf"):
        writer.add_summary(3.0)


def test_session_log_run_metadata_and_raw_events(tmp_path):
    with FileWriter(tmp_path) as writer:
        writer.add_session_log(event_pb2.SessionLog(status=event_pb2.SessionLog.START), 5)
        metadata = config_pb2.RunMetadata()
        writer.add_run_metadata(metadata, "step1", global_step=1)
        with pytest.raises(ValueError, match="already used"):
            writer.add_run_metadata(metadata, "step1")
        writer.add_event(event_pb2.Event(wall_time=12.5, step=9, file_version="custom"))
    events = read_events(tmp_path)[1:]
    assert events[0].session_log.status == event_pb2.SessionLog.START and events[0].step == 5
    assert events[1].tagged_run_metadata.tag == "step1" and events[1].step == 1
    assert (events[2].wall_time, events[2].step, events[2].file_version) == (12.5, 9, "custom")


def test_closed_writer_ignores_adds_with_a_warning_until_reopened(tmp_path, caplog):
    writer = FileWriter(tmp_path)
    writer.add_summary(scalar_bytes("x", 1.0), 1)
    writer.close()
    with caplog.at_level(logging.WARNING, logger="engine.summary.file_writer"):
        writer.add_summary(scalar_bytes("x", 2.0), 2)
        writer.flush()
    assert "closed FileWriter" in caplog.text
    writer.close()  # closing twice is fine
    writer.reopen()  # a new file, never the old one even within the same second
    writer.add_summary(scalar_bytes("x", 3.0), 3)
    writer.close()
    files = event_files(tmp_path)
    assert len(files) == 2
    steps = [[e.step for e in map(event_pb2.Event.FromString, read_records(f)) if e.HasField("summary")]
             for f in files]
    assert steps == [[1], [3]]


def test_two_writers_started_in_the_same_second_never_share_a_file(tmp_path):
    writers = [FileWriter(tmp_path) for _ in range(3)]
    for i, writer in enumerate(writers):
        writer.add_summary(scalar_bytes("w", float(i)), i)
        writer.close()
    files = event_files(tmp_path)
    assert len(files) == 3
    assert sorted(len(list(read_records(f))) for f in files) == [2, 2, 2]


def test_events_reach_the_file_every_flush_secs_without_flush(tmp_path):
    writer = FileWriter(tmp_path, flush_secs=0.2)
    try:
        writer.add_summary(scalar_bytes("x", 1.0), 1)
        (path,) = event_files(tmp_path)
        deadline = time.monotonic() + 10
        while len(list(read_records(path))) < 2:
            assert time.monotonic() < deadline, "the periodic flush never wrote the event"
            time.sleep(0.05)
    finally:
        writer.close()


@pytest.mark.parametrize("batch_events", [7, event_file_writer.BATCH_EVENTS])
def test_several_threads_writing_at_once_lose_and_mix_nothing(tmp_path, monkeypatch, batch_events):
    """Tiny batches make hand-overs to the writer thread race with other threads' adds all the time."""
    monkeypatch.setattr(event_file_writer, "BATCH_EVENTS", batch_events)
    per_thread = 2500 if batch_events < 100 else 10000
    writer = FileWriter(tmp_path, max_queue=2)

    def work(k):
        for step in range(per_thread):
            writer.add_summary(scalar_bytes(f"t{k}", float(step)), step)
            if step % 500 == 0:
                writer.add_summary(builders.histogram_summary(f"h{k}", np.arange(step + 1.0)), step)
                writer.flush()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    by_tag: dict[str, list] = {}
    for event in read_events(tmp_path)[1:]:  # read_records checks every record's CRCs
        (value,) = event.summary.value
        by_tag.setdefault(value.tag, []).append((event.step, value))
    for k in range(6):
        assert [step for step, _ in by_tag[f"t{k}"]] == list(range(per_thread))
        assert all(v.simple_value == step for step, v in by_tag[f"t{k}"])
        assert [step for step, _ in by_tag[f"h{k}"]] == list(range(0, per_thread, 500))


def _run_child(code: str, tmp_path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)


def test_sigkill_right_after_flush_leaves_every_flushed_event_readable(tmp_path):
    child = _run_child(
        "import sys, time, numpy as np\n"
        "from engine.summary import FileWriter, builders\n"
        "w = FileWriter(sys.argv[1], flush_secs=3600, max_queue=1000)\n"
        "for s in range(20000):\n"
        "    w.add_summary(builders.scalar_summary('loss', s * 0.5).SerializeToString(), s)\n"
        "w.add_summary(builders.histogram_summary('h', np.arange(100.0)), 1)\n"
        "w.flush()\n"
        "print('flushed', flush=True)\n"
        "w.add_summary(builders.scalar_summary('late', 1.0), 1)\n"
        "time.sleep(60)\n",
        tmp_path,
    )
    with child:
        try:
            assert child.stdout.readline().strip() == "flushed"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    acc = accumulator(tmp_path)
    assert [e.value for e in acc.Scalars("loss")] == [s * 0.5 for s in range(20000)]
    assert acc.Histograms("h")[0].histogram_value.num == 100


def test_writer_never_closed_is_flushed_at_interpreter_exit(tmp_path):
    child = _run_child(
        "import sys\n"
        "from engine.summary import FileWriter, SummaryWriter, builders\n"
        "w = FileWriter(sys.argv[1] + '/fw', flush_secs=3600)\n"
        "g = SummaryWriter(sys.argv[1] + '/sw', flush_secs=3600)\n"
        "for s in range(5000):\n"
        "    w.add_summary(builders.scalar_summary('loss', float(s)), s)\n"
        "    g.add_scalar('loss', float(s), s)\n",
        tmp_path,
    )
    with child:
        assert child.wait(timeout=60) == 0
    for run in ("fw", "sw"):
        assert [e.step for e in accumulator(tmp_path / run).Scalars("loss")] == list(range(5000))


def test_writer_dropped_without_close_is_flushed_when_collected(tmp_path):
    writer = FileWriter(tmp_path, flush_secs=3600)
    writer.add_summary(scalar_bytes("x", 1.0), 1)
    del writer
    gc.collect()
    assert [e.step for e in read_events(tmp_path)] == [0, 1]


def test_file_writer_cache_shares_one_writer_per_logdir(tmp_path):
    try:
        first = FileWriterCache.get(tmp_path / "a")
        assert FileWriterCache.get(tmp_path / "a") is first
        assert FileWriterCache.get(tmp_path / "b") is not first
    finally:
        FileWriterCache.clear()
    assert len(event_files(tmp_path / "a")) == 1


def test_summary_proto_with_several_values_is_written_whole(tmp_path):
    summary = summary_pb2.Summary()
    summary.value.add(tag="a", simple_value=1.0)
    summary.value.add(tag="b", simple_value=2.0)
    with FileWriter(tmp_path) as writer:
        writer.add_summary(summary.SerializeToString(), 4)
    event = read_events(tmp_path)[1]
    assert event.summary == summary and event.step == 4


def test_graph_def_given_to_the_constructor_also_gets_a_meta_graph(tmp_path):
    from tensorboard.compat.proto import graph_pb2 as tensorboard_graph_pb2

    foreign = tensorboard_graph_pb2.GraphDef()  # TensorBoard's own GraphDef class works too
    foreign.node.add(name="n", op="NoOp")
    with FileWriter(tmp_path, foreign):
        pass
    events = read_events(tmp_path)
    assert [e.WhichOneof("what") for e in events] == ["file_version", "graph_def", "meta_graph_def"]
    meta = meta_graph_pb2.MetaGraphDef.FromString(events[2].meta_graph_def)
    assert [n.name for n in meta.graph_def.node] == ["n"] and not meta.collection_def


def test_meta_graph_holds_the_graph_collections(tmp_path):
    graph = ops.Graph()
    with graph.as_default():
        from engine import summary

        summary.scalar("loss", constant_op.constant(1.0))
        with FileWriter(tmp_path, graph):
            pass
    meta = meta_graph_pb2.MetaGraphDef.FromString(read_events(tmp_path)[2].meta_graph_def)
    assert list(meta.collection_def["summaries"].node_list.value) == ["loss:0"]
    assert [op.name for op in meta.meta_info_def.stripped_op_list.op] == ["Const", "ScalarSummary"]


def test_summary_objects_are_written_as_protobuf_would_frame_them(tmp_path):
    histogram = builders.histogram_summary("h", np.arange(10.0))
    scalar = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss", simple_value=0.5)])
    with FileWriter(tmp_path) as writer:
        writer.add_summary(scalar, 3)
        writer.add_summary(histogram, 4)
        writer.add_summary(summary_pb2.Summary(), None)
    events = read_events(tmp_path)[1:]
    assert [e.step for e in events] == [3, 4, 0]
    assert [e.summary for e in events] == [scalar, histogram, summary_pb2.Summary()]
    assert all(e.wall_time > 0 for e in events)
