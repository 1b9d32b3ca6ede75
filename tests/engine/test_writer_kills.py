"""FileWriter under faults: SIGKILL loses at most ~1 s of events, SIGTERM none, a full disk no record.

Real child processes are killed with real signals; the disk-full case runs on a real 64 KiB tmpfs when
this process may mount one (root), and on a file object that fails half-way otherwise.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.io.tfrecord import read_records
from engine.proto import event_pb2
from engine.summary import FileWriter, builders

ROOT = Path(__file__).resolve().parents[2]

# The child adds one scalar event every 10 ms and reports each one after adding it.
_CHILD = """
import signal, sys, time
from engine.summary import FileWriter, builders
if sys.argv[2] == "handler":
    def handler(signum, frame):
        print("previous handler ran", flush=True)
        sys.exit(3)
    signal.signal(signal.SIGTERM, handler)
w = FileWriter(sys.argv[1], flush_secs=120)
step = 0
while True:
    w.add_summary(builders.scalar_summary("loss", float(step)).SerializeToString(), step)
    print(step, time.time(), flush=True)
    step += 1
    time.sleep(0.01)
"""


def _steps_in_file(logdir) -> list[int]:
    (path,) = Path(logdir).glob("events.out.tfevents.*")
    return [e.step for e in map(event_pb2.Event.FromString, read_records(path)) if e.HasField("summary")]


def _kill_after(tmp_path, seconds: float, sig: int, mode: str = "default"):
    """Runs the child for ``seconds``, sends ``sig``; returns (return code, {step: wall time} it reported)."""
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path), mode], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    with child:
        assert child.stdout.readline().split()[0] == "0"  # the writer is running
        time.sleep(seconds)
        child.send_signal(sig)
        out, _ = child.communicate(timeout=60)
    reported = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 2:
            reported[int(fields[0])] = float(fields[1])
    return child.returncode, reported, out


def test_sigkill_loses_at_most_the_last_second_of_events(tmp_path):
    code, reported, _ = _kill_after(tmp_path, 3.0, signal.SIGKILL)
    assert code == -signal.SIGKILL
    written = _steps_in_file(tmp_path)
    assert written == list(range(len(written)))  # a prefix, every record whole
    lost = [step for step in reported if step >= len(written)]
    assert len(written) > 100  # with flush_secs=120 the old writer had written none after 3 s
    if lost:
        newest = max(reported.values())
        # the writer pushes every second; allow the child's own scheduling a little slack
        assert newest - reported[min(lost)] <= 1.3, f"{len(lost)} events lost"
        assert len(lost) <= 130


def test_sigterm_loses_nothing_and_still_ends_the_process(tmp_path):
    code, reported, _ = _kill_after(tmp_path, 1.5, signal.SIGTERM)
    assert code == -signal.SIGTERM  # the default action still happened after the flush
    written = _steps_in_file(tmp_path)
    assert written == list(range(len(written)))
    assert len(written) >= max(reported) + 1  # every event the child added is in the file


def test_sigterm_flushes_then_runs_the_handler_installed_before(tmp_path):
    code, reported, out = _kill_after(tmp_path, 1.0, signal.SIGTERM, mode="handler")
    assert "previous handler ran" in out
    assert code == 3
    assert len(_steps_in_file(tmp_path)) >= max(reported) + 1


# -------------------------------------------------------------------------------------- disk full
@pytest.fixture
def small_disk(tmp_path):
    """A real 64 KiB tmpfs, unmounted afterwards; skipped where mounting is not allowed."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
                            capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def _assert_whole_records(path) -> int:
    """Every byte of the file belongs to a whole, CRC-checked record; returns their number."""
    records = list(read_records(path))
    assert sum(len(r) + 16 for r in records) == os.path.getsize(path)
    return len(records)


def test_disk_full_leaves_whole_records_and_writing_resumes_when_space_returns(small_disk):
    filler = small_disk / "filler"
    filler.write_bytes(bytes(40 * 1024))
    writer = FileWriter(small_disk / "run", flush_secs=120)
    path = writer.event_writer.path
    text = "x" * 3000  # ~3 KB per event: the disk fills after a few flushes
    error = None
    for step in range(200):
        writer.add_summary(builders.text_summary("t", text), step)
        if step % 3 == 2:
            try:
                writer.flush()
            except OSError as e:
                error = e
                break
    assert error is not None and "No space left on device" in str(error)
    kept = _assert_whole_records(path)
    # still full: the next write fails again and leaves the file as it was
    writer.add_summary(builders.text_summary("t", text * 5), 1000)
    with pytest.raises(OSError, match="No space left on device"):
        writer.flush()
    assert _assert_whole_records(path) == kept
    filler.unlink()
    writer.add_summary(builders.scalar_summary("after", 1.0), 2000)
    writer.close()
    events = [event_pb2.Event.FromString(r) for r in read_records(path)]
    assert _assert_whole_records(path) == kept + 1
    assert events[-1].step == 2000 and events[-1].summary.value[0].tag == "after"


def test_a_write_failing_half_way_is_cut_back_before_it_is_raised(tmp_path):
    writer = FileWriter(tmp_path)
    sink = writer.event_writer._sink
    real_file = sink.file

    class FailsHalfWay:
        """Writes half of what it is given, then fails as a full disk does."""

        def __init__(self):
            self.failed = False

        def write(self, data):
            if self.failed:
                return real_file.write(data)
            self.failed = True
            real_file.write(bytes(data[: len(data) // 2]))
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(real_file, name)

    sink.file = FailsHalfWay()
    writer.add_summary(builders.scalar_summary("lost", 1.0), 1)
    with pytest.raises(OSError, match="No space left on device"):
        writer.flush()
    writer.add_summary(builders.scalar_summary("kept", 2.0), 2)
    writer.close()
    events = [event_pb2.Event.FromString(r) for r in read_records(writer.event_writer.path)]
    assert [e.summary.value[0].tag for e in events[1:]] == ["kept"]
    assert _assert_whole_records(writer.event_writer.path) == 2
