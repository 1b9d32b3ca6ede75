"""The graph dashboard in real headless Chromium, on the graphs real TF and PyTorch wrote.

Each test saves a screenshot under test-artifacts/ (graph-*.png); console errors fail the test (see
conftest.py's `page` fixture).
"""

from __future__ import annotations

import re

import pytest

from ..conftest import REAL_FIXTURES

pytestmark = pytest.mark.browser

NODE = ".g-node"


def open_graph(page, server, query: str = "") -> None:
    page.goto(f"{server.url}/graphs{query}")
    page.wait_for_selector("body[data-graph-ready]", timeout=20_000)
    page.wait_for_selector(NODE)


def node(page, label: str, expanded: bool | None = None):
    """The drawn node whose label is exactly `label` (an expanded group's title counts too)."""
    css = NODE + (".g-expanded" if expanded else ":not(.g-expanded)" if expanded is False else "")
    return page.locator(css).filter(has=page.locator("text.g-label, text.g-group-label",
                                                      has_text=re.compile(f"^{re.escape(label)}$")))


def node_id(page, name: str, group: bool = False) -> int:
    table = "groupByName" if group else "opByName"
    return page.evaluate(f"(name) => window.board.model.{table}.get(name)", name)


def wait_selected(page, name: str) -> None:
    page.wait_for_function("(n) => window.board.model.name[window.board.state.selected] === n",
                           arg=name)


def wait_relayout(page, action) -> None:
    before = page.evaluate("() => document.body.dataset.graphReady")
    action()
    page.wait_for_function("(b) => document.body.dataset.graphReady !== b", arg=before)


def expand(page, label: str) -> None:
    wait_relayout(page, lambda: node(page, label, expanded=False).locator(".g-expander").click())


def assert_no_overlaps(page) -> None:
    """No two drawn boxes overlap unless one contains the other (an expanded group and its insides)."""
    boxes = page.evaluate("""() => window.board.scene.nodes.map((n) => [n.id, n.x, n.y, n.w, n.h])""")
    model_end = page.evaluate("() => Array.from(window.board.model.end)")
    for i, (a, ax, ay, aw, ah) in enumerate(boxes):
        for b, bx, by, bw, bh in boxes[i + 1:]:
            nested = a < b < model_end[a] or b < a < model_end[b]
            if nested:
                continue
            overlap = ax < bx + bw - 0.5 and bx < ax + aw - 0.5 and ay < by + bh - 0.5 and by < ay + ah - 0.5
            assert not overlap, f"nodes {a} and {b} overlap"


def test_lecture_constants_flow_into_my_add(board_server, page, screenshot):
    server = board_server(REAL_FIXTURES / "tf1_graph_const")
    open_graph(page, server, "?run=named")
    for label in ("MyConst1", "MyConst2", "MyAdd"):
        assert node(page, label).is_visible()
    my_add = node_id(page, "MyAdd")
    sources = page.eval_on_selector_all(f'.g-edge[data-b="{my_add}"]', "els => els.map(e => +e.dataset.a)")
    assert sorted(sources) == sorted([node_id(page, "MyConst1"), node_id(page, "MyConst2")])
    assert page.locator(f'.g-edge[data-b="{my_add}"] .g-edge-label').all_text_contents() == ["scalar"] * 2

    node(page, "MyAdd").click()
    info = page.locator("#graph-info")
    info.locator(".g-info-op").wait_for()
    assert info.locator(".g-info-op").text_content() == "AddV2"
    inputs = info.locator("h4:has-text('Inputs') + table .g-info-link").all_text_contents()
    assert inputs == ["MyConst1", "MyConst2"]
    assert_no_overlaps(page)
    screenshot("graph-lecture-const")

    # An input in the info panel jumps to that node.
    info.locator(".g-info-link", has_text="MyConst2").first.click()
    wait_selected(page, "MyConst2")
    assert "select=MyConst2" in page.url


def test_unnamed_lecture_graph(board_server, page, screenshot):
    server = board_server(REAL_FIXTURES / "tf1_graph_const")
    open_graph(page, server, "?run=unnamed")
    for label in ("Const", "Const_1", "add"):
        assert node(page, label).is_visible()
    screenshot("graph-lecture-unnamed")


