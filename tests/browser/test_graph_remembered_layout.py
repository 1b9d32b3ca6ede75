"""Remembered layouts in real headless Chromium (issue 24): a first page lays out the graph with
elkjs and gives the server its first view's layout; a fresh browser then draws the same view from it,
without laying anything out, and lays out only what the user opens."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from ..conftest import REAL_FIXTURES
from .test_graph_page import assert_no_overlaps, expand, node, open_graph

pytestmark = pytest.mark.browser

POSITIONS = """() => window.board.scene.nodes.map((n) => [n.id, Math.round(n.x * 100), Math.round(n.y * 100),
    Math.round(n.w), Math.round(n.h)])"""
EDGES = "() => [...document.querySelectorAll('.g-edge path')].map((p) => p.getAttribute('d')).sort()"
LAYOUTS = """() => [...window.board.layouter.cache.values()].map((r) => [r.key, !!r.remembered])"""


def remembered(server, wait: bool = False) -> list:
    """The layouts the server remembers for the run "." (waiting up to 10 s for some with `wait`)."""
    deadline = time.monotonic() + 10
    while True:
        with urllib.request.urlopen(f"{server.url}/data/graph/layouts?run=.") as answer:
            layouts = json.loads(answer.read())["layouts"]
        if layouts or not wait or time.monotonic() > deadline:
            return layouts
        time.sleep(0.05)


def test_fresh_browser_draws_the_remembered_layout(board_server, page, browser, console, screenshot):
    server = board_server(REAL_FIXTURES / "tf1_mlp" / "logs")
    assert remembered(server) == []
    open_graph(page, server)
    first_positions, first_edges = page.evaluate(POSITIONS), page.evaluate(EDGES)
    assert page.evaluate(LAYOUTS) and not any(flag for _, flag in page.evaluate(LAYOUTS))
    layouts = remembered(server, wait=True)
    assert [x["key"] for x in layouts] == [key for key, _ in page.evaluate(LAYOUTS)]

    for width in (1280, 800):
        context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=1)
        fresh = context.new_page()
        console.attach(fresh)
        open_graph(fresh, server)
        # the first view came from the server: nothing laid out here, the same boxes and edges
        assert fresh.evaluate(LAYOUTS) == [[layouts[0]["key"], True]]
        assert fresh.evaluate("() => window.board.layouter.computed.size") == 0
        assert fresh.evaluate(POSITIONS) == first_positions
        assert fresh.evaluate(EDGES) == first_edges
        assert node(fresh, "layer1").is_visible()
        assert_no_overlaps(fresh)
        screenshot(f"graph-remembered-{width}", target=fresh)
        # what the user opens is laid out here (elkjs loaded after the first paint)
        expand(fresh, "layer1")
        assert node(fresh, "MatMul").first.is_visible()
        assert any(not flag for _, flag in fresh.evaluate(LAYOUTS))
        assert_no_overlaps(fresh)
        screenshot(f"graph-remembered-{width}-layer1", target=fresh)
        context.close()
    assert not console.unexpected()
