"""Every event file the real tools wrote decodes record by record, and its scalars are exact."""

import csv
import struct

import numpy as np
import pytest

from engine.io.tfrecord import TFRecordReader
from engine.proto import event_pb2, types_pb2

from ..conftest import REAL_FIXTURES

EVENT_FILES = sorted(REAL_FIXTURES.rglob("*tfevents*"))


def f32_hex(value: float) -> str:
    return f"0x{struct.unpack('<I', struct.pack('<f', value))[0]:08x}"


def scalar_of(value) -> float | None:
    """The scalar a Summary.Value holds: TF1 simple_value, or a TF2 rank-0 float tensor."""
    if value.HasField("simple_value"):
        return value.simple_value
    if value.HasField("tensor") and value.metadata.plugin_data.plugin_name == "scalars":
        tensor = value.tensor
        dtype = {types_pb2.DT_FLOAT: "<f4", types_pb2.DT_DOUBLE: "<f8"}[tensor.dtype]
        if tensor.tensor_content:
            return float(np.frombuffer(tensor.tensor_content, dtype)[0])
        return float(tensor.float_val[0] if tensor.dtype == types_pb2.DT_FLOAT else tensor.double_val[0])
    return None


def read_scalars(path):
    """{tag: [(step, value), ...]} of one event file, CRCs checked on every record."""
    found = {}
    for record in TFRecordReader(path).records():
        event = event_pb2.Event.FromString(record)
        for value in event.summary.value:
            scalar = scalar_of(value)
            if scalar is not None:
                found.setdefault(value.tag, []).append((event.step, scalar))
    return found


def test_fixture_files_are_present():
    assert len(EVENT_FILES) >= 10


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: str(p.relative_to(REAL_FIXTURES)))
def test_every_record_decodes_into_an_event(path):
    reader = TFRecordReader(path)
    events = [event_pb2.Event.FromString(r) for r in reader.records()]
    assert reader.offset == path.stat().st_size  # nothing left over, nothing truncated
    assert events[0].file_version == "brain.Event:2"
    assert all(e.wall_time > 1.7e9 for e in events)


def expected_rows(csv_path):
    with open(csv_path, newline="") as f:
        return list(csv.DictReader(f))


def assert_series_equal(got, rows, value_key="value", hex_key="value_f32_hex"):
    assert [s for s, _ in got] == [int(r["step"]) for r in rows]
    assert [f32_hex(v) for _, v in got] == [r[hex_key] for r in rows]
    assert [v for _, v in got] == [float(r[value_key]) for r in rows]


def test_tf1_mlp_loss_equals_csv():
    (path,) = (REAL_FIXTURES / "tf1_mlp" / "logs").glob("*tfevents*")
    rows = expected_rows(REAL_FIXTURES / "tf1_mlp" / "loss.csv")
    assert_series_equal(read_scalars(path)["loss"], rows, "loss", "loss_f32_hex")


def test_tf2_tensor_scalars_equal_csv():
    rows = expected_rows(REAL_FIXTURES / "tf2_summaries" / "expected_scalars.csv")
    for run in ("run_a", "run_b"):
        (path,) = (REAL_FIXTURES / "tf2_summaries" / "logdir" / run).glob("*tfevents*")
        scalars = read_scalars(path)
        for tag in ("loss", "learning_rate"):
            assert_series_equal(scalars[tag], [r for r in rows if r["run"] == run and r["tag"] == tag])


def test_tensorboardx_scalars_equal_csv():
    rows = expected_rows(REAL_FIXTURES / "tensorboardx" / "expected_scalars.csv")
    folders = sorted({r["folder"] for r in rows})
    assert len(folders) == 6
    for folder in folders:
        (path,) = (REAL_FIXTURES / "tensorboardx" / "logdir" / folder).glob("*tfevents*")
        scalars = read_scalars(path)
        for tag in sorted({r["tag"] for r in rows if r["folder"] == folder}):
            assert_series_equal(scalars[tag], [r for r in rows if r["folder"] == folder and r["tag"] == tag])


def test_torch_scalars_equal_csv():
    (path,) = (REAL_FIXTURES / "torch_tb" / "logdir").glob("*tfevents*")
    rows = expected_rows(REAL_FIXTURES / "torch_tb" / "expected_scalars.csv")
    assert_series_equal(read_scalars(path)["loss"], rows)


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: str(p.relative_to(REAL_FIXTURES)))
def test_our_messages_reserialize_tensorboards_bytes(path):
    """Our .proto files agree with TensorBoard's copies of TensorFlow's, field for field."""
    from tensorboard.compat.proto import event_pb2 as reference

    for record in TFRecordReader(path).records():
        ours = event_pb2.Event.FromString(record).SerializeToString(deterministic=True)
        theirs = reference.Event.FromString(record).SerializeToString(deterministic=True)
        assert ours == theirs
