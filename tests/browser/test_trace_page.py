"""The Trace view in real headless Chromium: an engine-traced step's timeline (lanes, bars, hover,
search, zoom), two steps compared in a sorted table, the link from the graph page, and the empty
state (screenshots trace-*.png)."""

from __future__ import annotations

import pytest

from tests.board.test_trace_routes import _traced_runs

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def traced_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("traced")
    _traced_runs(logdir)
    return logdir


def open_trace(page, server, query: str = "") -> None:
    page.goto(f"{server.url}/trace{query}")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)


def test_timeline_hover_search_and_zoom(board_server, page, screenshot, traced_logdir):
    server = board_server(traced_logdir)
    open_trace(page, server, "?run=small&tag=step1")
    snapshot = page.evaluate("window.board.snapshot()")
    assert snapshot["bars"] > 20 and snapshot["lanes"][0].startswith("CPU:0 · row 1")
    assert "ops on 1 device" in page.locator("[data-tr-status]").text_content()
    full = snapshot["range"]

    # Hovering the middle of layer1/MatMul's bar shows its node, op and bytes.
    index = page.evaluate("window.board.state.data.events.name.indexOf('layer1/MatMul')")
    page.evaluate(f"window.board.timeline.reveal({index})")
    at = page.evaluate(f"window.board.timeline.barCenter({index})")
    box = page.locator(".tr-chart .u-over").bounding_box()
    page.mouse.move(box["x"] + at["left"], box["y"] + at["top"])
    tooltip = page.locator("[data-tr-tooltip]")
    tooltip.wait_for(state="visible")
    assert "layer1/MatMul" in tooltip.text_content() and "MatMul" in tooltip.text_content()
    assert "1.0 KiB" in tooltip.text_content()  # 32x8 float32 output
    screenshot("trace-hover")

    # Double-click shows the whole step again; the wheel zooms in at the pointer.
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + 10)
    page.wait_for_function(f"() => window.board.snapshot().range[1] >= {full[1]}")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"() => (r => r[1] - r[0] < {full[1] - full[0]})(window.board.snapshot().range)")
    # From the keyboard: 0 shows the whole step, D pans right after W zooms in.
    page.focus("[data-tr-chart]")
    page.keyboard.press("0")
    page.wait_for_function(f"() => window.board.snapshot().range[1] >= {full[1]}")
    page.keyboard.press("w")
    page.keyboard.press("d")
    page.wait_for_function("() => window.board.snapshot().range[0] > 0")

    # Search by name: the matches are outlined, Enter selects the first one.
    page.fill("[data-tr-search]", "layer2/")
    page.wait_for_function("() => window.board.snapshot().matches > 0")
    names = page.evaluate("window.board.state.data.events.name")
    assert page.evaluate("window.board.snapshot().matches") == sum("layer2/" in n for n in names)
    page.press("[data-tr-search]", "Enter")
    page.wait_for_function("() => window.board.snapshot().selected !== null")
    assert "layer2/" in page.evaluate("window.board.snapshot().selected")
    details = page.locator("[data-tr-details]")
    assert details.is_visible() and "Show this node on the graph" in details.text_content()
    assert "q=layer2%2F" in page.url
    screenshot("trace-search")


def test_compare_two_runs_sorted(board_server, page, screenshot, traced_logdir):
    server = board_server(traced_logdir)
    open_trace(page, server, "?run=small&tag=step1")
    page.select_option("[data-tr-run2]", "wide")
    page.select_option("[data-tr-tag2]", "step1")
    page.wait_for_function("() => window.board.snapshot().compareRows.length > 0")
    rows = page.locator("[data-tr-table] tbody tr")
    assert rows.count() == len(page.evaluate("window.board.snapshot().compareRows"))
    assert "MatMul" in page.evaluate("window.board.snapshot().compareRows")
    page.locator("[data-tr-table] th[data-key=memory_diff]").click()
    page.wait_for_function(
        "() => document.querySelector('th[data-key=memory_diff]').getAttribute('aria-sort') === 'descending'")
    first = page.locator("[data-tr-table] tbody tr").first.locator("td").last.text_content()
    assert first.startswith("+") and first.endswith("B")  # the wider layer holds more bytes
    page.select_option("[data-tr-group]", "scope")
    page.wait_for_function("() => window.board.snapshot().compareRows.includes('layer1')")
    assert "run2=wide" in page.url and "group=scope" in page.url
    screenshot("trace-compare", full_page=True)


def test_graph_page_links_to_the_trace(board_server, page, traced_logdir):
    server = board_server(traced_logdir)
    page.goto(f"{server.url}/graphs?run=small&kind=run_metadata/step0")
    link = page.locator("#graph-timeline-link")
    link.wait_for(state="visible")
    link.click()
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.url.endswith("/trace?run=small&tag=step0")
    assert page.evaluate("window.board.snapshot().bars") > 0
    assert page.locator(".topbar__tab.is-active").text_content() == "Graphs"
    page.goto(f"{server.url}/graphs?run=small&kind=graph_def")
    page.wait_for_selector("body[data-graph-ready]", timeout=20_000)
    assert page.locator("#graph-timeline-row").is_hidden()


