"""Layouts the graph page posts and the next page takes (board/graph_layouts.py, issue 24): the real
app through TestClient on real TF event files."""

from __future__ import annotations

import gc
import shutil

import pytest
from fastapi.testclient import TestClient

from board import create_app, graph_layouts

from ..conftest import REAL_FIXTURES

URL = "/data/graph/layouts"


def layout(key: str = "0|90x26,120x26", **extra) -> dict:
    return {"key": key, "width": 240.5, "height": 80, "nodes": {"1": [0, 0], "2": [120.5, 54]},
            "edges": {"0": {"points": [[45, 26], [45, 40], [180, 54]], "label": None},
                      "3": {"points": [[1, 2], [3, 4]], "label": [2, 3]}}, **extra}


@pytest.fixture
def client(tmp_path):
    for run, folder in [("dense", "tf1_graph_v1_behavior/logs"), ("const", "tf1_graph_const/named")]:
        shutil.copytree(REAL_FIXTURES / folder, tmp_path / run)
    with TestClient(create_app(str(tmp_path), reload_interval=0)) as client:
        assert client.app.state.provider.wait_loaded(30)
        yield client


def test_posted_layout_is_served_for_that_graph_only(client):
    assert client.get(URL, params={"run": "dense"}).json() == {"layouts": []}
    posted = layout(ms=812, extra_field="dropped")
    answer = client.post(URL, params={"run": "dense", "kind": "graph_def"}, json=posted)
    assert answer.status_code == 200 and answer.json() == {"layouts": 1}
    served = client.get(URL, params={"run": "dense"}).json()["layouts"]
    assert served == [{k: v for k, v in layout().items()} | {"width": 240.5, "height": 80.0}]
    assert client.get(URL, params={"run": "const"}).json() == {"layouts": []}
    # the same key again replaces it
    client.post(URL, params={"run": "dense"}, json=layout(width=10))
    assert [x["width"] for x in client.get(URL, params={"run": "dense"}).json()["layouts"]] == [10.0]


def test_layouts_per_graph_are_bounded(client):
    for i in range(graph_layouts.MAX_PER_GRAPH + 3):
        client.post(URL, params={"run": "dense"}, json=layout(key=f"{i}|1x1"))
    keys = [x["key"] for x in client.get(URL, params={"run": "dense"}).json()["layouts"]]
    assert keys == [f"{i}|1x1" for i in range(3, graph_layouts.MAX_PER_GRAPH + 3)]


def test_layouts_go_with_the_graph_they_were_made_for(client, tmp_path):
    client.post(URL, params={"run": "dense"}, json=layout())
    # The run's graph changes: a later event file holds another graph (the const fixture's).
    later = next((REAL_FIXTURES / "tf1_graph_const/named").glob("events.out.tfevents.*"))
    (tmp_path / "dense" / "events.out.tfevents.9999999999.later").write_bytes(later.read_bytes())
    before = client.get("/data/graph/hierarchy", params={"run": "dense"}).content
    client.app.state.provider.reload()
    assert client.get("/data/graph/hierarchy", params={"run": "dense"}).content != before
    assert client.get(URL, params={"run": "dense"}).json() == {"layouts": []}
    gc.collect()
    assert len(client.app.state.graph_layout_store) == 0  # the old graph's went with it


@pytest.mark.parametrize("body, status, needle", [
    (b"not json", 400, "not JSON"),
    (b"[" * 200_000 + b"]" * 200_000, 400, "not JSON"),
    (b"[1, 2]", 400, "expected a JSON object"),
    (b'{"key": "", "width": 1, "height": 1, "nodes": {}, "edges": {}}', 400, "'key'"),
    (b'{"key": "k", "width": NaN, "height": 1, "nodes": {}, "edges": {}}', 400, "'width'"),
    (b'{"key": "k", "width": true, "height": 1, "nodes": {}, "edges": {}}', 400, "'width'"),
    (b'{"key": "k", "width": 1, "height": 1, "nodes": {"1": [0]}, "edges": {}}', 400, "node '1'"),
    (b'{"key": "k", "width": 1, "height": 1, "nodes": {}, "edges": {"2": {"points": 3}}}', 400, "edge '2'"),
    (b'{"key": "k", "width": 1, "height": 1, "nodes": {}, "edges": {"2": {"points": [], "label": "x"}}}',
     400, "label of edge '2'"),
    (b'{"key": "' + b"x" * (graph_layouts.MAX_BODY + 1) + b'"}', 413, "over"),
])
def test_bad_layouts_are_refused(client, body, status, needle):
    answer = client.post(URL, params={"run": "dense"}, content=body,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == status
    assert needle in answer.json()["error"]
    assert client.get(URL, params={"run": "dense"}).json() == {"layouts": []}


def test_unknown_graph_or_missing_run(client):
    assert client.post(URL, params={"run": "nope"}, json=layout()).status_code == 404
    assert client.get(URL, params={"run": "dense", "kind": "bogus"}).status_code == 404
    assert "'run'" in client.get(URL).json()["error"]


@pytest.mark.parametrize("media_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                        "multipart/form-data"])
def test_layouts_come_as_json_only(client, media_type):
    """Another site's page may POST these types to a local board without a CORS preflight: refused."""
    headers = {} if media_type is None else {"Content-Type": media_type}
    body = b'{"key": "k|1x1", "width": 1, "height": 1, "nodes": {}, "edges": {}}'
    answer = client.post(URL, params={"run": "dense"}, content=body, headers=headers)
    assert answer.status_code == 415
    assert "application/json" in answer.json()["error"]
    assert client.get(URL, params={"run": "dense"}).json() == {"layouts": []}
