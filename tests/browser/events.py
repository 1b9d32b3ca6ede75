"""Write real event files for page tests: TFRecord framing from engine.io.tfrecord, Event protos from
engine.proto. ``ScalarEventFile`` appends while a test runs, so live-reload tests can grow a file the
server is already reading.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from engine.io.tfrecord import encode_record
from engine.proto import event_pb2


def scalar_event(tag: str, value: float, step: int, wall_time: float) -> bytes:
    event = event_pb2.Event(wall_time=wall_time, step=step)
    event.summary.value.add(tag=tag, simple_value=value)
    return event.SerializeToString()


def _version_event(wall_time: float) -> bytes:
    return event_pb2.Event(wall_time=wall_time, file_version="brain.Event:2").SerializeToString()


class ScalarEventFile:
    """An event file in ``run_dir`` (created), named like TensorFlow's; each call appends and flushes."""

    def __init__(self, run_dir: Path, start_time: float | None = None, suffix: str = ""):
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        self.start = time.time() if start_time is None else start_time
        self.path = run_dir / f"events.out.tfevents.{int(self.start)}.{socket.gethostname()}{suffix}"
        with open(self.path, "ab") as f:
            f.write(encode_record(_version_event(self.start)))

    def add(self, tag: str, points: list[tuple[int, float]], seconds_per_step: float = 1.0) -> None:
        """Append (step, value) points; wall time = start + step * seconds_per_step."""
        records = [
            encode_record(scalar_event(tag, value, step, self.start + step * seconds_per_step))
            for step, value in points
        ]
        with open(self.path, "ab") as f:
            f.write(b"".join(records))


def write_run(run_dir: Path, series: dict[str, list[tuple[int, float]]], start_time: float = 1.7e9) -> Path:
    """One event file holding every (tag -> points) series, one event per point, in step order."""
    events = ScalarEventFile(run_dir, start_time=start_time)
    for tag, points in series.items():
        events.add(tag, points)
    return events.path