def test_empty_logdir_says_how_to_trace(board_server, page, screenshot, tmp_path):
    server = board_server(tmp_path)
    open_trace(page, server)
    empty = page.locator("[data-empty]")
    assert empty.is_visible() and "FULL_TRACE" in empty.text_content()
    screenshot("trace-empty")


def test_function_graph_call_opens_with_its_body(board_server, page, screenshot):
    """A TF2 trace (tests/fixtures/function_graphs, written by real TF): the call of `dense` opens
    like a name scope holding the function's ops; the library is drawn apart."""
    from tests.board.test_function_graphs import LOGDIR

    from .test_graph_page import node, open_graph

    server = board_server(LOGDIR)
    open_graph(page, server, "?run=.&kind=run_metadata/model_trace&expand=graph_3"
                             "&expand=graph_3/StatefulPartitionedCall")
    assert node(page, "__function_library__").count() == 1
    node(page, "StatefulPartitionedCall", expanded=True).wait_for()
    for label in ("MatMul", "Relu", "identity_RetVal"):
        assert node(page, label).count() >= 1, label
    screenshot("trace-function-graph")


def test_a_step_traced_while_the_page_is_open_appears(board_server, page, tmp_path):
    _traced_runs(tmp_path, widths=(("small", 8),))
    server = board_server(tmp_path, reload_interval=0.5)
    open_trace(page, server)
    assert page.evaluate("() => window.board.state.runs.map((r) => r.run)") == ["small"]
    _traced_runs(tmp_path, widths=(("wide", 64),))
    page.wait_for_function("() => window.board.state.runs.length === 2", timeout=20_000)
    assert page.locator("[data-tr-run2] option").all_text_contents() == ["small", "wide"]
    assert page.evaluate("() => window.board.snapshot().bars") > 0  # the shown step stays


def test_a_bar_links_to_its_node_on_the_graph(board_server, page, traced_logdir):
    server = board_server(traced_logdir)
    open_trace(page, server, "?run=small&tag=step1&q=/%5Elayer1%5C/MatMul$/")
    page.wait_for_function("() => window.board.snapshot().matches === 1")
    page.press("[data-tr-search]", "Enter")
    page.locator("[data-tr-details] a").click()
    page.wait_for_selector("body[data-graph-ready]", timeout=20_000)
    assert "select=layer1%2FMatMul" in page.url
    info = page.locator("#graph-info")
    info.wait_for(state="visible")
    assert "MatMul" in info.text_content()


def test_a_chrome_trace_file_opens_in_the_trace_view(board_server, page, screenshot, tmp_path):
    """The JSON `timeline.Timeline(...).generate_chrome_trace_format()` writes, TF's (a fixture written by
    TF 2.21) and the engine's, drawn from a file the user picks: one bar per "Op" event."""
    import json
    from pathlib import Path

    from engine.client import timeline

    tf_trace = Path(__file__).resolve().parents[1] / "fixtures" / "run_metadata" / "timeline.json"
    ops = [e for e in json.loads(tf_trace.read_text())["traceEvents"] if e["ph"] == "X"]
    server = board_server(tmp_path)  # an empty logdir: a file is all there is to see
    open_trace(page, server)
    page.set_input_files("[data-tr-file]", str(tf_trace))
    page.wait_for_function(f"() => window.board.snapshot().bars === {len(ops)}")
    rows = sorted({e["tid"] for e in ops})  # TF's Timeline puts overlapping ops in "threads"
    assert page.evaluate("window.board.snapshot().lanes") == [f"CPU:0 · row {t + 1}" for t in rows]
    assert page.locator("[data-empty]").is_hidden()
    status = page.locator("[data-tr-status]")
    assert status.text_content().startswith(f"timeline.json: {len(ops)} ops on 1 device")
    names = page.evaluate("window.board.state.data.events.name")
    assert names == [e["args"]["name"] for e in ops]
    screenshot("trace-file")

    recorded = _traced_runs(tmp_path / "engine_logdir", widths=(("small", 8),))["small"]["step1"]
    ours = tmp_path / "engine_timeline.json"
    ours.write_text(timeline.Timeline(recorded.step_stats).generate_chrome_trace_format())
    page.set_input_files("[data-tr-file]", str(ours))
    executed = sum(len(dev.node_stats) for dev in recorded.step_stats.dev_stats)
    page.wait_for_function(f"() => window.board.snapshot().bars === {executed}")

    bad = tmp_path / "bad.json"
    bad.write_text('{"displayTimeUnit": "ms"}')
    page.set_input_files("[data-tr-file]", str(bad))
    page.wait_for_function("() => document.querySelector('[data-tr-status]').textContent"
                           ".includes('bad.json')")
    assert 'no "traceEvents" list' in status.text_content()
    assert page.evaluate("window.board.snapshot().bars") == executed  # the last good file stays drawn
