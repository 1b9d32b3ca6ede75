"""Pages and listing routes while board is still reading the logdir, against a real uvicorn server
(and real Chromium for the pages). The loader is held back where each test says
(tests/board/held_store.py): "still loading" is a state the test controls, not a race.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from board.data.provider import LogdirProvider

from ..board.held_store import HeldStore, write_run


@pytest.fixture
def held(board_server):
    """held(logdir, **HeldStore kwargs) -> (server, store): board serving while its loader is held.
    Every store is released at the end (the server's loader thread can then stop)."""
    stores: list[HeldStore] = []

    def start(logdir, **hold):
        store = HeldStore(logdir, **hold)
        stores.append(store)
        provider = LogdirProvider(store, reload_interval=0)
        server = board_server(logdir, wait_loaded=False, provider=provider)
        assert store.reached.wait(10)
        return server, store

    yield start
    for store in stores:
        store.release()


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_listing_routes_answer_over_http_while_a_run_is_read(tmp_path, held):
    write_run(tmp_path, "first", start=0, graph=True)
    write_run(tmp_path, "slow", start=10)
    server, store = held(tmp_path, hold_run="slow")
    assert get_json(server.url + "/data/runs") == ["first", "slow"]
    assert list(get_json(server.url + "/data/plugin/scalars/tags")) == ["first"]
    assert list(get_json(server.url + "/data/plugin/graphs/info")) == ["first"]
    assert get_json(server.url + "/data/status")["loading"]
    assert store.held and not store.timed_out
    store.release()
    assert server.app.state.provider.wait_loaded(20)
    assert list(get_json(server.url + "/data/plugin/scalars/tags")) == ["first", "slow"]


@pytest.mark.browser
def test_graph_page_draws_while_the_loader_is_busy(tmp_path, held, page, console, screenshot):
    write_run(tmp_path, "first", start=0, graph=True)
    write_run(tmp_path, "slow", start=10)
    server, store = held(tmp_path, hold_run="slow")
    page.goto(server.url + "/graphs")
    page.wait_for_selector("body[data-graph-ready]", timeout=20_000)
    labels = page.locator(".g-node text.g-label").all_text_contents()
    assert {"MyAdd", "MyConst1", "MyConst2"} <= set(labels)
    assert page.locator("#graph-run").input_value() == "first"
    # drawn from the answers the page came with: the graph's hierarchy (preloaded by <head>) and no
    # request for the list of runs or the status before it
    assert not [m for m in console.messages if "preload" in m]
    drawn = page.evaluate("() => performance.getEntriesByName('graph-drawn')[0].startTime")
    requested = page.evaluate(
        "() => performance.getEntriesByType('resource').map((r) => [r.name, r.startTime])")
    assert not [url for url, start in requested
                if re.search(r"/data/(graph/runs|status)", url) and start < drawn]
    screenshot("graph-while-loading")
    assert store.held and not store.timed_out


@pytest.mark.browser
def test_graph_page_draws_a_graph_read_after_it_opened(tmp_path, held, page, screenshot):
    write_run(tmp_path, "first", start=0)
    write_run(tmp_path, "slow", start=10, graph=True)
    server, store = held(tmp_path, hold_run="slow")
    page.goto(server.url + "/graphs")
    status = page.locator("#graph-status")
    status.filter(has_text="Reading the logdir").wait_for(timeout=10_000)
    screenshot("graph-reading-logdir")
    store.release()
    # the reload loop looks again every second while the server is still reading
    page.wait_for_selector("body[data-graph-ready]", timeout=20_000)
    assert "MyAdd" in page.locator(".g-node text.g-label").all_text_contents()
    assert page.locator("#graph-run").input_value() == "slow"
    assert status.is_hidden()