def write_engine_graphs(logdir) -> None:
    """The lecture's two graphs, built and written by our engine (runs `const` and `dense`)."""
    import engine as tf

    with tf.Graph().as_default():
        a = tf.constant(3.0, name="MyConst1")
        b = tf.constant(4.0, name="MyConst2")
        total = tf.add(a, b, name="MyAdd")
        with tf.Session() as sess:
            writer = tf.summary.FileWriter(str(logdir / "const"), sess.graph)
            assert sess.run(total) == 7.0
            writer.close()

    def dense_relu(input, in_size, out_size):  # noqa: A002 - exactly the lecture's
        weight = tf.get_variable("weight", [in_size, out_size])
        bias = tf.get_variable("bias", [out_size])
        before_relu = tf.matmul(input, weight) + bias
        return tf.nn.relu(before_relu)

    with tf.Graph().as_default():
        input = tf.placeholder(tf.float32, [None, 10], name="input")  # noqa: A001 - the lecture's name
        with tf.variable_scope("layer1"):
            relu1 = dense_relu(input, 10, 128)
        with tf.variable_scope("layer2"):
            dense_relu(relu1, 128, 256)
        with tf.Session() as sess:
            writer = tf.summary.FileWriter(str(logdir / "dense"), sess.graph)
            writer.close()


def test_lecture_graphs_written_by_the_engine(board_server, page, screenshot, tmp_path):
    write_engine_graphs(tmp_path)
    server = board_server(tmp_path)
    open_graph(page, server, "?run=const")
    for label in ("MyConst1", "MyConst2", "MyAdd"):
        assert node(page, label).is_visible()
    assert page.locator(f'.g-edge[data-b="{node_id(page, "MyAdd")}"]').count() == 2
    node(page, "MyAdd").click()
    page.locator("#graph-info .g-info-op").wait_for()
    assert page.locator("#graph-info .g-info-op").text_content() == "AddV2"
    assert page.locator("#graph-info h4:has-text('Inputs') + table .g-info-link").all_text_contents() == [
        "MyConst1", "MyConst2"]
    screenshot("graph-engine-const")

    open_graph(page, server, "?run=dense")
    expand(page, "layer1")
    for label in ("weight", "bias", "MatMul", "Relu"):
        assert node(page, label).first.is_visible()
    assert node(page, "layer2").is_visible()
    assert_no_overlaps(page)
    screenshot("graph-engine-dense")


@pytest.mark.parametrize("fixture", ["tf1_graph_v1_behavior/logs", "tf1_mlp/logs"])
def test_dense_relu_layers_expand_and_search(board_server, page, screenshot, fixture):
    name = fixture.split("/")[0]
    server = board_server(REAL_FIXTURES / fixture)
    open_graph(page, server)
    assert node(page, "layer1").is_visible() and node(page, "layer2").is_visible()
    assert node(page, "layer1").locator("rect").first.get_attribute("rx") == "6"  # drawn as a group
    assert_no_overlaps(page)
    screenshot(f"graph-{name}-top")

    expand(page, "layer1")
    layer1 = node_id(page, "layer1", group=True)
    inside = page.evaluate(
        """(g) => window.board.scene.nodes.filter((n) => window.board.model.parent[n.id] === g)
            .map((n) => window.board.model.label[n.id])""", layer1)
    assert {"weight", "bias", "MatMul", "Relu"} <= set(inside)
    for label in ("weight", "bias", "MatMul", "Relu"):
        assert node(page, label).first.is_visible()
    assert "expand=layer1" in page.url
    assert_no_overlaps(page)
    screenshot(f"graph-{name}-layer1")

    search = page.locator("#graph-search")
    search.fill("layer2/bias")
    results = page.locator(".g-search-result")
    results.first.wait_for()
    names = page.locator(".g-search-name").all_text_contents()
    assert "layer2/bias" in names
    search.press("ArrowDown")
    assert page.locator(".g-search-active .g-search-name").text_content() == names[1]
    search.press("ArrowUp")
    wait_relayout(page, lambda: search.press("Enter"))
    wait_selected(page, "layer2/bias")
    assert page.locator(".g-node.g-selected").count() == 1
    assert page.locator("#graph-info .g-info-title").text_content() == "layer2/bias"
    screenshot(f"graph-{name}-search")


def test_view_is_restored_from_the_url(board_server, page):
    server = board_server(REAL_FIXTURES / "tf1_graph_v1_behavior" / "logs")
    open_graph(page, server, "?expand=layer1&expand=layer1/weight&select=layer1/MatMul&color=op&trace=1")
    assert node(page, "layer1", expanded=True).count() == 1
    assert node(page, "weight", expanded=True).count() == 1
    assert page.locator("#graph-color-mode").input_value() == "op"
    assert page.locator("#graph-trace").is_checked()
    selected = page.locator(".g-node.g-selected")
    assert selected.locator("text").first.text_content() == "MatMul"
    # Tracing the inputs of MatMul lights x and weight's variable, not bias.
    traced = page.eval_on_selector_all(
        ".g-node.g-traced",
        "els => els.map(e => e.querySelector('text.g-label, text.g-group-label').textContent)")
    assert {"x", "weight", "read", "layer1"} <= set(traced)
    assert "bias" not in traced and "Initializer" not in traced
    # The legend lists op types in op color mode.
    assert "MatMul" in page.locator("#graph-legend").text_content()


