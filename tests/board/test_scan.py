"""The bulk decoder agrees with protobuf, record for record, on whatever Events it is given."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board.data import loader as loader_module
from board.data.crc import crc32c_ranges
from board.data.scan import scan_chunk
from engine.io.tfrecord import encode_record, masked_crc32c
from engine.proto import event_pb2, summary_pb2
from tests.board.conftest import event_file, file_version_event, records, scalar_event, write_events

TAGS = st.one_of(st.sampled_from(["loss", "acc", "a/b/c", "x" * 130, "é"]), st.text(max_size=140))
FLOATS = st.floats(width=32, allow_nan=True, allow_infinity=True)
STEPS = st.one_of(st.integers(0, 300), st.integers(-(2**63), 2**63 - 1))


@st.composite
def events(draw):
    kind = draw(st.sampled_from(["scalar", "scalar", "multi", "histo", "log", "nowall", "version"]))
    wall = draw(st.floats(0, 2e9))
    step = draw(STEPS)
    if kind == "version":
        return event_pb2.Event(wall_time=wall, file_version="brain.Event:2")
    if kind == "log":
        return event_pb2.Event(wall_time=wall, step=step,
                               session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START))
    if kind == "histo":
        return event_pb2.Event(wall_time=wall, step=step, summary=summary_pb2.Summary(value=[
            summary_pb2.Summary.Value(tag="h", histo=summary_pb2.HistogramProto(min=0, max=1, num=1))]))
    values = [summary_pb2.Summary.Value(tag=draw(TAGS), simple_value=draw(FLOATS))
              for _ in range(1 if kind != "multi" else draw(st.integers(2, 4)))]
    return event_pb2.Event(wall_time=0.0 if kind == "nowall" else wall, step=step,
                           summary=summary_pb2.Summary(value=values))


def _expected_points(event_list):
    out = []
    for i, event in enumerate(event_list):
        values = event.summary.value
        if event.HasField("summary") and all(v.WhichOneof("value") == "simple_value" for v in values):
            for v in event.summary.value:
                out.append((i, event.step, event.wall_time, v.tag, np.float32(v.simple_value)))
    return out


def _same(a, b):
    return a == b or (isinstance(a, float | np.floating) and math.isnan(a) and math.isnan(b))


@settings(max_examples=200, deadline=None)
@given(st.lists(events(), max_size=40))
def test_bulk_decoding_matches_protobuf(event_list):
    data = records(event_list)
    scan = scan_chunk(data + bytes(16), len(data))
    assert scan.record_count == len(event_list)
    assert scan.consumed == len(data)
    got = [(int(r), int(s), float(w), scan.tags[t], v) for r, s, w, t, v in
           zip(scan.record, scan.step, scan.wall_time, scan.tag_id, scan.value, strict=True)]
    expected = _expected_points(event_list)
    # events the bulk path skipped (e.g. wall_time 0) must be in `other`, for protobuf
    other = {r for r, _, _ in scan.other}
    expected_bulk = [p for p in expected if p[0] not in other]
    assert len(got) == len(expected_bulk)
    for g, e in zip(got, expected_bulk, strict=True):
        assert all(_same(x, y) for x, y in zip(g, e, strict=True)), (g, e)
    # every record is either decoded in bulk or handed over
    assert {p[0] for p in got} | other == set(range(len(event_list)))
    assert not scan.corrupt


@settings(max_examples=100, deadline=None)
@given(st.lists(events(), min_size=1, max_size=30), st.data())
def test_any_single_corruption_is_found(event_list, data):
    raw = bytearray(records(event_list))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    scan = scan_chunk(bytes(raw) + bytes(16), len(raw))
    assert scan.corrupt, "a flipped byte must be reported"
    # records not touched by the corruption are still decoded
    assert scan.record_count + len(scan.corrupt) >= 1


def test_crc_of_ranges_matches_google_crc32c():
    import google_crc32c

    rng = np.random.default_rng(0)
    buffer = rng.integers(0, 256, size=5000, dtype=np.uint8)
    starts = rng.integers(1, 4000, size=300)
    lengths = rng.integers(0, 90, size=300)
    crcs = crc32c_ranges(buffer, starts, lengths)
    raw = buffer.tobytes()
    for s, n, c in zip(starts, lengths, crcs, strict=True):
        assert c == google_crc32c.value(raw[s:s + n])


def test_record_longer_than_a_chunk(tmp_path, make_client, monkeypatch):
    monkeypatch.setattr(loader_module, "CHUNK", 64)
    big = event_pb2.Event(wall_time=1.0, step=1, graph_def=b"\x0a\x03\x0a\x01x" * 100)
    path = event_file(tmp_path / "r")
    write_events(path, [file_version_event(), big] + [scalar_event("loss", s, 1.0) for s in range(20)])
    client = make_client(tmp_path)
    assert [r[1] for r in client.get("/data/plugin/scalars/scalars?run=r&tag=loss").json()] == list(range(20))
    assert client.get("/data/plugin/graphs/info").json()["r"]["run_graph"] is True


@pytest.mark.parametrize("chunk", [40, 100, 1000])
def test_small_chunks_give_the_same_points(tmp_path, make_client, monkeypatch, chunk):
    monkeypatch.setattr(loader_module, "CHUNK", chunk)
    events_list = [file_version_event()] + [scalar_event(f"t{s % 3}", s, s * 0.5) for s in range(200)]
    write_events(event_file(tmp_path / "r"), events_list)
    client = make_client(tmp_path)
    for t in range(3):
        rows = client.get(f"/data/plugin/scalars/scalars?run=r&tag=t{t}").json()
        assert [r[1] for r in rows] == list(range(t, 200, 3))


def test_masked_crc_agrees_with_engine():
    data = records([scalar_event("loss", 3, 1.5)])
    assert int.from_bytes(data[-4:], "little") == masked_crc32c(data[12:-4])
    assert encode_record(data[12:-4]) == data


def test_runs_read_on_several_threads_give_the_same_points(real_fixtures, make_client, monkeypatch):
    monkeypatch.setattr(loader_module, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(loader_module, "CHUNK", 4096)
    client = make_client(real_fixtures / "tensorboardx/logdir")
    for run in ("run_a", "run_b"):
        rows = client.get("/data/plugin/scalars/scalars", params={"run": run, "tag": "loss"}).json()
        assert [r[1] for r in rows] == list(range(100))
    assert client.get("/data/status").json()["records"] == 624
