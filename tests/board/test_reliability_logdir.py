"""Damaged and changing logdirs: garbage files, deleted runs, folders board may not list."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from board.data.provider import LogdirProvider
from board.data.sniff import Verdict, sniff_bytes
from tests.board.conftest import event_file, file_version_event, records, scalar_event, write_events

ROOT = Path(__file__).resolve().parents[2]


def _healthy(folder: Path, steps: int = 1000) -> None:
    write_events(event_file(folder), [file_version_event()] +
                 [scalar_event("loss", s, s * 0.5) for s in range(steps)])


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_sniff_tells_records_from_garbage():
    data = records([file_version_event(), scalar_event("loss", 1, 1.0)])
    assert sniff_bytes(data) is Verdict.RECORDS
    assert sniff_bytes(b"\xff" + data[1:]) is Verdict.RECORDS  # a damaged first header: the next one counts
    assert sniff_bytes(bytes(100_000)) is Verdict.GARBAGE
    assert sniff_bytes(b"PK\x03\x04" + os.urandom(70_000)) is Verdict.GARBAGE
    assert sniff_bytes(data[:11]) is Verdict.UNDECIDED  # a writer may be about to finish the header


def test_a_1gib_sparse_garbage_file_delays_nothing(tmp_path, caplog):
    garbage = tmp_path / "junk" / "events.out.tfevents.x"
    garbage.parent.mkdir()
    with open(garbage, "wb") as file:
        file.truncate(2**30)  # sparse: a GiB of zeros that takes no disk
    mixed = tmp_path / "mixed"  # a run holding a garbage file beside a real one
    _healthy(mixed)
    with open(mixed / "events.out.tfevents.zz", "wb") as file:
        file.truncate(2**20)
    _healthy(tmp_path / "healthy")
    provider = LogdirProvider(tmp_path, reload_interval=0)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="board"):
        provider.reload()
        seconds = time.monotonic() - began
        provider.reload()  # a second pass warns no more
    assert seconds < 2.0, seconds
    assert provider.run_names() == ["healthy", "mixed"]  # "junk" held only garbage: no run
    assert len(provider.scalar_series("healthy", "loss")) == 1000
    assert len(provider.scalar_series("mixed", "loss")) == 1000
    warnings = _warnings(caplog)
    assert len(warnings) == 2 and all("not an event file" in w for w in warnings), warnings
    status = provider.status()
    assert status.pending_bytes == 0 and status.bytes < 2**20


def test_pending_bytes_clear_after_a_pass_with_an_incomplete_record(tmp_path):
    path = event_file(tmp_path / "run")
    data = write_events(path, [file_version_event(), scalar_event("loss", 1, 1.0)])
    with open(path, "ab") as file:
        file.write(data[len(data) // 2:])  # half a record: waits for the writer
    provider = LogdirProvider(tmp_path, reload_interval=0)
    assert provider.reload().pending_bytes == 0


def test_deleted_runs_leave_the_listing(tmp_path):
    _healthy(tmp_path / "a", 10)
    _healthy(tmp_path / "b", 10)
    provider = LogdirProvider(tmp_path, reload_interval=0)
    provider.reload()
    assert provider.run_names() == ["a", "b"]
    changed = provider.last_changed
    shutil.rmtree(tmp_path / "b")
    provider.reload()
    assert provider.run_names() == ["a"]
    assert provider.last_changed > changed  # pages polling /data/status refetch
    _healthy(tmp_path / "b", 5)  # made again: read afresh, not appended to the old data
    provider.reload()
    assert provider.run_names() == ["a", "b"] and len(provider.scalar_series("b", "loss")) == 5


UNLISTABLE = """
import logging, sys
from board.data.provider import LogdirProvider
logging.basicConfig(level=logging.WARNING, format="%(message)s")
provider = LogdirProvider(sys.argv[1], reload_interval=0)
provider.reload(); provider.reload()
print(provider.run_names())
"""


def test_an_unlistable_folder_is_warned_about_once(tmp_path):
    _healthy(tmp_path / "ok", 3)
    _healthy(tmp_path / "locked" / "run", 3)
    (tmp_path / "locked").chmod(0o000)
    # root lists any folder: as root, the check runs without the capabilities that allow it
    drop = "-dac_override,-dac_read_search"
    prefix = (["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}"]
              if os.geteuid() == 0 and shutil.which("setpriv") else [])
    if os.geteuid() == 0 and not prefix:
        pytest.skip("running as root without setpriv: every folder is listable")
    try:
        result = subprocess.run([*prefix, sys.executable, "-c", UNLISTABLE, str(tmp_path)],
                                capture_output=True, text=True, timeout=60, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['ok']"
    lines = [line for line in result.stderr.splitlines() if "locked" in line]
    assert len(lines) == 1 and "cannot list" in lines[0] and "ermission denied" in lines[0], result.stderr


@pytest.mark.parametrize("where", ["first header", "middle"])
def test_a_flipped_byte_loses_only_its_record(tmp_path, where):
    path = event_file(tmp_path / "run")
    data = bytearray(write_events(path, [file_version_event()] +
                                  [scalar_event("loss", s, 1.0) for s in range(100)]))
    data[2 if where == "first header" else len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
    provider = LogdirProvider(tmp_path, reload_interval=0)
    provider.reload()
    assert len(provider.scalar_series("run", "loss")) >= 99
