"""Live reload on the scalars page: new points, runs and tags appear without a page reload, and the
user's zoom is kept."""

from __future__ import annotations

import time

import pytest

from .events import ScalarEventFile
from .pageutil import card, drawn_count, open_scalars, snapshot, wait_drawn

pytestmark = pytest.mark.browser

RELOAD = 1.0  # seconds, the server's --reload-interval


def drag_zoom(page, tag: str, start: float, end: float) -> None:
    box = page.locator(f"article.card[data-tag={tag}] .u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * start, box["y"] + 50)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end, box["y"] + 60, steps=4)
    page.mouse.up()


def test_appended_points_are_drawn_within_two_reload_intervals_and_zoom_is_kept(
    board_server, page, tmp_path, screenshot
):
    events = ScalarEventFile(tmp_path / "train", start_time=1.7e9)
    events.add("loss", [(s, 1.0 / (1 + s)) for s in range(50)])
    server = board_server(tmp_path, reload_interval=RELOAD)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    assert len(snapshot(page, "loss")["runs"]["train"]["step"]) == 50

    drag_zoom(page, "loss", 0.2, 0.5)
    zoom = snapshot(page, "loss")["zoom"]
    assert zoom is not None
    page.evaluate("window.scrollTo(0, 40)")
    scroll = page.evaluate("window.scrollY")
    draws = drawn_count(page, "loss")

    events.add("loss", [(s, 1.0 / (1 + s)) for s in range(50, 80)])
    appended = time.monotonic()
    page.wait_for_function(
        "() => window.board.snapshot('loss').runs.train.step.length === 80", timeout=2 * RELOAD * 1000 + 500
    )
    elapsed = time.monotonic() - appended
    assert elapsed < 2 * RELOAD + 0.2, elapsed
    after = snapshot(page, "loss")
    assert drawn_count(page, "loss") > draws
    assert after["zoom"] == zoom
    assert after["xScale"] == {"min": zoom["min"], "max": zoom["max"]}
    assert page.evaluate("window.scrollY") == scroll
    screenshot("scalars-live-zoom-kept")
    print(f"appended points drawn after {elapsed:.2f} s (reload interval {RELOAD} s)")


def test_new_runs_and_tags_appear(board_server, page, tmp_path, screenshot):
    ScalarEventFile(tmp_path / "a", start_time=1.7e9).add("loss", [(s, s * 0.5) for s in range(20)])
    server = board_server(tmp_path, reload_interval=RELOAD)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    # the user's selection must survive reloads
    page.locator("li[data-run='a'] input[type=checkbox]").uncheck()
    color = ("(run) => document.querySelector(`li[data-run='${run}'] input`)"
             ".style.getPropertyValue('--run-color')")
    color_a = page.evaluate(color, "a")

    b = ScalarEventFile(tmp_path / "b", start_time=1.7e9)
    b.add("loss", [(s, s * 0.25) for s in range(20)])
    b.add("accuracy/train", [(s, s / 20) for s in range(20)])
    page.wait_for_selector("li[data-run='b']", timeout=3 * RELOAD * 1000)
    page.wait_for_selector("article.card[data-tag='accuracy/train']", timeout=3 * RELOAD * 1000)
    page.wait_for_function("() => Object.keys(window.board.snapshot('loss')?.runs ?? {}).join() === 'b'")
    assert not page.is_checked("li[data-run='a'] input[type=checkbox]")
    assert page.is_checked("li[data-run='b'] input[type=checkbox]")
    # A run that appears keeps the colors on screen and takes one of its own.
    assert page.evaluate(color, "a") == color_a
    assert page.evaluate(color, "b") not in ("", color_a)
    wait_drawn(page, "accuracy/train")
    group = card(page, "accuracy/train").locator("xpath=ancestor::section")
    assert group.get_attribute("data-group") == "accuracy"
    screenshot("scalars-live-new-run")
