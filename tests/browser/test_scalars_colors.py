"""Run colors on the scalars page: distinct for the runs shown, the same after a reload."""

from __future__ import annotations

import math

import pytest

from .events import write_run
from .pageutil import open_scalars, snapshot, wait_drawn

pytestmark = pytest.mark.browser

# Three of these shared one color when the color was a hash of the name.
RUNS = [f"{optimizer}/lr={lr}" for optimizer in ("adam", "sgd") for lr in ("0.1", "0.01", "0.001", "0.0001")]


def line_colors(page) -> dict[str, str]:
    wait_drawn(page, "loss")
    return {run: drawn["color"] for run, drawn in snapshot(page, "loss")["runs"].items()}


def swatch_colors(page) -> dict[str, str]:
    """The color each run's checkbox in the run list shows."""
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll("li[data-run]"), (li) =>
            [li.dataset.run, li.querySelector("input").style.getPropertyValue("--run-color")]))"""
    )


def test_eight_runs_get_distinct_colors_that_survive_a_reload(board_server, page, tmp_path, screenshot):
    for i, run in enumerate(RUNS):
        write_run(tmp_path / run, {"loss": [(s, (i + 1) / (s + 1)) for s in range(30)]})
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    colors = line_colors(page)
    assert sorted(colors) == sorted(RUNS)
    assert len(set(colors.values())) == len(RUNS), colors
    assert swatch_colors(page) == colors
    screenshot("scalars-eight-run-colors")

    page.reload()
    page.wait_for_selector("body[data-loaded=true]")
    assert line_colors(page) == colors
    assert swatch_colors(page) == colors


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_twelve_run_colors_in_both_themes(color_scheme, board_server, page, tmp_path, screenshot):
    """Every palette color on screen at once, for looking at (tests/board/test_run_colors.py
    checks their contrast with the card background)."""
    runs = [f"run{i:02d}" for i in range(12)]
    for i, run in enumerate(runs):
        write_run(tmp_path / run, {"loss": [(s, i + 0.4 * math.sin(s / 4 + i)) for s in range(60)]})
    open_scalars(page, board_server(tmp_path).url)
    colors = line_colors(page)
    assert len(set(colors.values())) == len(runs), colors
    screenshot(f"scalars-run-colors-{color_scheme}")
