"""Run and tag names holding bytes that are not UTF-8, in a logdir whose own path is not UTF-8:
served exactly (JSON escapes, %XX in URLs), shown as text, two names never merged, no 500."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from board import create_app
from engine.io.tfrecord import encode_record
from tests.board.conftest import file_version_event, scalar_event

RUN = os.fsdecode(b"run\xff")  # "run\udcff"
TAG_A = os.fsdecode(b"loss_\xff")  # the two tags differ only in a byte that is not UTF-8
TAG_B = os.fsdecode(b"loss_\xfe")


def _event_with_tag(raw_tag: bytes, step: int, value: float) -> bytes:
    placeholder = b"X" * len(raw_tag)  # protobuf refuses such a str: swap the bytes in after
    data = scalar_event(placeholder.decode(), step, value).SerializeToString()
    return encode_record(data.replace(placeholder, raw_tag))


def write_logdir(root: Path) -> Path:
    logdir = Path(os.fsdecode(os.fsencode(root) + b"/logs\xfe"))
    folder = logdir / RUN
    folder.mkdir(parents=True)
    data = encode_record(file_version_event().SerializeToString())
    for step in range(5):
        data += _event_with_tag(b"loss_\xff", step, 1.0) + _event_with_tag(b"loss_\xfe", step, 2.0)
    (folder / "events.out.tfevents.1.host").write_bytes(data)
    return logdir


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(write_logdir(tmp_path), reload_interval=0)) as client:
        client.app.state.provider.wait_loaded(10)
        yield client


def _get(client, target: str):
    response = client.get(target)
    assert response.status_code < 500, (target, response.text)
    return response


def test_names_are_served_exactly(client):
    assert _get(client, "/data/runs").json() == [RUN]
    assert b'"run\\udcff"' in _get(client, "/data/runs").content  # JSON escape, not U+FFFD
    tags = _get(client, "/data/plugin/scalars/tags").json()
    assert sorted(tags[RUN]) == sorted([TAG_A, TAG_B])  # two tags, not one merged series
    for raw, value in ((b"%FF", 1.0), (b"%FE", 2.0)):
        rows = _get(client, f"/data/plugin/scalars/scalars?run=run%FF&tag=loss_{raw.decode()}").json()
        assert [r[1] for r in rows] == [0, 1, 2, 3, 4] and {r[2] for r in rows} == {value}
        series = _get(client, f"/data/scalars/series?run=run%FF&tag=loss_{raw.decode()}").json()
        assert series["run"] == RUN and series["tag"] in (TAG_A, TAG_B) and series["values"][0] == value
    multi = _get(client, "/data/scalars/series_multi?tag=loss_%FF").json()
    assert [s["run"] for s in multi["series"]] == [RUN] and multi["tag"] == TAG_A
    posted = client.post("/data/plugin/scalars/scalars_multirun", content=b"tag=loss_%FE&runs=run%FF",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert posted.status_code == 200 and list(posted.json()) == [RUN]
    assert {r[2] for r in posted.json()[RUN]} == {2.0}


def test_a_name_sent_with_u_fffd_finds_the_one_it_stands_for(client):
    assert _get(client, "/data/scalars/series?run=run%EF%BF%BD&tag=loss_%FF").status_code == 200
    # ambiguous: both tags read "loss_\ufffd"
    response = _get(client, "/data/scalars/series?run=run%FF&tag=loss_%EF%BF%BD")
    assert response.status_code == 404 and "error" in response.json()


def test_the_logdir_path_and_pages(client):
    logdir = client.app.state.provider.logdir
    assert _get(client, "/data/logdir").json() == {"logdir": str(logdir)}
    assert _get(client, "/data/environment").json()["data_location"] == str(logdir)
    assert _get(client, "/data/status").json()["logdir"] == str(logdir)
    for page in ("/scalars", "/graphs", f"/scalars?tags={TAG_A[:4]}"):
        html = _get(client, page).text
        assert "logs\ufffd" in html and "\udcfe" not in html  # shown as text, with U+FFFD
    initial = _get(client, "/scalars").text.split('id="scalars-initial">')[1].split("</script>")[0]
    assert json.loads(initial)["runs"] == [RUN]


def test_every_route_answers_without_500(client):
    for route in client.app.openapi()["paths"]:
        for query in ("?run=run%FF&tag=loss_%FF", "?run=%FF%FE&tag=%C3", ""):
            _get(client, route + query)
