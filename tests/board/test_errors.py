"""One error shape: JSON {"error": ...} with 404 for unknown names, 400 for bad parameters."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.board.conftest import event_file, file_version_event, scalar_event, write_events


@pytest.fixture(scope="module")
def client(tmp_path_factory, real_fixtures):
    from fastapi.testclient import TestClient

    from board import create_app

    return TestClient(create_app(real_fixtures / "torch_tb/logdir", reload_interval=0))


@pytest.mark.parametrize("url, status, words", [
    ("/data/plugin/scalars/scalars?run=nope&tag=loss", 404, ["nope"]),
    ("/data/plugin/scalars/scalars?run=.&tag=nope", 404, ["nope"]),
    ("/data/plugin/scalars/scalars?run=../../etc&tag=passwd", 404, ["../../etc"]),
    ("/data/plugin/scalars/scalars?tag=loss", 400, ["run"]),
    ("/data/plugin/scalars/scalars?run=.", 400, ["tag"]),
    ("/data/plugin/scalars/scalars?run=.&tag=loss&format=xml", 400, ["format"]),
    ("/data/plugin/graphs/graph", 400, ["run"]),
    ("/data/plugin/graphs/graph?run=nope", 404, ["nope"]),
    ("/data/plugin/graphs/graph?run=.&tag=nope", 404, ["nope"]),
    ("/data/plugin/graphs/graph?run=.&limit_attr_size=abc", 400, ["limit_attr_size"]),
    ("/data/plugin/graphs/graph?run=.&limit_attr_size=0", 400, ["limit_attr_size"]),
    ("/data/plugin/graphs/run_metadata?run=.", 400, ["tag"]),
    ("/data/scalars/series?run=.&tag=loss&points=1", 400, ["points"]),
    ("/data/scalars/series?run=.&tag=loss&points=many", 400, ["points"]),
    ("/data/scalars/series?run=.&tag=loss&xmin=5&xmax=1", 400, ["xmin"]),
    ("/data/scalars/series?run=.&tag=loss&xmin=nan", 400, ["xmin"]),
    ("/data/scalars/series?run=.&tag=loss&x=epoch", 400, ["x"]),
    ("/data/no/such/route", 404, ["/data/no/such/route"]),
])
def test_error_shape(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str)
    for word in words:
        assert word in body["error"]


def test_multirun_needs_one_tag(client):
    response = client.post("/data/plugin/scalars/scalars_multirun", data={"runs": ["."]})
    assert response.status_code == 400 and "tag" in response.json()["error"]


def test_multirun_leaves_out_unknown_runs(client):
    response = client.post("/data/plugin/scalars/scalars_multirun", data={"tag": "loss", "runs": [".", "zz"]})
    assert response.status_code == 200
    assert list(response.json()) == ["."] and len(response.json()["."]) == 100


def test_unexpected_errors_are_json_without_traceback(tmp_path):
    from fastapi.testclient import TestClient

    from board import create_app

    app = create_app(tmp_path, reload_interval=0)

    def broken():
        raise RuntimeError("secret internals")

    app.state.provider.run_names = broken
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/data/runs")
    assert response.status_code == 500
    assert response.json() == {"error": "internal error: the server log has the details"}
    assert "secret" not in response.text and "Traceback" not in response.text


def test_openapi_stays_available_without_a_cdn_page(client):
    # /docs loaded Swagger UI from a CDN (blank offline): removed; the schema stays
    assert client.get("/docs").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert "/data/plugin/scalars/scalars" in paths and "/data/scalars/series" in paths


TEXT = st.text(alphabet=string.printable + "é/.\\%\0", max_size=20)
QUERY_VALUE = st.one_of(TEXT, st.integers(-10**20, 10**20).map(str), st.floats().map(str),
                        st.sampled_from([".", "loss", "step1", "csv", "step", "wall_time", "true", ""]))
ROUTES = [
    "/data/runs", "/data/plugins_listing", "/data/environment", "/data/logdir", "/data/status",
    "/data/plugin/scalars/tags", "/data/plugin/scalars/scalars", "/data/plugin/graphs/info",
    "/data/plugin/graphs/graph", "/data/plugin/graphs/run_metadata", "/data/scalars/series",
    "/data/scalars/series_multi",
]
PARAMS = ["run", "tag", "format", "points", "xmin", "xmax", "x", "limit_attr_size", "large_attrs_key",
          "conceptual", "runs"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES),
       params=st.lists(st.tuples(st.sampled_from(PARAMS), QUERY_VALUE), max_size=6))
def test_fuzzed_queries_never_give_500(client, route, params):
    response = client.get(route, params=params)
    assert response.status_code in (200, 400, 404), (route, params, response.text)
    if response.status_code != 200:
        assert set(response.json()) == {"error"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=80))
def test_fuzzed_multirun_bodies_never_give_500(client, body):
    response = client.post("/data/plugin/scalars/scalars_multirun", content=body,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code in (200, 400), response.text


def test_run_names_are_never_paths(tmp_path, make_client):
    secret = tmp_path / "outside" / "run"
    write_events(event_file(secret), [file_version_event(), scalar_event("loss", 0, 1.0)])
    logdir = tmp_path / "logdir"
    write_events(event_file(logdir / "a"), [file_version_event(), scalar_event("loss", 0, 1.0)])
    client = make_client(logdir)
    for run in ("../outside/run", str(secret), "a/../../outside/run", "/etc"):
        response = client.get("/data/plugin/scalars/scalars", params={"run": run, "tag": "loss"})
        assert response.status_code == 404


def test_multirun_accepts_multipart_forms(client):
    response = client.post("/data/plugin/scalars/scalars_multirun",
                           files=[("tag", (None, "loss")), ("runs", (None, ".")), ("runs", (None, "x"))])
    assert response.status_code == 200, response.text
    assert list(response.json()) == ["."] and len(response.json()["."]) == 100
