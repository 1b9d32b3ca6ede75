"""Controls of the scalars page: smoothing (checked against TensorBoard's formula), run selection,
tag filter, log scale, x-axis modes, zoom, downloads and the URL state."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from .fixture_data import expected_series, logdir
from .pageutil import card, open_scalars, set_smoothing, snapshot, tb_smooth, wait_drawn

pytestmark = pytest.mark.browser

TF2 = "tf2_summaries"


def assert_close(actual: list[float], expected: list[float]) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        assert math.isclose(a, e, rel_tol=1e-12, abs_tol=1e-15), (a, e)


@pytest.fixture
def tf2_page(board_server, page):
    server = board_server(logdir(TF2))
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    page.server = server
    return page


@pytest.mark.parametrize("weight", [0.0, 0.6, 0.9, 0.999])
def test_smoothing_matches_tensorboards_formula(weight, tf2_page):
    expected = expected_series(TF2)
    set_smoothing(tf2_page, weight)
    drawn = snapshot(tf2_page, "loss")
    assert drawn["smoothing"] == weight
    for run in ("run_a", "run_b"):
        raw = [v for _, v in expected[(run, "loss")]]
        assert drawn["runs"][run]["raw"] == raw
        assert_close(drawn["runs"][run]["smoothed"], tb_smooth(raw, weight))


def test_default_smoothing_is_0_6_and_a_constant_series_is_not_smoothed(board_server, page, tmp_path):
    from .events import write_run

    series = {"constant": [(s, 0.1) for s in range(50)], "ramp": [(s, s) for s in range(50)]}
    write_run(tmp_path / "run", series)
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    wait_drawn(page, "constant")
    wait_drawn(page, "ramp")
    constant = snapshot(page, "constant")
    assert constant["smoothing"] == 0.6
    assert constant["runs"]["run"]["smoothed"] == constant["runs"]["run"]["raw"]
    ramp = snapshot(page, "ramp")["runs"]["run"]
    assert_close(ramp["smoothed"], tb_smooth(ramp["raw"], 0.6))
    assert ramp["smoothed"] != ramp["raw"]


def test_smoothing_slider_changes_plotted_values(tf2_page, screenshot):
    before = snapshot(tf2_page, "loss")["runs"]["run_a"]["smoothed"]
    set_smoothing(tf2_page, 0.95)
    after = snapshot(tf2_page, "loss")["runs"]["run_a"]["smoothed"]
    assert before != after
    assert "smoothing=0.95" in tf2_page.url
    screenshot("scalars-smoothing-0.95")


def test_unchecking_a_run_removes_its_line(tf2_page, screenshot):
    assert card(tf2_page, "loss").get_attribute("data-runs") == "2"
    tf2_page.locator("li[data-run='run_b'] input[type=checkbox]").uncheck()
    tf2_page.wait_for_function(
        "() => document.querySelector('article.card[data-tag=loss]').dataset.runs === '1'")
    assert list(snapshot(tf2_page, "loss")["runs"]) == ["run_a"]
    assert "run=run_a" in tf2_page.url
    screenshot("scalars-run-b-unchecked")
    tf2_page.click("[data-runs-none]")
    tf2_page.wait_for_selector("article.card[data-tag=loss][data-drawn=empty]", state="attached")
    assert card(tf2_page, "loss").is_hidden()  # empty cards are hidden, and counted
    assert tf2_page.inner_text("[data-empty-toggle]") == "Show 2 empty cards"
    tf2_page.click("[data-runs-all]")
    tf2_page.wait_for_function(
        "() => document.querySelector('article.card[data-tag=loss]').dataset.runs === '2'"
    )


def test_run_filter_regex_limits_the_lines(tf2_page):
    tf2_page.fill("[data-run-filter]", "_b$")
    tf2_page.wait_for_function(
        "() => document.querySelector('article.card[data-tag=loss]').dataset.runs === '1'"
    )
    assert list(snapshot(tf2_page, "loss")["runs"]) == ["run_b"]
    assert tf2_page.locator("li[data-run='run_a']").is_hidden()


def test_tag_filter_hides_cards(tf2_page, screenshot):
    tf2_page.fill("[data-tag-filter]", "^learn")
    assert card(tf2_page, "loss").is_hidden()
    assert card(tf2_page, "learning_rate").is_visible()
    assert tf2_page.inner_text("[data-tag-status]") == "1 of 2 tags"
    screenshot("scalars-tag-filter")
    tf2_page.fill("[data-tag-filter]", "([")  # invalid: flagged, nothing hidden
    assert "is-invalid" in tf2_page.get_attribute("[data-tag-filter]", "class")
    assert card(tf2_page, "loss").is_visible()


def test_log_scale_renders(tf2_page, screenshot):
    tf2_page.check("[data-setting=log]")
    tf2_page.wait_for_function("() => window.board.snapshot('loss').log === true")
    drawn = snapshot(tf2_page, "loss")
    assert drawn["yScale"]["min"] > 0
    assert "log=1" in tf2_page.url
    screenshot("scalars-log-scale")


@pytest.mark.parametrize("mode", ["step", "relative", "wall"])
def test_x_axis_modes_render(mode, tf2_page, screenshot):
    tf2_page.click(f".segmented__item:has(input[value={mode}])")
    tf2_page.wait_for_function("(m) => window.board.snapshot('loss').mode === m", arg=mode)
    run = snapshot(tf2_page, "loss")["runs"]["run_a"]
    if mode == "step":
        assert run["x"] == run["step"]
    elif mode == "relative":
        assert run["x"][0] == 0 and all(b >= a for a, b in zip(run["x"], run["x"][1:], strict=False))
    else:
        assert run["x"][0] > 1.7e9
    tf2_page.hover("article.card[data-tag=loss] .u-over", position={"x": 200, "y": 100})
    tooltip = tf2_page.locator(".tooltip[data-tag=loss]")
    tooltip.wait_for(state="visible")
    assert "run_a" in tooltip.inner_text() and "run_b" in tooltip.inner_text()
    screenshot(f"scalars-x-{mode}")


def test_ignore_outliers_is_on_by_default_and_narrows_the_y_range(board_server, page, tmp_path, screenshot):
    from .events import write_run

    points = [(s, 1.0 + 0.01 * (s % 7)) for s in range(200)]
    points[100] = (100, 1000.0)  # one spike
    write_run(tmp_path / "spiky", {"loss": points})
    server = board_server(tmp_path)
    open_scalars(page, server.url, "?smoothing=0")
    wait_drawn(page, "loss")
    assert page.is_checked("[data-setting=outliers]")  # on by default, as in TensorBoard
    assert snapshot(page, "loss")["yScale"]["max"] < 10
    screenshot("scalars-ignore-outliers")
    page.uncheck("[data-setting=outliers]")
    page.wait_for_function("() => window.board.snapshot('loss').yScale.max >= 1000")
    assert "outliers=0" in page.url


def test_drag_zooms_and_double_click_resets(tf2_page, screenshot):
    over = tf2_page.locator("article.card[data-tag=loss] .u-over")
    box = over.bounding_box()
    tf2_page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + 40)
    tf2_page.mouse.down()
    tf2_page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 60, steps=5)
    tf2_page.mouse.up()
    zoom = snapshot(tf2_page, "loss")["zoom"]
    assert zoom is not None and 20 < zoom["min"] < zoom["max"] < 70
    screenshot("scalars-zoomed")
    over.dblclick()
    assert snapshot(tf2_page, "loss")["zoom"] is None


def read_download(page, trigger) -> str:
    with page.expect_download() as info:
        trigger()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_csv_and_json_downloads_equal_the_data(tf2_page):
    expected = expected_series(TF2)
    menu = tf2_page.locator("article.card[data-tag=loss] details[data-ref=menu]")
    menu.locator("summary").click()
    text = read_download(tf2_page, lambda: menu.locator("a[data-download=csv][data-run=run_a]").click())
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Wall time", "Step", "Value"]
    assert [(int(r[1]), float(r[2])) for r in rows[1:]] == expected[("run_a", "loss")]

    text = read_download(tf2_page, lambda: menu.locator("a[data-download=json][data-run=run_b]").click())
    assert [(s, v) for _, s, v in json.loads(text)] == expected[("run_b", "loss")]

    text = read_download(tf2_page, lambda: menu.locator("[data-download=all-csv]").click())
    rows = list(csv.DictReader(io.StringIO(text)))
    for run in ("run_a", "run_b"):
        got = [(int(r["Step"]), float(r["Value"])) for r in rows if r["Run"] == run]
        assert got == expected[(run, "loss")]


def test_state_in_the_url_reopens_the_same_view(tf2_page, page):
    query = "?smoothing=0.8&x=relative&log=1&tags=loss&run=run_b"
    open_scalars(page, page.server.url, query)
    wait_drawn(page, "loss")
    drawn = snapshot(page, "loss")
    assert (drawn["smoothing"], drawn["mode"], drawn["log"]) == (0.8, "relative", True)
    assert list(drawn["runs"]) == ["run_b"]
    assert page.input_value("[data-tag-filter]") == "loss"
    assert page.is_checked("[data-setting=x][value=relative]")
    assert card(page, "learning_rate").is_hidden()
    assert page.url.endswith(query)


def test_groups_collapse_and_expand(board_server, page, tmp_path):
    from .events import write_run

    write_run(tmp_path / "run", {"train/loss": [(0, 1.0), (1, 0.5)], "eval/loss": [(0, 2.0), (1, 1.5)]})
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    groups = page.eval_on_selector_all("section.group", "els => els.map(e => e.dataset.group)")
    assert groups == ["eval", "train"]
    head = page.locator("section[data-group=train] .group__head")
    head.click()
    assert head.get_attribute("aria-expanded") == "false"
    assert card(page, "train/loss").is_hidden()
    assert card(page, "eval/loss").is_visible()
    head.click()
    assert card(page, "train/loss").is_visible()


def test_smoothing_of_a_downsampled_series_uses_every_point(board_server, page, tmp_path):
    """A long series arrives downsampled (each bucket keeps its extremes); its smoothed line must
    still be TensorBoard's EMA over every point, not over the kept ones (which over-weighs spikes)."""
    from .events import write_run

    values = [1.0 / (1 + 0.01 * s) + (5.0 if s % 397 == 0 else 0.0) for s in range(6000)]
    write_run(tmp_path / "long", {"loss": list(enumerate(values))})
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    for weight in (0.6, 0.95):
        set_smoothing(page, weight)
        page.wait_for_function(
            "(w) => window.board.snapshot('loss').runs.long.smoothingFromServer === w",
            arg=weight,
        )
        drawn = snapshot(page, "loss")["runs"]["long"]
        assert len(drawn["step"]) < len(values)  # really downsampled
        full = tb_smooth([float(np.float32(v)) for v in values], weight)
        assert_close(drawn["smoothed"], [full[int(s)] for s in drawn["step"]])


