"""The bulk decoder agrees with protobuf, record for record, on whatever Events it is given."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board.data import loader as loader_module
from board.data.scan import scan_chunk
from engine.proto import event_pb2, summary_pb2
from tests.board.conftest import event_file, file_version_event, records, scalar_event, write_events
from tfformat.crc_tables import crc32c_ranges
from tfformat.records import encode_record, masked_crc32c

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
    # events the bulk path skipped (e.g. wall_time 0) must be in `other`, for protobuf; events with
    # only a wall time and a file_version are read without it
    other = {r for r, _, _ in scan.other} | {r for r, _, _ in scan.file_versions}
    for record, wall_time, text in scan.file_versions:
        assert (wall_time, text) == (event_list[record].wall_time, event_list[record].file_version)
        assert event_list[record].ListFields()[1:] == [(event_pb2.Event.DESCRIPTOR.fields_by_name[
            "file_version"], text)]
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


def test_real_logdir_read_in_small_chunks_gives_the_same_points(real_fixtures, make_client, monkeypatch):
    monkeypatch.setattr(loader_module, "CHUNK", 4096)
    client = make_client(real_fixtures / "tensorboardx/logdir")
    for run in ("run_a", "run_b"):
        rows = client.get("/data/plugin/scalars/scalars", params={"run": run, "tag": "loss"}).json()
        assert [r[1] for r in rows] == list(range(100))
    assert client.get("/data/status").json()["records"] == 624


# --- runs of same-shape records: the fast path must give exactly what the general path gives ----

# Record lengths depend on the tag's length plus the step's varint width (no step field for step
# 0), so these shapes all give records of one length but with different layouts.
SHAPES = [(7, st.just(0)), (6, st.integers(1, 127)), (5, st.integers(128, 16383)),
          (4, st.integers(16384, 2**21 - 1))]


@st.composite
def same_length_runs(draw):
    """Events of one record length: mostly one shape, some runs mixing shapes or tags."""
    shapes = draw(st.lists(st.sampled_from(range(len(SHAPES))), min_size=1, max_size=2, unique=True))
    names = {s: draw(st.lists(st.text("abc/_", min_size=SHAPES[s][0], max_size=SHAPES[s][0]),
                              min_size=1, max_size=3)) for s in shapes}
    events = []
    for _ in range(draw(st.integers(1, 60))):
        shape = draw(st.sampled_from(shapes))
        events.append(scalar_event(draw(st.sampled_from(names[shape])), draw(SHAPES[shape][1]),
                                   draw(FLOATS), wall_time=draw(st.floats(1, 2e9))))
    return events


def _scan(data: bytes, min_run: int, size: int | None = None):
    from unittest import mock

    from board.data import scan

    with mock.patch.object(scan, "_MIN_RUN", min_run):
        return scan_chunk(data + bytes(16), len(data) if size is None else size)


def _same_scans(fast, general):
    assert (fast.consumed, fast.record_count) == (general.consumed, general.record_count)
    assert fast.record.tolist() == general.record.tolist()
    assert fast.step.tolist() == general.step.tolist()
    assert fast.wall_time.tolist() == general.wall_time.tolist()
    assert fast.value.tobytes() == general.value.tobytes()  # NaN payloads included
    assert [fast.tags[t] for t in fast.tag_id] == [general.tags[t] for t in general.tag_id]
    assert fast.other.tolist() == general.other.tolist() and fast.file_versions == general.file_versions
    assert [(c.offset, c.reason) for c in fast.corrupt] == [(c.offset, c.reason) for c in general.corrupt]


@settings(max_examples=200, deadline=None)
@given(st.lists(same_length_runs(), min_size=1, max_size=3), st.booleans(), st.integers(0, 40))
def test_runs_of_one_length_decode_as_the_general_path_does(runs, version_first, cut):
    event_list = ([file_version_event()] if version_first else []) + [e for run in runs for e in run]
    data = records(event_list)
    size = max(len(data) - cut, 0)  # a truncated last record too, sometimes
    fast, general = _scan(data, 4, size), _scan(data, 10**9, size)
    _same_scans(fast, general)
    if size == len(data):
        assert fast.record_count == len(event_list)
        assert len(fast.step) + len(fast.file_versions) == len(event_list)


@settings(max_examples=200, deadline=None)
@given(same_length_runs(), st.data())
def test_a_corrupt_byte_in_a_run_is_found_as_by_the_general_path(event_list, data):
    raw = bytearray(records(event_list))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    fast, general = _scan(bytes(raw), 4), _scan(bytes(raw), 10**9)
    assert fast.corrupt, "a flipped byte must be reported"
    _same_scans(fast, general)


def test_a_long_run_takes_the_fast_path():
    from board.data import scan

    event_list = [file_version_event()] + [scalar_event(f"t{s % 3}", s, s * 0.5) for s in range(200, 2200)]
    data = records(event_list) + bytes(16)
    buffer = np.frombuffer(data, dtype=np.uint8)
    run = scan._find_run(buffer, 0, len(data) - 16)
    assert run == (len(records(event_list[:1])), 2000, len(event_list[1].SerializeToString()))
    assert scan._scan_run(buffer, *run) is not None
    _same_scans(scan_chunk(data, len(data) - 16), _scan(data[:-16], 10**9))
