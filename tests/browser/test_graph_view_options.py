"""The graph page's view options in real headless Chromium: expanding next to the info panel, narrow
windows, auxiliary nodes off, colours by device and XLA cluster, and the diff of two runs' graphs.

The device, cluster and diff tests read tests/fixtures/graph_devices (written by real TF, see its
make_fixtures.py). Screenshots go to test-artifacts/graph-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import REAL_FIXTURES
from .test_graph_page import expand, node, node_id, open_graph, wait_relayout

pytestmark = pytest.mark.browser

DEVICES = Path(__file__).resolve().parents[1] / "fixtures" / "graph_devices" / "logdir"
CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
GPU = "/job:localhost/replica:0/task:0/device:GPU:0"


def screen_box(page, name: str, group: bool = True) -> dict:
    """The node's box on screen (client px), from the scene and the view transform."""
    return page.evaluate("""([name, group]) => {
        const b = window.board;
        const id = (group ? b.model.groupByName : b.model.opByName).get(name);
        const n = b.scene.byId.get(id);
        const r = b.svg.getBoundingClientRect();
        const [x0, y0] = b.panzoom.toScreen(n.x, n.y);
        const [x1, y1] = b.panzoom.toScreen(n.x + n.w, n.y + n.h);
        return {left: r.left + x0, top: r.top + y0, right: r.left + x1, bottom: r.top + y1}; }""",
                         [name, group])


def fill_of(page, name: str, group: bool = False) -> str:
    nid = node_id(page, name, group)
    return page.locator(f'.g-node[data-id="{nid}"] > rect').last.get_attribute("fill")


@pytest.mark.parametrize("width", [1280, 800])
def test_expanding_a_scope_keeps_it_clear_of_the_info_panel(board_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 800})
    server = board_server(REAL_FIXTURES / "tf1_mlp" / "logs")
    open_graph(page, server)
    # Put layer1 just left of where the info panel opens, then double-click it (as one opens a scope):
    # the first click selects it and opens the panel, the second expands it, and it grows rightwards.
    panel_width = 340 if width > 960 else 250  # graph.css
    page.evaluate("""(offset) => { const b = window.board;
        const n = b.scene.byId.get(b.model.groupByName.get('layer1'));
        const [vw, vh] = b.panzoom.size();
        const k = b.panzoom.t.k;
        b.panzoom.set(vw - offset - n.w * k - n.x * k, vh / 4 - n.y * k, k); }""", panel_width + 12 + 20)
    panel = page.locator("#graph-info")
    covered = screen_box(page, "layer1")
    rect = node(page, "layer1").locator("rect").first
    wait_relayout(page, lambda: rect.dblclick(position={"x": 8, "y": 8}))
    panel.locator(".g-info-title").wait_for()
    assert node(page, "layer1", expanded=True).count() == 1
    # Without the fix it would have grown under the panel: its expanded width from where it was.
    box = screen_box(page, "layer1")
    assert covered["left"] + (box["right"] - box["left"]) > panel.bounding_box()["x"]
    box = screen_box(page, "layer1")
    bounds = panel.bounding_box()
    assert box["right"] <= bounds["x"] or box["top"] >= bounds["y"] + bounds["height"], (box, bounds)
    assert box["left"] >= page.locator("#graph-svg").bounding_box()["x"]  # still on screen
    assert panel.is_visible()  # the selection and its panel stay
    assert page.evaluate("() => window.board.panzoom.t.k") >= 0.75
    screenshot(f"graph-expand-beside-panel-{width}")


