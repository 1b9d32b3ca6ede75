"""The scalars page over the real TF1, TF2, tensorboardX and PyTorch logdirs: one card per tag, one
line per run, and the summary table's last value equal to the file's last value."""

from __future__ import annotations

import pytest

from .fixture_data import LOGDIRS, expected_series, logdir
from .pageutil import card, open_scalars, snapshot, table_values, wait_drawn

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", sorted(LOGDIRS))
def test_one_card_per_tag_one_line_per_run_and_last_values(name, board_server, page, screenshot):
    expected = expected_series(name)
    tags = sorted({tag for _, tag in expected})
    server = board_server(logdir(name))
    open_scalars(page, server.url)

    assert sorted(page.eval_on_selector_all("article.card", "els => els.map(e => e.dataset.tag)")) == tags
    for tag in tags:
        runs = sorted(run for run, t in expected if t == tag)
        wait_drawn(page, tag)
        drawn = snapshot(page, tag)
        assert sorted(drawn["runs"]) == runs
        assert card(page, tag).get_attribute("data-runs") == str(len(runs))
        table = table_values(page, tag)
        for run in runs:
            points = expected[(run, tag)]
            assert drawn["runs"][run]["step"] == [s for s, _ in points]
            assert drawn["runs"][run]["raw"] == [v for _, v in points]
            assert table[run]["last"] == points[-1][1]
            low = min(points, key=lambda p: p[1])
            high = max(points, key=lambda p: p[1])
            assert (table[run]["min"], table[run]["max"]) == (low[1], high[1])
            assert (table[run]["minStep"], table[run]["maxStep"]) == (low[0], high[0])
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(f"scalars-{name}")


@pytest.mark.parametrize("color_scheme", ["dark"])
def test_dark_mode_follows_the_os(color_scheme, board_server, page, screenshot):
    server = board_server(logdir("tf2_summaries"))
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 24, 28)"
    # The chart's canvas gets the theme's colors resolved (base.css writes them as light-dark()).
    assert snapshot(page, "loss")["axisColor"] == "rgb(165, 176, 187)"
    screenshot("scalars-dark")
    page.click("[data-theme-toggle]")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(245, 246, 248)"
    page.wait_for_function("() => window.board.snapshot('loss').axisColor === 'rgb(89, 99, 110)'")
    screenshot("scalars-dark-toggled-light")


def test_toggle_to_dark_on_a_light_os_is_kept_after_a_reload(board_server, page, screenshot):
    server = board_server(logdir("tf2_summaries"))
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    assert snapshot(page, "loss")["axisColor"] == "rgb(89, 99, 110)"
    page.click("[data-theme-toggle]")
    page.wait_for_function("() => window.board.snapshot('loss').axisColor === 'rgb(165, 176, 187)'")
    page.reload()
    page.wait_for_selector("body[data-loaded=true]")
    wait_drawn(page, "loss")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(21, 24, 28)"
    assert snapshot(page, "loss")["axisColor"] == "rgb(165, 176, 187)"
    screenshot("scalars-light-toggled-dark")
