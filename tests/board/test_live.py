"""Loading while training writes: appends, new runs, half-written records, corrupt records."""

from __future__ import annotations

import logging
import time

from tests.board.conftest import (
    event_file,
    file_version_event,
    records,
    reload,
    scalar_event,
    steps_of,
    write_events,
)


def test_appended_records_appear_after_the_next_reload(tmp_path, make_client):
    path = event_file(tmp_path / "run")
    write_events(path, [file_version_event()] + [scalar_event("loss", s, 1.0 / (s + 1)) for s in range(5)])
    client = make_client(tmp_path)
    assert steps_of(client, "run", "loss") == [0, 1, 2, 3, 4]
    write_events(path, [scalar_event("loss", s, 0.5) for s in range(5, 9)], mode="ab")
    assert steps_of(client, "run", "loss") == [0, 1, 2, 3, 4]  # not before the reload
    reload(client)
    assert steps_of(client, "run", "loss") == list(range(9))


def test_new_run_folder_appears(tmp_path, make_client):
    write_events(event_file(tmp_path / "a"), [file_version_event(), scalar_event("loss", 0, 1.0)])
    client = make_client(tmp_path)
    assert client.get("/data/runs").json() == ["a"]
    write_events(event_file(tmp_path / "b" / "deeper"), [file_version_event(), scalar_event("acc", 0, 0.5)])
    reload(client)
    assert client.get("/data/runs").json() == ["a", "b/deeper"]
    assert steps_of(client, "b/deeper", "acc") == [0]


def test_logdir_itself_is_run_dot_and_second_file_is_read(tmp_path, make_client):
    write_events(event_file(tmp_path, "events.out.tfevents.1.host"),
                 [file_version_event(), scalar_event("loss", 0, 1.0)])
    client = make_client(tmp_path)
    assert client.get("/data/runs").json() == ["."]
    write_events(event_file(tmp_path, "events.out.tfevents.2.host"),
                 [file_version_event(), scalar_event("loss", 1, 2.0)])
    reload(client)
    assert steps_of(client, ".", "loss") == [0, 1]


def test_half_a_record_then_the_rest_loses_nothing(tmp_path, make_client):
    path = event_file(tmp_path / "run")
    write_events(path, [file_version_event(), scalar_event("loss", 0, 1.0)])
    client = make_client(tmp_path)
    tail = records([scalar_event("loss", 1, 2.0), scalar_event("loss", 2, 3.0)])
    for cut in (1, 7, 12, 20, len(tail) // 2 + 3):  # inside the header, the data, the footer
        before = steps_of(client, "run", "loss")
        with open(path, "ab") as f:
            f.write(tail[:cut])
        reload(client)
        assert steps_of(client, "run", "loss") == before[:len(before)] + ([1] if cut > len(tail) // 2 else [])
        with open(path, "ab") as f:
            f.write(tail[cut:])
        reload(client)
        steps = steps_of(client, "run", "loss")
        assert steps[-2:] == [1, 2], (cut, steps)
    assert len(steps_of(client, "run", "loss")) == 11


def test_corrupt_record_is_skipped_and_logged_with_file_and_offset(tmp_path, make_client, caplog):
    path = event_file(tmp_path / "run")
    events = [file_version_event()] + [scalar_event("loss", s, float(s)) for s in range(6)]
    data = bytearray(records(events))
    # flip a byte inside the data of the record holding step 3
    offsets, pos = [], 0
    while pos < len(data):
        offsets.append(pos)
        pos += 16 + int.from_bytes(data[pos:pos + 8], "little")
    bad_offset = offsets[4]
    data[bad_offset + 12 + 5] ^= 0xFF
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="board"):
        client = make_client(tmp_path)
        assert steps_of(client, "run", "loss") == [0, 1, 2, 4, 5]
    messages = [r.getMessage() for r in caplog.records if "corrupt" in r.getMessage()]
    assert len(messages) == 1
    assert str(path) in messages[0] and f"byte {bad_offset}" in messages[0]
    # logged once, even though later passes go on reading the file
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="board"):
        write_events(path, [scalar_event("loss", 6, 6.0)], mode="ab")
        reload(client)
    assert steps_of(client, "run", "loss") == [0, 1, 2, 4, 5, 6]
    assert not [r for r in caplog.records if "corrupt" in r.getMessage()]