def test_narrow_window_stays_readable(board_server, page, screenshot):
    page.set_viewport_size({"width": 800, "height": 700})
    server = board_server(REAL_FIXTURES / "tf1_mlp" / "logs")
    open_graph(page, server)
    # The first view is at a scale where node labels are 8 px or more on screen.
    assert page.evaluate("() => window.board.panzoom.t.k") >= 0.75
    label = page.locator(".g-node:not(.g-const) text.g-label").first
    assert label.bounding_box()["height"] >= 8
    minimap = page.locator("#graph-minimap")
    assert minimap.is_visible() and minimap.bounding_box()["width"] <= 140
    canvas = page.locator("#graph-svg").bounding_box()
    mini = minimap.bounding_box()
    assert mini["width"] * mini["height"] < 0.05 * canvas["width"] * canvas["height"]
    node(page, "layer1").locator("rect").first.click(position={"x": 8, "y": 8})
    page.locator("#graph-info .g-info-title").wait_for()
    assert page.locator("#graph-info").bounding_box()["width"] <= 0.45 * canvas["width"]
    screenshot("graph-narrow-800")
    # Zoomed far out, the labels are left out rather than drawn too small to read.
    page.evaluate("() => window.board.panzoom.set(0, 0, 0.3)")
    assert page.locator(".g-node text.g-label").first.evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".g-edge-label").first.evaluate("e => getComputedStyle(e).display") == "none"
    page.evaluate("() => window.board.panzoom.set(0, 0, 0.6)")  # node labels back (6.6 px), edge labels not
    assert page.locator(".g-node text.g-label").first.evaluate("e => getComputedStyle(e).display") != "none"
    assert page.locator(".g-edge-label").first.evaluate("e => getComputedStyle(e).display") == "none"
    # Narrower still, the minimap goes; wider again, it comes back at full size.
    page.set_viewport_size({"width": 640, "height": 700})
    page.wait_for_function("() => document.getElementById('graph-minimap').hidden")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function("() => !document.getElementById('graph-minimap').hidden")
    assert minimap.bounding_box()["width"] >= 200


def test_auxiliary_nodes_can_be_switched_off(board_server, page, screenshot):
    server = board_server(REAL_FIXTURES / "tf1_mlp" / "logs")
    open_graph(page, server)
    aux_count = page.locator(".g-node.g-aux").count()
    assert aux_count > 0 and page.locator(".g-aux-area").count() > 0
    before = node(page, "layer1").bounding_box()
    wait_relayout(page, lambda: page.uncheck("#graph-aux"))
    assert page.locator(".g-node.g-aux").count() == 0 and page.locator(".g-aux-area").count() == 0
    assert not page.evaluate("() => window.board.scene.nodes.some((n) => window.board.model.isAux(n.id))")
    assert "aux=0" in page.url
    after = node(page, "layer1").bounding_box()
    assert abs(after["x"] - before["x"]) < 40 and abs(after["y"] - before["y"]) < 40  # the main area stays
    screenshot("graph-aux-off")
    # Kept in the URL; finding an auxiliary node shows them again.
    open_graph(page, server, "?aux=0")
    assert not page.locator("#graph-aux").is_checked() and page.locator(".g-node.g-aux").count() == 0
    aux_name = page.evaluate("""() => { const m = window.board.model;
        for (let i = 1; i < m.size; i++) if (m.isAux(i) && m.parent[i] === 0) return m.name[i]; }""")
    page.evaluate("(name) => window.board.revealByName(name)", aux_name)
    page.wait_for_function("() => document.querySelectorAll('.g-node.g-aux').length > 0")
    assert page.locator("#graph-aux").is_checked()


