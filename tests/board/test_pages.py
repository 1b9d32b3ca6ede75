"""HTML page routes: which template renders, with what context (not the markup itself)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount

from board import create_app
from tests.board.conftest import event_file, file_version_event, scalar_event, write_events


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(str(tmp_path), reload_interval=3)) as client:
        client.logdir = str(tmp_path)
        yield client


def test_root_redirects_to_scalars_keeping_the_query(client):
    response = client.get("/?smoothing=0.9&x=wall", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/scalars?smoothing=0.9&x=wall"


def test_scalars_page_template_and_context(client):
    response = client.get("/scalars")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.template.name == "scalars.html"
    context = response.context
    assert context["page"] == "scalars"
    assert context["logdir"] == client.logdir
    assert context["reload_interval"] == 3
    assert context["static_url"] == "/static"


def test_empty_state_code_writes_into_the_watched_logdir(client):
    code = client.get("/scalars").context["code_example"]
    assert f"tf.summary.FileWriter({client.logdir!r}, sess.graph)" in code["graph"]
    assert "tf.summary.scalar(" in code["graph"] and "add_summary(" in code["graph"]
    assert f"SummaryWriter({client.logdir!r})" in code["eager"] and "add_scalar(" in code["eager"]


def test_base_layout_links_both_dashboards_and_loads_page_assets(client):
    html = client.get("/scalars").text
    assert 'href="/scalars"' in html and 'href="/graphs"' in html
    assert 'aria-current="page" data-dashboard="scalars"' in html
    assert "/static/vendor/uPlot.min.css" in html and "/static/bundle/scalars/main.js" in html
    assert 'data-reload-interval="3.0"' in html


def test_logdir_is_escaped_in_the_page(tmp_path):
    odd = tmp_path / "<b>runs&co"
    odd.mkdir()
    with TestClient(create_app(str(odd), reload_interval=0)) as client:
        html = client.get("/scalars").text
    assert "<b>runs" not in html
    assert "&lt;b&gt;runs&amp;co" in html


ASSETS = ["/static/bundle/scalars/main.js", "/static/bundle/graph/main.js", "/static/css/base.css",
          "/static/css/scalars.css"]


@pytest.mark.parametrize("path", ASSETS)
def test_page_assets_are_served(client, path):
    assert client.get(path).status_code == 200


# ---- the scalars page carries its first data (board/routes/pages.py) ----

def _scalar_logdir(root):
    for run, tags in {"run_b": ["loss", "metrics/acc10", "metrics/acc9"], "run_a": ["Zeta", "loss"]}.items():
        events = [file_version_event()]
        events += [scalar_event(tag, step, 1.0 / (step + 1)) for step in range(50) for tag in tags]
        write_events(event_file(root / run), events)
    return root


@pytest.fixture
def scalar_client(tmp_path):
    with TestClient(create_app(str(_scalar_logdir(tmp_path)), reload_interval=0)) as client:
        client.app.state.provider.wait_loaded(30)
        yield client


def test_scalars_page_carries_runs_tags_and_status_in_the_routes_shapes(scalar_client):
    initial = scalar_client.get("/scalars").context["initial"]
    assert initial["runs"] == scalar_client.get("/data/runs").json()
    assert initial["index"] == scalar_client.get("/data/scalars/index").json()
    status = scalar_client.get("/data/status").json()
    assert initial["status"]["last_changed"] == status["last_changed"]
    assert set(initial["status"]) == set(status)


def test_scalars_index_lists_runs_and_tags_in_the_pages_order(scalar_client):
    index = scalar_client.get("/data/scalars/index").json()
    assert index["runs"] == ["run_a", "run_b"]
    # groups "loss" < "metrics" < "Zeta" (case-insensitive), digits compare as numbers
    assert index["tags"] == ["loss", "metrics/acc9", "metrics/acc10", "Zeta"]
    assert index["runTags"] == {"run_a": ["loss", "Zeta"], "run_b": ["loss", "metrics/acc9", "metrics/acc10"]}


def test_smoothing_bounds_reach_the_page_from_the_server(scalar_client):
    html = scalar_client.get("/scalars").text
    assert 'max="0.999"' in html and 'value="0.6" data-setting="smoothing"' in html


def test_first_series_is_the_top_left_card_at_the_urls_smoothing(scalar_client):
    first = scalar_client.get("/scalars").context["initial"]["firstSeries"]
    assert first["tag"] == "loss" and first["smoothing"] == 0.6  # groups "loss" < "metrics" < "Zeta"
    first = scalar_client.get("/scalars?tags=^metr&smoothing=0.95").context["initial"]["firstSeries"]
    assert first["tag"] == "metrics/acc9" and first["smoothing"] == 0.95  # numbers compare as numbers
    assert scalar_client.get("/scalars?tags=nothing").context["initial"]["firstSeries"] is None
    first = scalar_client.get("/scalars?tags=(&smoothing=2").context["initial"]["firstSeries"]
    assert first["tag"] == "loss" and first["smoothing"] == 0.999  # invalid regex: every card


def test_first_series_holds_the_runs_the_page_selects_first(tmp_path):
    for i in range(45):  # more than the 40 runs selected by default
        write_events(event_file(tmp_path / f"run{i}"), [file_version_event(), scalar_event("loss", 0, 1.0)])
    with TestClient(create_app(str(tmp_path), reload_interval=0)) as client:
        client.app.state.provider.wait_loaded(30)
        first = client.get("/scalars").context["initial"]["firstSeries"]
        assert first["runs"] == [f"run{i}" for i in range(40)]  # in the page's order: run2 < run10
        assert first["points"] == 200  # 40 runs share the budget of eight full ones
        first = client.get("/scalars?run=run44&run=run3").context["initial"]["firstSeries"]
        assert first["runs"] == ["run3", "run44"]
        html = client.get("/scalars?run=run7").text
        assert html.count('"run":"run7"') == 1 and '"run":"run8"' not in html
        assert client.get("/scalars?run=").context["initial"]["firstSeries"] is None  # none selected


def test_page_holds_the_first_series_as_the_series_route_answers_it(scalar_client):
    response = scalar_client.get("/scalars?smoothing=0.8")
    first = response.context["initial"]["firstSeries"]
    html = response.text
    start = html.index('<script type="application/json" id="scalars-first-series">')
    embedded = html[html.index(">", start) + 1:html.index("</script>", start)]
    assert json.loads(embedded) == scalar_client.get(first["url"]).json()
    assert json.loads(embedded)["series"][0]["smoothed"]


# ---- /static (board/static_files.py) ----

def test_static_files_have_validators_and_answer_304(client):
    response = client.get("/static/js/scalars/main.js")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"] and response.headers["last-modified"]
    assert response.headers["content-type"].startswith("text/javascript")
    again = client.get("/static/js/scalars/main.js", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_edited_static_file_is_served_fresh(tmp_path):
    from board.static_files import CachedStaticFiles

    (tmp_path / "a.js").write_text("one")
    app = Starlette(routes=[Mount("/static", CachedStaticFiles(directory=str(tmp_path)))])
    with TestClient(app) as static:
        first = static.get("/static/a.js")
        assert first.text == "one"
        (tmp_path / "a.js").write_text("two!")
        second = static.get("/static/a.js")
        assert second.text == "two!" and second.headers["etag"] != first.headers["etag"]
        assert static.get("/static/../a.js").status_code == 404
        assert static.get("/static/missing.js").status_code == 404


def test_time_series_page_is_the_first_tab_and_loads_its_bundle(client):
    response = client.get("/time-series")
    assert response.status_code == 200
    assert response.template.name == "time_series.html"
    html = response.text
    assert 'aria-current="page" data-dashboard="time_series"' in html
    assert html.index('data-dashboard="time_series"') < html.index('data-dashboard="scalars"')
    assert "/static/bundle/time_series/main.js" in html and "/static/css/dashboards.css" in html
    # the scalar cards' template and the histogram/image settings the reused cards read
    assert 'id="scalar-card-template"' in html
    assert 'data-setting="mode"' in html and 'data-setting="brightness"' in html


def test_scalars_index_computes_each_tags_sort_key_once(monkeypatch):
    # A sweep's runs share a few tags: their keys (regex splits) are computed once per tag, not per
    # run, so a thousand runs do not delay the page's first byte.
    from board.routes import scalars

    calls: list[str] = []
    real = scalars.tag_key
    monkeypatch.setattr(scalars, "tag_key", lambda tag: calls.append(tag) or real(tag))

    class Provider:
        def scalar_tags(self):
            tags = {"loss": None, "metrics/acc10": None, "metrics/acc9": None}
            return {f"run_{i}": tags for i in range(300)}

    index = scalars.scalars_index(Provider())
    assert sorted(calls) == ["loss", "metrics/acc10", "metrics/acc9"]
    assert index["tags"] == ["loss", "metrics/acc9", "metrics/acc10"]
    assert index["runs"][:3] == ["run_0", "run_1", "run_2"] and len(index["runs"]) == 300
    assert index["runTags"]["run_299"] == index["tags"]
