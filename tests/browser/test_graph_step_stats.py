"""The graph page's run-metadata choice in real headless Chromium: the op graph coloured by compute time
or memory from the step stats, and a node's step stats in the info panel (screenshots graph-step-*.png)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import engine as tf
from engine.summary import FileWriter

from .test_graph_page import NODE, expand, node, open_graph

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run_metadata"


def fills(page):
    """{label: fill} of the drawn nodes."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.g-node')].map((el) => [
        el.querySelector('text.g-label, text.g-group-label').textContent,
        getComputedStyle(el.querySelector('rect, ellipse, path')).fill]))""")


def test_tf_run_metadata_coloured_by_compute_time_and_memory(board_server, page, screenshot):
    server = board_server(FIXTURES / "logdir")
    open_graph(page, server, "?run=.&kind=run_metadata/step0")
    assert page.locator("#graph-color-mode").input_value() == "compute"
    legend = "() => document.querySelector('#graph-legend').textContent.includes('Compute time')"
    page.wait_for_function(legend)
    expand(page, "dense")
    colours = fills(page)
    # MatMul takes most of the step in TF's recording: the darkest red; `dense` holds it.
    assert colours["MatMul"] != colours["Relu"]
    node(page, "MatMul").click()
    info = page.locator("#graph-info")
    info.locator("h4:has-text('Step stats')").wait_for()
    rows = dict(zip(info.locator("h4:has-text('Step stats') + table th").all_text_contents(),
                    info.locator("h4:has-text('Step stats') + table td").all_text_contents(), strict=True))
    assert rows["Memory"] == "32 B" and rows["Output shapes"] == "4x2"
    assert rows["Compute time"].endswith(("µs", "ms"))
    screenshot("graph-step-compute")

    page.select_option("#graph-color-mode", "memory")
    page.wait_for_function("() => document.querySelector('#graph-legend').textContent.includes('Memory')")
    page.wait_for_function("() => window.location.search.includes('color=memory')")
    screenshot("graph-step-memory")
    # The run's own graph has no step stats: the stat colours leave the menu.
    page.select_option("#graph-kind", "graph_def")
    page.wait_for_function("() => document.querySelector('#graph-color-mode').value === 'structure'")
    assert page.locator("#graph-color-mode option[value=compute]").is_hidden()


def test_engine_run_metadata_without_graph_draws_the_run_graph(board_server, page, screenshot, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        with tf.name_scope("layer"):
            w = tf.Variable(np.ones((8, 4), np.float32), name="w")
            h = tf.nn.relu(tf.matmul(x, w))
        out = tf.reduce_sum(h, name="out")
        init = tf.global_variables_initializer()
    metadata = tf.RunMetadata()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        sess.run(out, {x: np.ones((16, 8), np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=metadata)
    writer = FileWriter(str(tmp_path), graph)
    writer.add_run_metadata(metadata, "step100", global_step=100)
    writer.close()
    server = board_server(tmp_path)
    open_graph(page, server, "?run=.&kind=run_metadata/step100")
    assert page.locator(NODE).count() > 0
    assert "init" in fills(page)  # drawn, grey: the traced step did not run it
    node(page, "layer").click()
    info = page.locator("#graph-info")
    info.locator("h4:has-text('Step stats')").wait_for()
    memory = info.locator("h4:has-text('Step stats') + table td").nth(1).text_content()
    assert memory.endswith("B")  # the group's ops' bytes summed
    screenshot("graph-step-engine")