def test_collapse_keeps_the_node_in_place(board_server, page):
    server = board_server(REAL_FIXTURES / "tf1_graph_v1_behavior" / "logs")
    open_graph(page, server)
    before = node(page, "layer1").bounding_box()
    expand(page, "layer1")
    after = node(page, "layer1", expanded=True).bounding_box()
    assert abs(after["x"] - before["x"]) < 2 and abs(after["y"] - before["y"]) < 2
    wait_relayout(page, lambda: node(page, "layer1", expanded=True).locator(".g-expander").first.click())
    assert node(page, "layer1", expanded=False).count() == 1


def test_pytorch_graph_with_dangling_inputs(board_server, page, screenshot):
    server = board_server(REAL_FIXTURES / "torch_tb" / "logdir")
    open_graph(page, server)
    for label in ("input", "output", "Sequential"):
        assert node(page, label).is_visible()
    assert "4 inputs name missing nodes" in page.locator("#graph-stats").text_content()
    expand(page, "Sequential")
    expand(page, "Linear[0]")
    node(page, "weight").first.wait_for()
    page.evaluate("() => window.board.revealByName('Sequential/Linear[0]/weight/weight.1')")
    page.locator("#graph-info .g-info-missing").first.wait_for()
    missing = page.locator("#graph-info .g-info-missing").first.text_content()
    assert missing == "Sequential/Linear[0]/weight/_0"
    assert_no_overlaps(page)
    screenshot("graph-pytorch")

    # Its tagged run metadata (step1) holds no graph: the run's graph, coloured by its (empty) step stats.
    assert page.locator("#graph-kind-row").is_visible()
    page.select_option("#graph-kind", "run_metadata/step1")
    page.wait_for_function("() => document.querySelector('#graph-color-mode').value === 'compute'")
    page.wait_for_function("() => document.querySelectorAll('.g-node').length > 0")
    assert page.locator("#graph-legend").text_content().startswith("Compute time")
    screenshot("graph-pytorch-run-metadata")


