"""Empty and error states of the scalars page, and the top bar."""

from __future__ import annotations

import pytest

from .fixture_data import FIXTURES
from .pageutil import open_scalars

pytestmark = pytest.mark.browser


def test_empty_logdir_names_the_folder_and_shows_the_code(board_server, page, tmp_path, screenshot):
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    empty = page.locator("[data-empty]")
    assert empty.is_visible()
    text = empty.inner_text()
    assert str(tmp_path) in text
    assert "tf.summary.FileWriter" in text and "add_summary" in text and "tf.summary.scalar" in text
    assert "add_scalar" in text
    assert page.locator("article.card").count() == 0
    screenshot("scalars-empty")


def test_logdir_with_only_a_graph_says_so(board_server, page, screenshot):
    server = board_server(FIXTURES / "tf1_graph_const")
    open_scalars(page, server.url)
    assert page.locator("[data-empty]").is_visible()
    assert "found 2 runs, but none has scalar summaries" in page.inner_text("[data-empty]")


def test_top_bar_has_logdir_dashboards_and_reload_indicator(board_server, page, tmp_path, screenshot):
    from .events import write_run

    write_run(tmp_path / "run", {"loss": [(0, 1.0)]})
    server = board_server(tmp_path, reload_interval=1)
    page.goto(server.url + "/")
    assert page.url.endswith("/scalars")
    assert page.inner_text(".topbar__logdir") == str(tmp_path)
    tabs = page.locator(".topbar__tab")
    assert tabs.all_inner_texts() == ["Time Series", "Scalars", "Images", "Audio", "Graphs", "Distributions",
                                      "Histograms", "Text", "PR Curves", "Custom Scalars", "HParams",
                                      "Projector"]
    assert "is-active" in tabs.nth(1).get_attribute("class")
    page.wait_for_function("() => document.querySelector('[data-reload]').dataset.changedAt")
    assert "Data changed" in page.inner_text("[data-reload]")
    screenshot("scalars-topbar", target=page.locator(".topbar"))


def test_the_code_shown_in_the_empty_state_makes_a_card_appear(board_server, page, tmp_path, screenshot):
    server = board_server(tmp_path, reload_interval=0.5)
    open_scalars(page, server.url)
    code = page.locator("[data-empty] pre").nth(1).inner_text()
    namespace = {"step": 3}
    exec(code, namespace)  # noqa: S102 - the page's own snippet, run as a user would paste it
    namespace["writer"].flush()
    page.wait_for_selector("article.card[data-tag=loss][data-drawn]", timeout=5_000)
    assert page.locator("[data-empty]").is_hidden()
    namespace["writer"].close()
