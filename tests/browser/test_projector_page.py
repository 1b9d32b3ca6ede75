"""The Projector page in real Chromium on the embeddings of tests/fixtures/projector/make_fixture.py:
run and tensor choice, the PCA scatter in 3-D and 2-D (three.js, WebGL), colouring by a metadata
column, the label on hover, search, and the nearest neighbours of a clicked point.
Screenshots: test-artifacts/projector-*.png."""

from __future__ import annotations

import pytest

from tests.fixtures.projector.make_fixture import write

pytestmark = pytest.mark.browser

LOADED = "() => document.body.dataset.loaded === 'true'"


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    return write(tmp_path_factory.mktemp("projector_page"))


def snapshot(page) -> dict:
    return page.evaluate("() => window.board.snapshot()")


def test_scatter_colour_hover_search_neighbours(board_server, page, screenshot, logdir):
    server = board_server(logdir)
    page.goto(f"{server.url}/projector?run=words&tensor=vectors")
    page.wait_for_function(LOADED)
    page.wait_for_function("() => window.board.snapshot().count === 6")
    drawn = snapshot(page)
    assert drawn["webgl"] and drawn["dims"] == 3 and drawn["cameraDims"] == 3
    assert page.locator("[data-pj-status]").inner_text().startswith("6 points × 3 dimensions")
    assert page.locator("[data-pj-tensor] option").all_inner_texts() == ["vectors", "other.tsv"]
    assert page.locator("[data-pj-label] option").all_inner_texts() == ["word", "count"]

    page.select_option("[data-pj-color]", "word")  # six categories, six colours, a legend of six
    drawn = snapshot(page)
    assert drawn["colors"] == 6 and drawn["legend"] == ["w0", "w1", "w2", "w3", "w4", "w5"]
    assert "color=word" in page.url

    where = page.evaluate("() => window.board.screenOf(3)")
    page.mouse.move(where["x"], where["y"])
    tooltip = page.locator("[data-pj-tooltip]")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text() == "#3\nword: w3\ncount: 30"

    page.fill("[data-pj-search]", "w4")
    assert page.locator("[data-pj-matches]").inner_text() == "1 match"
    drawn = snapshot(page)
    assert drawn["matches"] == 1 and drawn["highlighted"] == [4] and drawn["colors"] == 2  # the rest dimmed
    page.fill("[data-pj-search]", "")

    page.mouse.click(where["x"], where["y"])
    page.wait_for_selector("[data-pj-neighbors] li")
    route = page.evaluate("() => fetch('/data/projector/neighbors?run=words&name=vectors&index=3&k=10')"
                          ".then((r) => r.json())")
    expected = [n["index"] for n in route["neighbors"]]
    shown = page.eval_on_selector_all("[data-pj-neighbors] li",
                                      "items => items.map((i) => Number(i.dataset.index))")
    assert shown == expected and len(shown) == 5  # every other point of six
    assert page.locator("[data-pj-selected]").inner_text() == "w3 (#3)"
    drawn = snapshot(page)
    assert drawn["selected"] == 3 and sorted(drawn["highlighted"]) == sorted([3, *expected])
    screenshot("projector-3d")

    page.click(".pj-dims span >> text=2-D")
    drawn = snapshot(page)
    assert drawn["cameraDims"] == 2 and "dims=2" in page.url
    screenshot("projector-2d")


def test_tensorboardx_layout_and_checkpoint_runs(board_server, page, screenshot, logdir):
    server = board_server(logdir)
    page.goto(f"{server.url}/projector")
    page.wait_for_function(LOADED)
    assert page.locator("[data-pj-run] option").all_inner_texts() == [".", "model", "words"]
    page.wait_for_function("() => window.board.snapshot().count === 12")  # tbX's default:00000
    page.select_option("[data-pj-color]", "label")
    assert snapshot(page)["legend"] == ["0", "1", "2"]
    page.select_option("[data-pj-run]", "model")
    page.wait_for_function("() => window.board.snapshot().count === 10")  # the checkpoint's variable
    assert snapshot(page)["tensor"] == "embedding"
    assert page.locator("[data-pj-label]").input_value() == "label"
    screenshot("projector-checkpoint")


def test_empty_logdir(board_server, page, screenshot, tmp_path):
    server = board_server(tmp_path)
    page.goto(f"{server.url}/projector")
    page.wait_for_function(LOADED)
    assert page.locator("[data-empty]").is_visible()
    assert not page.locator("[data-pj-view]").is_visible()
    screenshot("projector-empty")


def test_umap_in_a_worker(board_server, page, screenshot, logdir):
    server = board_server(logdir)
    page.goto(f"{server.url}/projector?run=.&method=umap&color=label")
    page.wait_for_function(LOADED)
    page.wait_for_function("() => window.board.snapshot().method === 'umap'", timeout=60_000)
    drawn = snapshot(page)
    assert drawn["count"] == 12 and drawn["legend"] == ["0", "1", "2"]
    assert "UMAP in 3 dimensions" in page.locator("[data-pj-status]").inner_text()
    page.click(".pj-dims span >> text=2-D")  # a new layout in two dimensions
    page.wait_for_function("() => window.board.snapshot().method === 'umap'"
                           " && window.board.snapshot().cameraDims === 2"
                           " && document.querySelector('[data-pj-status]').textContent"
                           ".includes('in 2 dimensions')",
                           timeout=60_000)
    screenshot("projector-umap")
    page.click(".pj-dims span >> text=PCA")
    page.wait_for_function("() => window.board.snapshot().method === 'pca'")
    assert "method=pca" in page.url
