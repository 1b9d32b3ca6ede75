"""Helpers for board tests: write real event files with our own protobufs and TFRecord writer."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from board import create_app
from engine.io.tfrecord import encode_record
from engine.proto import event_pb2, summary_pb2

WALL0 = 1_700_000_000.0


def file_version_event(wall_time: float = WALL0) -> event_pb2.Event:
    return event_pb2.Event(wall_time=wall_time, file_version="brain.Event:2")


def scalar_event(tag: str, step: int, value: float, wall_time: float | None = None) -> event_pb2.Event:
    return event_pb2.Event(
        wall_time=WALL0 + step if wall_time is None else wall_time,
        step=step,
        summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]),
    )


def start_event(step: int, wall_time: float | None = None) -> event_pb2.Event:
    return event_pb2.Event(wall_time=WALL0 + step if wall_time is None else wall_time, step=step,
                           session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START))


def records(events) -> bytes:
    return b"".join(encode_record(e.SerializeToString()) for e in events)


def write_events(path: Path, events, mode: str = "wb") -> bytes:
    """Writes (or appends) framed events; returns the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = records(events)
    with open(path, mode) as f:
        f.write(data)
    return data


def event_file(folder: Path, name: str = "events.out.tfevents.1700000000.test") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def series(client: TestClient, run: str, tag: str) -> list[list]:
    response = client.get("/data/plugin/scalars/scalars", params={"run": run, "tag": tag})
    assert response.status_code == 200, response.text
    return response.json()


def steps_of(client: TestClient, run: str, tag: str) -> list[int]:
    return [row[1] for row in series(client, run, tag)]


@pytest.fixture
def make_client():
    """make_client(logdir, **create_app kwargs) -> TestClient without lifespan (reload by hand)."""

    def make(logdir, **kwargs):
        kwargs.setdefault("reload_interval", 0)
        return TestClient(create_app(logdir, **kwargs))

    return make


def reload(client: TestClient) -> None:
    client.app.state.provider.reload()


def f32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]
