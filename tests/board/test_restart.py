"""Restarts: SessionLog.START purges later points; old files purge on a step going back."""

from __future__ import annotations

from engine.io.tfrecord import encode_record
from engine.proto import event_pb2
from tests.board.conftest import (
    event_file,
    file_version_event,
    scalar_event,
    series,
    start_event,
    steps_of,
    write_events,
)


def test_session_start_purges_points_at_or_after_its_step(tmp_path, make_client):
    path = event_file(tmp_path / "run")
    events = [file_version_event()]
    events += [scalar_event("loss", s, float(s)) for s in range(100)]
    events += [start_event(50)]
    events += [scalar_event("loss", s, 1000.0 + s) for s in range(50, 81)]
    write_events(path, events)
    client = make_client(tmp_path)
    rows = series(client, "run", "loss")
    assert [r[1] for r in rows] == list(range(0, 50)) + list(range(50, 81))
    assert [r[2] for r in rows[50:]] == [1000.0 + s for s in range(50, 81)]


def test_restart_in_a_later_file_and_pass(tmp_path, make_client):
    write_events(event_file(tmp_path / "run", "events.out.tfevents.1.a"),
                 [file_version_event(), start_event(0)] + [scalar_event("loss", s, 1.0) for s in range(100)]
                 + [scalar_event("acc", s, 0.5) for s in range(0, 100, 10)])
    client = make_client(tmp_path)
    assert len(steps_of(client, "run", "loss")) == 100
    write_events(event_file(tmp_path / "run", "events.out.tfevents.2.b"),
                 [file_version_event(), start_event(50)]
                 + [scalar_event("loss", s, 2.0) for s in range(50, 81)])
    client.app.state.provider.reload()
    assert steps_of(client, "run", "loss") == list(range(50)) + list(range(50, 81))
    assert steps_of(client, "run", "acc") == [0, 10, 20, 30, 40]  # every tag is purged


def test_step_going_back_without_start_keeps_points_in_version_2_files(tmp_path, make_client):
    path = event_file(tmp_path / "run")
    write_events(path, [file_version_event()] + [scalar_event("loss", s, 1.0) for s in (0, 1, 2, 1, 2)])
    client = make_client(tmp_path)
    assert steps_of(client, "run", "loss") == [0, 1, 2, 1, 2]


def test_step_going_back_purges_its_tags_in_files_without_file_version(tmp_path, make_client):
    path = event_file(tmp_path / "run")
    events = [scalar_event("loss", s, 1.0) for s in range(10)]
    events += [scalar_event("acc", s, 1.0) for s in range(10, 12)]
    events += [scalar_event("loss", s, 2.0) for s in range(5, 8)]  # back to 5: loss 5.. purged
    write_events(path, events)
    client = make_client(tmp_path)
    assert steps_of(client, "run", "loss") == [0, 1, 2, 3, 4, 5, 6, 7]
    assert steps_of(client, "run", "acc") == [10, 11]  # other tags are kept


def test_tf2_tensor_scalars_and_multi_value_summaries(tmp_path, make_client):
    from engine.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2

    def tensor_value(tag, dtype, **fields):
        return summary_pb2.Summary.Value(
            tag=tag,
            tensor=tensor_pb2.TensorProto(dtype=dtype, tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                                          **fields),
            metadata=summary_pb2.SummaryMetadata(
                plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")),
        )

    events = [file_version_event()]
    events.append(event_pb2.Event(wall_time=1.0, step=1, summary=summary_pb2.Summary(value=[
        tensor_value("double", types_pb2.DT_DOUBLE, double_val=[0.1]),
        tensor_value("int", types_pb2.DT_INT64, int64_val=[7]),
        summary_pb2.Summary.Value(tag="a", simple_value=1.5),
        summary_pb2.Summary.Value(tag="b", simple_value=2.5),
    ])))
    events.append(event_pb2.Event(wall_time=2.0, step=2, summary=summary_pb2.Summary(value=[
        summary_pb2.Summary.Value(tag="a", simple_value=3.5),
        summary_pb2.Summary.Value(tag="b", simple_value=4.5),
    ])))
    write_events(event_file(tmp_path / "r"), events)
    client = make_client(tmp_path)
    assert series(client, "r", "double") == [[1.0, 1, 0.1]]
    assert series(client, "r", "int") == [[1.0, 1, 7.0]]
    assert series(client, "r", "a") == [[1.0, 1, 1.5], [2.0, 2, 3.5]]
    assert series(client, "r", "b") == [[1.0, 1, 2.5], [2.0, 2, 4.5]]
    values = client.app.state.provider.scalar_series("r", "double").values
    assert values.dtype.name == "float64"
    assert client.app.state.provider.scalar_series("r", "a").values.dtype.name == "float32"


def test_encode_record_roundtrip_sanity(tmp_path):
    assert len(encode_record(b"abc")) == 16 + 3
