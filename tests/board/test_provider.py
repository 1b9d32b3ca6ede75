"""The provider API the pages use: dataclasses, snapshots, caps, graph kinds."""

from __future__ import annotations

import numpy as np
import pytest

from board.data.provider import LogdirProvider
from board.errors import NotFound
from tests.board.conftest import event_file, file_version_event, scalar_event, write_events


def test_snapshots_do_not_change_when_more_data_arrives(tmp_path):
    path = event_file(tmp_path / "r")
    write_events(path, [file_version_event()] + [scalar_event("loss", s, 1.0) for s in range(10)])
    provider = LogdirProvider(tmp_path, reload_interval=0)
    provider.reload()
    before = provider.scalar_series("r", "loss")
    write_events(path, [scalar_event("loss", s, 2.0) for s in range(10, 20)], mode="ab")
    provider.reload()
    after = provider.scalar_series("r", "loss")
    assert len(before) == 10 and before.steps.tolist() == list(range(10))
    assert len(after) == 20 and after.version > before.version
    assert before.steps.dtype == np.int64 and before.wall_times.dtype == np.float64
    assert before.values.dtype == np.float32


def test_unknown_names_raise_not_found(tmp_path):
    write_events(event_file(tmp_path / "r"), [file_version_event(), scalar_event("loss", 0, 1.0)])
    provider = LogdirProvider(tmp_path, reload_interval=0)
    for call in (lambda: provider.scalar_series("nope", "loss"), lambda: provider.scalar_series("r", "nope"),
                 lambda: provider.graph("r"), lambda: provider.graph("nope"),
                 lambda: provider.summary_entries("r", "loss", "histograms"),
                 lambda: provider.run_metadata("r", "x")):
        with pytest.raises(NotFound):
            call()
    assert provider.graph_kinds() == {}
    assert provider.graph_kinds("r") == {"r": []}


def test_cap_thins_older_points_and_keeps_the_newest(tmp_path):
    write_events(event_file(tmp_path / "r"), [file_version_event()]
                 + [scalar_event("loss", s, float(s)) for s in range(1000)])
    provider = LogdirProvider(tmp_path, reload_interval=0, max_points_per_series=300)
    provider.reload()
    series = provider.scalar_series("r", "loss")
    assert len(series) <= 300
    assert series.steps[-1] == 999 and series.steps[0] == 0
    assert np.all(np.diff(series.steps) > 0)


def test_runs_are_ordered_by_start_time_then_name(tmp_path):
    write_events(event_file(tmp_path / "b"), [file_version_event(100.0)])
    write_events(event_file(tmp_path / "a"), [file_version_event(200.0)])
    write_events(event_file(tmp_path / "c"), [file_version_event(100.0)])
    provider = LogdirProvider(tmp_path, reload_interval=0)
    assert provider.run_names() == ["b", "c", "a"]
    assert [r.start_time for r in provider.runs()] == [100.0, 100.0, 200.0]


def test_status_and_last_changed(tmp_path):
    write_events(event_file(tmp_path / "r"), [file_version_event(), scalar_event("loss", 0, 1.0)])
    provider = LogdirProvider(tmp_path, reload_interval=0)
    status = provider.reload()
    assert status.records == 2 and status.runs == 1 and status.files == 1 and not status.loading
    changed = provider.last_changed
    provider.reload()
    assert provider.last_changed == changed  # nothing new, nothing changed


def test_bench_generator_writes_what_protobuf_writes(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import eventgen

    from engine.io.tfrecord import read_records
    from engine.proto import event_pb2

    eventgen.generate(tmp_path, runs=1, tags=3, steps=300)
    path = next(tmp_path.rglob("events*"))
    records = list(read_records(path))
    assert len(records) == 1 + 3 * 300
    for record in records:
        assert event_pb2.Event.FromString(record).SerializeToString() == record
    provider = LogdirProvider(tmp_path, reload_interval=0)
    series = provider.scalar_series("run_00", "metrics/series_02")
    assert series.steps.tolist() == list(range(300))


def test_a_logdir_of_plain_scalars_is_read_without_protobuf(tmp_path):
    # importing protobuf and the engine package costs the server a tenth of a second at start-up
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    write_events(event_file(tmp_path / "r"), [file_version_event()] + [scalar_event("loss", s, 1.0)
                                                                        for s in range(10)])
    script = ("import sys; from board.data.provider import LogdirProvider; "
              "p = LogdirProvider(sys.argv[1], 0); p.reload(); "
              "print(len(p.scalar_series('r', 'loss')), p._loader.runs['r'].file_version, "
              "sorted(m for m in sys.modules if m.startswith(('engine', 'google.protobuf'))))")
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                         env=env, cwd=root, check=True, timeout=60).stdout
    assert out.split() == ["10", "2.0", "[]"]