def test_download_svg_and_png(board_server, page):
    server = board_server(REAL_FIXTURES / "tf1_graph_const")
    open_graph(page, server, "?run=named")
    with page.expect_download() as svg_download:
        page.click("#graph-download-svg")
    with open(svg_download.value.path(), encoding="utf-8") as f:
        svg = f.read()
    assert svg.startswith("<svg") and "MyAdd" in svg and "<style>" in svg
    assert svg_download.value.suggested_filename == "graph-named-graph_def.svg"
    with page.expect_download() as png_download:
        page.click("#graph-download-png")
    with open(png_download.value.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def _luminance(css_color: str) -> float:
    """WCAG relative luminance of a computed ``rgb(...)``/``rgba(...)`` color (alpha ignored)."""
    channels = [float(c) / 255 for c in re.findall(r"[\d.]+", css_color)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("color_scheme", ["dark"])
def test_dark_theme(board_server, page, screenshot, color_scheme):
    """In the dark theme the canvas is dark, while nodes keep their light fills (as TensorBoard's do):
    every label stays readable on its box (>= 4.5:1), and edges stand out from the canvas (>= 3:1)."""
    server = board_server(REAL_FIXTURES / "tf1_mlp" / "logs")
    open_graph(page, server)
    expand(page, "layer1")
    colors = page.evaluate("""() => {
        const style = (el, prop) => getComputedStyle(el)[prop];
        const labels = [...document.querySelectorAll('.g-node')].map((n) => {
            const text = n.querySelector(':scope > text.g-label, :scope > text.g-group-label');
            return text && [style(n.querySelector(':scope > rect'), 'fill'), style(text, 'fill'),
                            n.classList.contains('g-expanded')];
        }).filter(Boolean);
        const edge = document.querySelector('.g-edge-path');
        return {canvas: style(document.querySelector('.g-canvas'), 'backgroundColor'),
                edge: edge && style(edge, 'stroke'), labels};
    }""")
    screenshot("graph-mlp-dark")
    assert _luminance(colors["canvas"]) < 0.05, colors["canvas"]
    assert colors["edge"] and _contrast(colors["edge"], colors["canvas"]) >= 3, colors["edge"]
    assert any(expanded for *_, expanded in colors["labels"]), "layer1 is drawn expanded"
    assert any(not expanded for *_, expanded in colors["labels"])
    for box, text, expanded in colors["labels"]:
        assert _contrast(text, box) >= 4.5, (box, text, expanded)
        if not expanded:
            assert _luminance(box) > 0.5, f"op boxes keep their light fill: {box}"


def write_graph(run_dir, graph) -> None:
    from engine.io.tfrecord import encode_record
    from engine.proto import event_pb2

    run_dir.mkdir()
    events = [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2"),
              event_pb2.Event(wall_time=1.0, graph_def=graph.SerializeToString())]
    (run_dir / "events.out.tfevents.1.test").write_bytes(
        b"".join(encode_record(e.SerializeToString()) for e in events))


def test_big_scene_is_drawn_around_the_view(board_server, page, tmp_path):
    """4,000 unconnected ops at the top level: only those near the view are in the DOM, and moving
    the view draws the others."""
    from engine.proto import graph_pb2

    graph = graph_pb2.GraphDef()
    for i in range(4000):
        graph.node.add(name=f"constant_number_{i:04d}_with_a_long_name", op="Const")
    write_graph(tmp_path / "flat", graph)
    server = board_server(tmp_path)
    open_graph(page, server)
    drawn = int(page.locator("[data-role=scene]").get_attribute("data-drawn"))
    assert 0 < drawn < 4000
    last = node_id(page, "constant_number_3999_with_a_long_name")
    assert page.locator(f'.g-node[data-id="{last}"]').count() == 0
    page.evaluate("""(id) => { const n = window.board.scene.byId.get(id);
                               window.board.panzoom.centerOn(n.x, n.y); }""", last)
    page.locator(f'.g-node[data-id="{last}"]').wait_for()


def test_logdir_without_graphs_says_so(board_server, page):
    server = board_server(REAL_FIXTURES / "tf2_summaries" / "logdir")
    page.goto(f"{server.url}/graphs?run=nope&kind=bogus")
    page.wait_for_function("() => document.getElementById('graph-status').textContent.includes('No graph')")
    assert page.locator(NODE).count() == 0


def test_graph_written_later_appears(board_server, page, tmp_path):
    server = board_server(tmp_path, reload_interval=0.5)
    page.goto(f"{server.url}/graphs")
    page.wait_for_function("() => document.getElementById('graph-status').textContent.includes('No graph')")
    write_engine_graphs(tmp_path)
    node(page, "MyAdd").wait_for(timeout=20_000)
    # `dense` may land one reload later than `const`.
    page.wait_for_function("() => document.querySelectorAll('#graph-run option').length === 2")
    assert page.locator("#graph-run option").all_text_contents() == ["const", "dense"]


def test_huge_flat_group_gets_the_fast_layout(board_server, page, screenshot, tmp_path):
    """3,000 connected ops in one scope are too many for ELK in good time: the linear-time layered
    layout draws them, still with no overlapping nodes."""
    from engine.proto import graph_pb2

    graph = graph_pb2.GraphDef()
    for i in range(3000):
        # names that do not fold into a series (no "_<number>" ending)
        node = graph.node.add(name=f"n{i}x", op="Identity" if i % 3 else "Placeholder")
        if i % 3:
            node.input.append(f"n{i - 1}x")
    write_graph(tmp_path / "chains", graph)
    server = board_server(tmp_path)
    open_graph(page, server)
    assert page.evaluate("() => window.board.scene.edges.length") == 2000
    distinct_places = page.evaluate("""() => {
        const nodes = window.board.scene.nodes;
        const seen = new Set();
        for (const n of nodes) {
          const key = `${Math.round(n.x)},${Math.round(n.y)}`;
          if (seen.has(key)) return false;
          seen.add(key);
        }
        return true; }""")
    assert distinct_places
    screenshot("graph-huge-flat")


def test_keras_model_graph_draws_its_layers(board_server, page, screenshot):
    """The `graph_keras_model` summary a TF2 Keras fit writes: the model's layers, by layer class."""
    server = board_server(REAL_FIXTURES / "multi_plugin" / "logdir")
    open_graph(page, server, "?run=keras_tf2%2Ftrain&kind=keras_model%2Fkeras")
    expand(page, "sequential")
    for label in ("input_layer", "hidden", "logits"):
        assert node(page, label).first.is_visible(), label
    assert_no_overlaps(page)
    node(page, "hidden").first.click()
    page.wait_for_function("() => document.querySelector('#graph-info')?.textContent.includes('Dense')")
    screenshot("graph-keras-model")