def test_corrupt_length_field_resumes_at_next_record(tmp_path, make_client, caplog):
    path = event_file(tmp_path / "run")
    events = [file_version_event()] + [scalar_event("loss", s, float(s)) for s in range(5)]
    data = bytearray(records(events))
    second = 16 + int.from_bytes(data[0:8], "little")
    data[second + 1] ^= 0x40  # the length of the record of step 0
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="board"):
        client = make_client(tmp_path)
        assert steps_of(client, "run", "loss") == [1, 2, 3, 4]
    assert any(f"byte {second}" in r.getMessage() for r in caplog.records)


def test_background_reload_picks_up_new_data(tmp_path):
    from fastapi.testclient import TestClient

    from board import create_app

    path = event_file(tmp_path / "run")
    write_events(path, [file_version_event(), scalar_event("loss", 0, 1.0)])
    with TestClient(create_app(tmp_path, reload_interval=0.05)) as client:
        assert client.app.state.provider.wait_loaded(5)
        write_events(path, [scalar_event("loss", 1, 2.0)], mode="ab")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and steps_of(client, "run", "loss") != [0, 1]:
            time.sleep(0.02)
        assert steps_of(client, "run", "loss") == [0, 1]
        status = client.get("/data/status").json()
        assert status["passes"] >= 2 and status["records"] == 3


def test_board_never_writes_into_the_logdir(real_fixtures, tmp_path, make_client):
    import shutil

    logdir = tmp_path / "copy"
    shutil.copytree(real_fixtures / "tensorboardx/logdir", logdir)
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in logdir.rglob("*")}
    client = make_client(logdir)
    for run in client.get("/data/runs").json():
        client.get("/data/plugin/scalars/tags")
        client.get("/data/plugin/graphs/info")
        client.get("/data/scalars/series", params={"run": run, "tag": "loss"})
    reload(client)
    after = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in logdir.rglob("*")}
    assert before == after


def test_a_file_of_garbage_is_skipped_without_flooding_the_log(tmp_path, make_client, caplog, monkeypatch):
    import numpy as np

    from board.data import loader as loader_module

    monkeypatch.setattr(loader_module, "CHUNK", 1 << 16)
    junk = np.random.default_rng(1).integers(0, 256, size=300_000, dtype=np.uint8).tobytes()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "events.out.tfevents.1.junk").write_bytes(junk)
    write_events(event_file(tmp_path / "good"), [file_version_event(), scalar_event("loss", 0, 1.0)])
    with caplog.at_level(logging.WARNING, logger="board"):
        client = make_client(tmp_path)
        assert steps_of(client, "good", "loss") == [0]
        assert "bad" not in client.get("/data/plugin/scalars/tags").json()
        assert client.get("/data/runs").json() == ["good"]  # garbage alone makes no run
        reload(client)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "not an event file" in warnings[0]  # one, across both passes



def test_corrupt_record_in_a_long_run_of_one_shape_is_logged_with_its_offset(tmp_path, make_client, caplog):
    # thousands of records of one length take the fast path (board.data.scan._scan_run)
    path = event_file(tmp_path / "run")
    events = [file_version_event()] + [scalar_event("loss", s, 0.5) for s in range(200, 3200)]
    data = bytearray(records(events))
    size = 16 + len(events[1].SerializeToString())
    bad_offset = len(records(events[:1])) + 1500 * size
    data[bad_offset + 12 + 3] ^= 0x01  # in the wall time of the record holding step 1700
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="board"):
        client = make_client(tmp_path)
        assert steps_of(client, "run", "loss") == [s for s in range(200, 3200) if s != 1700]
    messages = [r.getMessage() for r in caplog.records if "corrupt" in r.getMessage()]
    assert len(messages) == 1 and str(path) in messages[0] and f"byte {bad_offset}" in messages[0]
