"""HTML page routes: which template renders, with what context (not the markup itself)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from board import create_app


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
    assert "/static/vendor/uPlot.iife.min.js" in html and "/static/js/scalars/main.js" in html
    assert 'data-reload-interval="3.0"' in html


def test_logdir_is_escaped_in_the_page(tmp_path):
    odd = tmp_path / "<b>runs&co"
    odd.mkdir()
    with TestClient(create_app(str(odd), reload_interval=0)) as client:
        html = client.get("/scalars").text
    assert "<b>runs" not in html
    assert "&lt;b&gt;runs&amp;co" in html


ASSETS = ["/static/js/scalars/main.js", "/static/css/base.css", "/static/css/scalars.css"]


@pytest.mark.parametrize("path", ASSETS)
def test_page_assets_are_served(client, path):
    assert client.get(path).status_code == 200