def test_nan_and_inf_pass_through_smoothing(board_server, page, tmp_path):
    from .events import write_run

    values = [1.0, 0.8, float("nan"), 0.6, float("inf"), 0.5, 0.45, float("-inf"), 0.4]
    write_run(tmp_path / "run", {"loss": list(enumerate(values))})
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    drawn = snapshot(page, "loss")["runs"]["run"]
    expected = tb_smooth([float(np.float32(v)) for v in values], 0.6)  # simple_value is a float32
    for got, want in zip(drawn["smoothed"], expected, strict=True):
        if math.isnan(want):
            assert math.isnan(got)
        elif math.isinf(want):
            assert got == want
        else:
            assert math.isclose(got, want, rel_tol=1e-12)


def test_zooming_into_a_downsampled_series_fetches_every_point_of_the_window(board_server, page, tmp_path):
    from .events import write_run

    write_run(tmp_path / "long", {"loss": [(s, math.sin(s / 50.0)) for s in range(20_000)]})
    server = board_server(tmp_path)
    open_scalars(page, server.url, "?smoothing=0")
    wait_drawn(page, "loss")
    overview = snapshot(page, "loss")["runs"]["long"]
    assert overview["downsampled"] and len(overview["step"]) < 2_000
    over = page.locator("article.card[data-tag=loss] .u-over")
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.50, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.52, box["y"] + 60, steps=3)
    page.mouse.up()
    zoom = snapshot(page, "loss")["zoom"]
    page.wait_for_function(
        """([lo, hi]) => {
            const r = window.board.snapshot('loss').runs.long;
            return r.step.filter((s) => s >= lo && s <= hi).length >= Math.floor(hi) - Math.ceil(lo);
        }""",
        arg=[zoom["min"], zoom["max"]],
    )
    drawn = snapshot(page, "loss")
    assert drawn["zoom"] == zoom
    inside = [s for s in drawn["runs"]["long"]["step"] if zoom["min"] <= s <= zoom["max"]]
    assert inside == list(range(math.ceil(zoom["min"]), math.floor(zoom["max"]) + 1))
    over.dblclick()
    page.wait_for_function("() => window.board.snapshot('loss').runs.long.step.length < 2000")
