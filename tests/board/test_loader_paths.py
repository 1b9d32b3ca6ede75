"""The loader's accelerator (board.data.scan, numpy) and its plain path (board.data.plain, one record
at a time through protobuf) load the same data from the same files: scalars to the bit, histograms,
metadata, graphs, purges, corrupt and truncated records, whatever the chunk size."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from board.data import loader as loader_module
from board.data import plain, scan
from board.data.loader import Loader
from engine.proto import event_pb2, summary_pb2
from tests.board.conftest import file_version_event, records, scalar_event, start_event
from tests.board.test_scan import events


def snapshot(loader: Loader) -> dict:
    """Everything a run holds, in comparable form (values as bytes, so NaN payloads count too)."""
    out = {}
    for run in loader.run_list():
        scalars = {}
        for tag, series in run.scalars.items():
            steps, walls, values = series.arrays()
            scalars[tag] = (steps.tolist(), walls.tolist(), values.dtype.str, values.tobytes())
        summaries = {tag: (i.plugin, i.display_name, i.description, i.plugin_content, i.steps.tolist(),
                           i.walls.tolist(), [run.summaries.paths[f] for f in i.files], i.offsets.tolist(),
                           i.lengths.tolist(), i.counts.tolist(), i.max_count)
                     for tag, i in run.summaries.tags.items()}
        out[run.name] = dict(
            scalars=scalars, summaries=summaries,
            tag_meta={tag: (m.plugin, m.display_name, m.description) for tag, m in run.tag_meta.items()},
            graph_def=run.graph_def, meta_graph_def=run.meta_graph_def, run_metadata=dict(run.run_metadata),
            start_time=run.start_time, file_version=run.file_version, most_recent_step=run.most_recent_step,
        )
    files = {path.name: (state.offset, state.records, sorted(state.corrupt_reported))
             for path, state in loader.files.items()}
    return {"runs": out, "files": files}


def _load_both(parts: list[bytes], chunk: int) -> tuple[dict, dict]:
    """Writes ``parts`` one after the other into one event file, reloading both loaders after each."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(loader_module, "CHUNK", chunk):
        path = Path(tmp) / "run" / "events.out.tfevents.1.test"
        path.parent.mkdir()
        fast, reference = Loader(Path(tmp)), Loader(Path(tmp), accelerated=False)
        for part in parts:
            with open(path, "ab") as f:
                f.write(part)
            fast.reload()
            reference.reload()
        return snapshot(fast), snapshot(reference)


@settings(max_examples=150, deadline=None)
@given(st.lists(events(), max_size=40), st.data())
def test_accelerated_and_plain_paths_load_the_same(event_list, data):
    raw = bytearray(records(event_list))
    if raw and data.draw(st.booleans()):  # one flipped byte somewhere
        raw[data.draw(st.integers(0, len(raw) - 1))] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.integers(0, len(raw)))  # the file grows in two appends
    chunk = data.draw(st.sampled_from([64, 300, 4096, 1 << 20]))
    fast, reference = _load_both([bytes(raw[:cut]), bytes(raw[cut:])], chunk)
    assert fast == reference


def test_a_long_scalar_log_with_restarts_and_histograms_loads_the_same():
    histogram = summary_pb2.Summary(value=[summary_pb2.Summary.Value(
        tag="h", histo=summary_pb2.HistogramProto(min=0, max=3, num=3, bucket_limit=[1, 3], bucket=[1, 2]))])
    event_list = [file_version_event()]
    for step in range(3000):
        event_list.append(scalar_event(f"t{step % 4}", step, step * 0.25))
        if step % 500 == 0:
            event_list.append(event_pb2.Event(wall_time=1.0 + step, step=step, summary=histogram))
        if step == 2000:
            event_list.append(start_event(1500))
    data = records(event_list)
    fast, reference = _load_both([data[:70_000], data[70_000:]], 1 << 16)
    assert fast == reference
    # t0 every 4th step: 375 points below step 1500 survive the restart, 249 come after it (2004..2996)
    assert len(fast["runs"]["run"]["scalars"]["t0"][0]) == 375 + 249


def test_the_plain_path_frames_as_the_scanner_does_around_a_corrupt_length():
    event_list = [scalar_event("a", s, 1.0) for s in range(20)]
    fourth = len(records(event_list[:3]))
    raw = bytearray(records(event_list))
    raw[fourth + 1] ^= 0x40  # the 4th record's length: it cannot be framed, framing resumes after it
    for size in (len(raw), len(raw) - 7):
        expected = scan.scan_chunk(bytes(raw) + bytes(16), size)
        found = plain.scan_chunk(bytes(raw), size)
        assert (found.consumed, found.record_count) == (expected.consumed, expected.record_count)
        reasons = [(c.offset, c.reason) for c in found.corrupt]
        assert reasons == [(c.offset, c.reason) for c in expected.corrupt]
        assert reasons[0] == (fourth, "the CRC of its length field does not match")