def test_colour_by_device_and_xla_cluster(board_server, page, screenshot):
    server = board_server(DEVICES)
    open_graph(page, server, "?run=base")
    for mode in ("device", "xla"):
        assert page.locator(f'#graph-color-mode option[value="{mode}"]').is_enabled()
    page.select_option("#graph-color-mode", "device")
    legend = page.locator("#graph-legend")
    labels = legend.locator(".g-legend-label").evaluate_all("els => els.map(e => e.title)")
    assert labels[:2] == [CPU, GPU] and labels[2] == "no device"
    swatches = legend.locator(".g-legend-swatch").evaluate_all("els => els.map(e => e.style.background)")
    # layer2 holds ops on the GPU and its variables' initialisers, placed nowhere: striped in both.
    stripes = fill_of(page, "layer2", group=True)
    assert stripes.startswith("url(#g-mix-")
    stops = page.locator(f"{stripes[4:-1]} stop").evaluate_all(
        "els => els.map(e => e.getAttribute('stop-color'))")
    assert stops[:2] == ["#fdb462", "#fdb462"] and set(stops) == {"#fdb462", "#ffffff"}
    expand(page, "layer2")
    expand(page, "layer1")
    # An op has its device's colour; a group mixing devices is striped in them, widest share first.
    assert fill_of(page, "layer2/MatMul") == "#fdb462" and fill_of(page, "layer1/MatMul") == "#80b1d3"
    assert swatches[0] == "rgb(128, 177, 211)" and swatches[1] == "rgb(253, 180, 98)"
    page.evaluate("() => window.board.revealByName('layer2/MatMul')")
    page.wait_for_function("() => document.querySelector('#graph-info')?.textContent.includes('GPU:0')")
    assert "cluster_0" in page.locator("#graph-info").text_content()
    screenshot("graph-by-device")
    page.select_option("#graph-color-mode", "xla")
    assert legend.locator(".g-legend-label").evaluate_all("els => els.map(e => e.title)")[:2] == [
        "cluster_0", "no cluster"]
    assert fill_of(page, "layer2/MatMul") == "#80b1d3" and fill_of(page, "layer1/MatMul") == "#ffffff"
    assert "color=xla" in page.url
    screenshot("graph-by-xla-cluster")
    # A graph that names no device offers neither colour.
    server2 = board_server(REAL_FIXTURES / "tf1_graph_const")
    open_graph(page, server2, "?run=named&color=device")
    assert page.locator("#graph-color-mode").input_value() == "structure"
    assert page.locator('#graph-color-mode option[value="device"]').is_disabled()


@pytest.mark.parametrize("width", [1280, 800])
def test_diff_of_two_runs_graphs(board_server, page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 800})
    server = board_server(DEVICES)
    open_graph(page, server, "?run=changed")
    assert page.locator('#graph-color-mode option[value="diff"]').is_disabled()
    choices = page.locator("#graph-compare option").all_text_contents()
    # Every other graph of the logdir (FileWriter wrote a meta graph beside each op graph).
    assert choices == ["nothing", "base · op graph", "base · meta graph", "changed · meta graph"]
    page.select_option("#graph-compare", label="base · op graph")
    page.wait_for_function(
        "() => window.board.model.diff && document.querySelector('#graph-color-mode').value === 'diff'")
    assert "compare=base" in page.url and "color=diff" in page.url
    legend = page.locator("#graph-legend").text_content()
    assert "Compared with base" in legend and "Removed (only in the other graph): 34" in legend
    assert "layer2/Relu" in page.locator(".g-legend-removed").evaluate_all("els => els.map(e => e.title)")
    # Groups holding changes are tinted; inside, added ops are green and changed ones orange.
    assert fill_of(page, "dropout", group=True) == "#cdebd4"  # only added inside
    assert fill_of(page, "layer2", group=True) == "#f2d28b"  # added (Tanh) and changed inside
    expand(page, "layer2")
    assert fill_of(page, "layer2/Tanh") == "#8fd19e"
    assert fill_of(page, "layer2/MatMul") == "#f7b96b"
    node(page, "MatMul").last.click()
    page.wait_for_function(
        "() => document.querySelector('#graph-info')?.textContent.includes('Attrs changed')")
    info = page.locator("#graph-info").text_content()
    assert "Against base" in info and "_output_shapes" in info
    screenshot(f"graph-diff-{width}")
    # The comparison is kept in the URL, and "nothing" ends it.
    open_graph(page, server, "?run=changed&compare=base&color=diff")
    page.wait_for_function("() => document.querySelector('#graph-color-mode').value === 'diff'")
    assert page.locator("#graph-compare").input_value() != ""
    page.select_option("#graph-compare", "")
    page.wait_for_function("() => document.querySelector('#graph-color-mode').value === 'structure'")
    assert "compare=" not in page.url
