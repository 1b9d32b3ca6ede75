"""Every page in real Chromium under board's Content-Security-Policy: no violation, no console error.

A violation is caught twice: Chromium logs it as a console error (the `page` fixture fails the test
on any), and the page's `securitypolicyviolation` events are collected and must be none.
"""

from __future__ import annotations

import shutil

import pytest

from tests.board.conftest import event_file, file_version_event, scalar_event, write_events
from tests.conftest import REAL_FIXTURES

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def logdir(tmp_path):
    root = tmp_path / "logs"
    shutil.copytree(REAL_FIXTURES / "tf1_mlp" / "logs", root / "mlp")
    shutil.copytree(REAL_FIXTURES / "tf1_graph_const" / "named", root / "graph")
    write_events(event_file(root / "ours"), [file_version_event()] +
                 [scalar_event(f"group/tag{t}", s, s * 0.1 + t) for s in range(50) for t in range(3)])
    return root


def test_pages_satisfy_the_csp(board_server, page, screenshot, logdir):
    server = board_server(logdir)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(server.url + "/")  # redirects to /scalars
    page.wait_for_selector("canvas")  # a chart drawn by uPlot (inline styles via the CSSOM)
    page.fill("[data-tag-filter]", "group")
    page.wait_for_timeout(300)
    screenshot("reliability-csp-scalars")
    assert _violations(page) == []

    page.goto(server.url + "/graphs?run=graph")
    page.wait_for_selector("svg [data-role=scene] g")  # laid out by the worker (worker-src)
    screenshot("reliability-csp-graphs")
    assert _violations(page) == []


def test_empty_state_satisfies_the_csp(board_server, page, tmp_path):
    server = board_server(tmp_path)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(server.url + "/scalars")
    page.wait_for_load_state("networkidle")
    page.goto(server.url + "/graphs")
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []


def test_names_that_are_not_utf8_are_drawn_as_text(board_server, page, screenshot, tmp_path):
    from tests.board.test_reliability_names import write_logdir

    server = board_server(write_logdir(tmp_path))
    page.add_init_script(COLLECT_VIOLATIONS)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url + "/scalars")
    page.wait_for_function("() => document.querySelectorAll('canvas').length >= 2")  # both tags: two charts
    page.wait_for_load_state("networkidle")
    # the card titles hold the names exactly (code units, as Playwright would turn lone surrogates
    # into something else): two cards, the byte of each as U+DCXX
    titles = page.evaluate("""[...document.querySelectorAll('.card__title')].map(
        (e) => [...e.textContent].map((c) => c.charCodeAt(0).toString(16)).join(' '))""")
    assert sorted(titles) == ["6c 6f 73 73 5f dcfe", "6c 6f 73 73 5f dcff"], titles
    # the card not carried by the page asked for its series with the names' own bytes
    series = [url for url in requests if "/data/scalars/" in url]
    assert series and all("run=run%FF" in url and "loss_%F" in url for url in series), series
    screenshot("reliability-names")
    assert _violations(page) == []


@pytest.mark.parametrize("dashboard", ["histograms", "distributions", "images", "audio", "text", "pr_curves",
                                       "custom_scalars"])
def test_summary_dashboards_satisfy_the_csp(board_server, page, dashboard):
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(server.url + "/" + dashboard)
    page.wait_for_selector("article")  # a card drawn by the page's bundle
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []


def test_time_series_page_satisfies_the_csp(board_server, page):
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(server.url + "/time-series")
    page.wait_for_selector("canvas")  # a scalar chart drawn by uPlot
    page.locator("article.dash-card").first.scroll_into_view_if_needed()
    page.wait_for_selector("article.dash-card[data-state=ready]")  # a histogram or image card
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []


@pytest.mark.parametrize("view", ["table", "parallel", "scatter"])
def test_hparams_page_satisfies_the_csp(board_server, page, view):
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(f"{server.url}/hparams?view={view}")
    page.wait_for_function("() => document.body.dataset.loaded === 'true'")
    page.locator("[data-group='lr0.1_adam_u32']").first.dispatch_event("click")  # its curves: uPlot charts
    page.wait_for_selector(".hp-curve canvas")
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []


def test_projector_page_satisfies_the_csp(board_server, page, tmp_path):
    from tests.fixtures.projector.make_fixture import write

    server = board_server(write(tmp_path))
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(f"{server.url}/projector")
    page.wait_for_function("() => document.body.dataset.loaded === 'true'")
    page.wait_for_function("() => window.board.snapshot().count > 0")  # WebGL (three.js) drew the points
    page.wait_for_load_state("networkidle")
    page.goto(f"{server.url}/projector?method=umap")  # umap-js in a Web Worker
    page.wait_for_function("() => window.board.snapshot().method === 'umap'", timeout=60_000)
    assert _violations(page) == []
