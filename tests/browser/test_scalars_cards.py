"""Cards of the scalars page: width, full screen, box zoom and pan, empty cards, the tooltip's place,
axis tick labels and keyboard access."""

from __future__ import annotations

import math
import re

import pytest

from .events import write_run
from .pageutil import card, open_scalars, snapshot, wait_drawn

pytestmark = pytest.mark.browser


@pytest.fixture
def two_runs(board_server, page, tmp_path):
    """run_a has loss and acc; run_b has loss only; 200 steps each."""
    write_run(tmp_path / "run_a", {"loss": [(s, 1 / (s + 1)) for s in range(200)],
                                   "acc": [(s, s / 200) for s in range(200)]})
    write_run(tmp_path / "run_b", {"loss": [(s, 2 / (s + 1)) for s in range(200)]})
    server = board_server(tmp_path)
    page.server = server
    return page


def box(page, tag):
    return card(page, tag).locator(".u-over").bounding_box()


def drag(page, b, x0, y0, x1, y1, shift=False):
    if shift:
        page.keyboard.down("Shift")
    page.mouse.move(b["x"] + b["width"] * x0, b["y"] + b["height"] * y0)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] * x1, b["y"] + b["height"] * y1, steps=6)
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")


def test_card_width_small_medium_large(two_runs, screenshot):
    page = two_runs
    open_scalars(page, page.server.url, "?smoothing=0")
    wait_drawn(page, "loss")
    widths = {}
    for size in ("s", "m", "l"):
        page.click(f".segmented__item:has(input[data-setting=width][value={size}])")
        page.wait_for_function("(w) => document.querySelector('[data-groups]').dataset.width === w", arg=size)
        page.wait_for_timeout(100)
        widths[size] = card(page, "loss").bounding_box()["width"]
        screenshot(f"scalars-width-{size}")
    assert widths["s"] < widths["m"] < widths["l"], widths
    assert "width=l" in page.url
    open_scalars(page, page.server.url, "?width=s")
    assert page.is_checked("[data-setting=width][value=s]")


def test_full_screen_card_and_escape(two_runs, screenshot):
    page = two_runs
    open_scalars(page, page.server.url)
    wait_drawn(page, "loss")
    normal = card(page, "loss").bounding_box()
    card(page, "loss").locator("[data-ref=fullscreen]").click()
    page.wait_for_timeout(200)
    big = card(page, "loss").bounding_box()
    assert big["width"] > normal["width"] * 1.5 and big["height"] > normal["height"] * 1.5
    chart = card(page, "loss").locator(".u-over").bounding_box()
    assert chart["height"] > 300  # the chart grows with the card
    screenshot("scalars-fullscreen")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('article.card.is-fullscreen')")


def test_drag_box_zooms_x_and_y_flat_box_x_only_and_double_click_resets(two_runs, screenshot):
    page = two_runs
    open_scalars(page, page.server.url, "?smoothing=0&outliers=0")
    wait_drawn(page, "loss")
    full = snapshot(page, "loss")
    b = box(page, "loss")
    drag(page, b, 0.3, 0.5, 0.6, 0.8)  # a box: x and y
    drawn = snapshot(page, "loss")
    assert drawn["zoom"] is not None and drawn["yZoom"] is not None
    assert full["xScale"]["min"] < drawn["xScale"]["min"] < drawn["xScale"]["max"] < full["xScale"]["max"]
    assert full["yScale"]["min"] <= drawn["yScale"]["min"] < drawn["yScale"]["max"] < full["yScale"]["max"]
    screenshot("scalars-box-zoom")
    card(page, "loss").locator(".u-over").dblclick()
    drawn = snapshot(page, "loss")
    assert drawn["zoom"] is None and drawn["yZoom"] is None
    drag(page, b, 0.2, 0.5, 0.5, 0.52)  # flat: x only
    drawn = snapshot(page, "loss")
    assert drawn["zoom"] is not None and drawn["yZoom"] is None
    card(page, "loss").locator("[data-ref=reset]").click()
    assert snapshot(page, "loss")["zoom"] is None


def test_shift_drag_pans(two_runs):
    page = two_runs
    open_scalars(page, page.server.url, "?smoothing=0")
    wait_drawn(page, "loss")
    b = box(page, "loss")
    drag(page, b, 0.3, 0.5, 0.6, 0.8)
    before = snapshot(page, "loss")["xScale"]
    drag(page, b, 0.6, 0.5, 0.4, 0.5, shift=True)  # drag left: the view moves right
    after = snapshot(page, "loss")["xScale"]
    width = before["max"] - before["min"]
    assert math.isclose(after["max"] - after["min"], width, rel_tol=1e-6)
    assert math.isclose(after["min"] - before["min"], 0.2 * width, rel_tol=0.05)  # 20% of the plot


def test_empty_cards_are_hidden_with_a_count_and_a_toggle(two_runs, screenshot):
    page = two_runs
    open_scalars(page, page.server.url, "?run=run_b")
    wait_drawn(page, "loss")
    assert card(page, "acc").is_hidden()
    toggle = page.locator("[data-empty-toggle]")
    assert toggle.inner_text() == "Show 1 empty card"
    screenshot("scalars-empty-hidden")
    toggle.click()
    assert card(page, "acc").is_visible()
    assert "No selected run has this tag." in card(page, "acc").inner_text()
    assert toggle.inner_text() == "Hide 1 empty card" and "empty=1" in page.url
    toggle.click()
    assert card(page, "acc").is_hidden()
    page.click("[data-runs-all]")
    page.wait_for_function(
        "() => document.querySelector('[data-empty-toggle]').classList.contains('is-hidden')")
    wait_drawn(page, "acc")


def test_tooltip_never_covers_the_cards_table(two_runs, screenshot):
    page = two_runs
    open_scalars(page, page.server.url)
    wait_drawn(page, "loss")
    b = box(page, "loss")
    table = card(page, "loss").locator("table.summary").bounding_box()
    for fx in (0.05, 0.5, 0.95):
        page.mouse.move(b["x"] + b["width"] * fx, b["y"] + b["height"] * 0.5)
        tip = page.locator(".tooltip[data-tag=loss]")
        tip.wait_for(state="visible")
        t = tip.bounding_box()
        overlap_x = min(t["x"] + t["width"], table["x"] + table["width"]) - max(t["x"], table["x"])
        overlap_y = min(t["y"] + t["height"], table["y"] + table["height"]) - max(t["y"], table["y"])
        assert overlap_x <= 0 or overlap_y <= 0, (t, table)
    screenshot("scalars-tooltip")


def tick_labels(page, tag, axis):
    """The labels uPlot drew (on its canvas) at the ticks of one axis (0 = x, 1 = y), blanks left out."""
    return page.evaluate(
        """([tag, axis]) => window.board.grid.cards.get(tag).chart.plot.axes[axis]._values
            .map(String).filter((t) => t !== "")""",
        [tag, axis],
    )


def test_axis_labels_are_in_one_form(board_server, page, tmp_path, screenshot):
    values = [0.00105 - s * 0.0000005 for s in range(200)]  # 0.00105 .. 0.00095: used to mix forms
    write_run(tmp_path / "run", {"small": list(enumerate(values)),
                                 "big": [(s * 1000, s * 1e6) for s in range(50)]})
    server = board_server(tmp_path)
    open_scalars(page, server.url, "?smoothing=0&outliers=0")
    wait_drawn(page, "small")
    wait_drawn(page, "big")
    y = tick_labels(page, "small", 1)
    assert y and all(re.fullmatch(r"\d+\.\d+m", label) for label in y), y
    assert len({len(label) for label in y}) == 1, y  # same number of decimals
    assert all(re.fullmatch(r"\d+(\.\d+)?k|0", label) for label in tick_labels(page, "big", 0))
    assert all(re.fullmatch(r"\d+(\.\d+)?M|0", label) for label in tick_labels(page, "big", 1))
    page.click(".segmented__item:has(input[value=relative])")
    page.wait_for_function("() => window.board.snapshot('small').mode === 'relative'")
    assert all(re.fullmatch(r"0:0\d:\d\d", label) for label in tick_labels(page, "small", 0))
    page.click(".segmented__item:has(input[value=wall])")
    page.wait_for_function("() => window.board.snapshot('small').mode === 'wall'")
    wall = tick_labels(page, "small", 0)
    assert wall and all(re.fullmatch(r"\d\d:\d\d", label) for label in wall), wall  # 200 s: hh:mm
    screenshot("scalars-axis-labels")


def test_log_scale_labels_and_grid_lines_at_powers_of_ten_only(board_server, page, tmp_path, screenshot):
    write_run(tmp_path / "run", {"loss": [(s, 10 ** (-s / 50)) for s in range(200)]})
    server = board_server(tmp_path)
    open_scalars(page, server.url, "?smoothing=0&outliers=0&log=1")
    wait_drawn(page, "loss")
    labels = tick_labels(page, "loss", 1)
    # 1 .. 1e-4: beyond 0.01..1000, so every label takes an SI prefix (never "0.1" beside "1m")
    assert set(labels) <= {"1", "100m", "10m", "1m", "100µ", "10µ"} and len(labels) >= 3, labels
    grid = page.evaluate("""() => {
        const u = window.board.grid.cards.get('loss').chart.plot;
        const splits = u.axes[1]._splits;
        return splits.map((v) => u.axes[1].grid.filter(u, splits, 1).includes(v));
    }""")
    assert sum(grid) < len(grid)  # minor ticks have no grid line
    screenshot("scalars-log-grid")


def test_skip_link_reaches_the_charts_in_few_tab_stops(two_runs):
    page = two_runs
    open_scalars(page, page.server.url)
    wait_drawn(page, "loss")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    stops = 0
    while stops < 10:
        page.keyboard.press("Tab")
        stops += 1
        if page.evaluate("!!document.activeElement.closest('article.card')"):
            break
    assert stops <= 4, stops


def test_pinned_cards_come_first_and_stay_pinned_after_a_reload(board_server, page, tmp_path, screenshot):
    write_run(tmp_path / "run", {tag: [(s, s) for s in range(20)] for tag in ("a/x", "b/y", "c/z")})
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    wait_drawn(page, "a/x")
    first_tag = "() => document.querySelector('[data-groups] article.card').dataset.tag"
    assert page.evaluate(first_tag) == "a/x"
    card(page, "c/z").locator("[data-ref=pin]").click()
    assert page.evaluate(first_tag) == "c/z"
    assert page.locator("section[data-pinned] .group__name").inner_text() == "Pinned"
    assert card(page, "c/z").locator("[data-ref=pin]").get_attribute("aria-pressed") == "true"
    screenshot("scalars-pinned")
    open_scalars(page, server.url)  # same browser profile: pins are kept
    assert page.evaluate(first_tag) == "c/z"
    card(page, "c/z").locator("[data-ref=pin]").click()
    assert page.evaluate(first_tag) == "a/x"
    assert page.locator("section[data-pinned]").count() == 0


def test_card_settings_override_the_page_and_persist(board_server, page, tmp_path, screenshot):
    write_run(tmp_path / "run", {"loss": [(s, 10 ** (-s / 20)) for s in range(100)],
                                 "acc": [(s, s / 100) for s in range(100)]})
    server = board_server(tmp_path)
    open_scalars(page, server.url, "?smoothing=0.6")
    wait_drawn(page, "loss")
    menu = card(page, "loss").locator("details[data-ref=settingsMenu]")
    menu.locator("summary").click()
    menu.locator("select[name=log]").select_option("log")
    page.wait_for_function("() => window.board.snapshot('loss').log === true")
    assert snapshot(page, "acc")["log"] is False  # other cards follow the page
    menu.locator("input[name=smoothing]").fill("0")
    menu.locator("input[name=smoothing]").dispatch_event("change")
    page.wait_for_function("() => window.board.snapshot('loss').smoothing === 0")
    menu.locator("input[name=yMax]").fill("0.5")
    menu.locator("input[name=yMax]").dispatch_event("change")
    page.wait_for_function("() => window.board.snapshot('loss').yScale.max === 0.5")
    assert menu.locator("summary").get_attribute("aria-pressed") == "true"
    screenshot("scalars-card-settings", target=card(page, "loss"))
    open_scalars(page, server.url, "?smoothing=0.6")  # kept in this browser
    wait_drawn(page, "loss")
    drawn = snapshot(page, "loss")
    assert (drawn["log"], drawn["smoothing"], drawn["yScale"]["max"]) == (True, 0, 0.5)
    menu = card(page, "loss").locator("details[data-ref=settingsMenu]")
    menu.locator("summary").click()
    menu.locator("[data-ref=settingsReset]").click()
    page.wait_for_function("(s => s.smoothing === 0.6 && !s.log)(window.board.snapshot('loss'))")


def table(page, tag):
    """Header and rows of a card's table: ([labels], {run: [cell texts]})."""
    return page.evaluate(
        """(tag) => {
            const el = document.querySelector(`article.card[data-tag="${tag}"] table.summary`);
            const head = Array.from(el.querySelectorAll("thead th"), (th) => th.textContent);
            const rows = Object.fromEntries(Array.from(el.querySelectorAll("tbody tr"), (tr) =>
                [tr.dataset.run,
                 Array.from(tr.querySelectorAll("td"), (td) => td.dataset.value ?? td.textContent)]));
            return [head, rows];
        }""",
        tag,
    )


SELECTION = "(kind) => document.querySelector('article.card[data-tag=loss]').dataset.selection === kind"


def test_step_and_range_selection_show_values_per_run(two_runs, screenshot):
    page = two_runs
    open_scalars(page, page.server.url, "?smoothing=0")
    wait_drawn(page, "loss")
    over = card(page, "loss").locator(".u-over")
    b = box(page, "loss")
    page.mouse.click(b["x"] + b["width"] * 0.5, b["y"] + b["height"] * 0.5)
    page.wait_for_function(SELECTION, arg="step")
    step = snapshot(page, "loss")["selection"]["x0"]
    assert step == int(step) and 80 < step < 120
    head, rows = table(page, "loss")
    assert head == ["Run", "Smoothed", "Value", "Step", "vs run_a"]
    a, bb = rows["run_a"], rows["run_b"]
    assert float(a[2]) == pytest.approx(1 / (step + 1)) and float(bb[2]) == pytest.approx(2 / (step + 1))
    assert float(bb[4]) == pytest.approx(1 / (step + 1))  # compare at step: run_b - run_a
    assert "At step" in card(page, "loss").locator("[data-ref=selection]").inner_text()
    screenshot("scalars-step-selection", target=card(page, "loss"))

    page.keyboard.down("Shift")
    page.mouse.click(b["x"] + b["width"] * 0.9, b["y"] + b["height"] * 0.5)
    page.keyboard.up("Shift")
    page.wait_for_function(SELECTION, arg="range")
    sel = snapshot(page, "loss")["selection"]
    assert sel["x0"] == step and sel["x1"] > step
    head, rows = table(page, "loss")
    assert head == ["Run", "Start", "End", "Change", "Min", "Max", "Mean"]
    values = [1 / (s + 1) for s in range(int(sel["x0"]), int(sel["x1"]) + 1)]
    start, end, change, lo, hi, mean = map(float, rows["run_a"][1:])
    assert (start, end, lo, hi) == pytest.approx((values[0], values[-1], min(values), max(values)))
    assert change == pytest.approx(values[-1] - values[0])
    assert mean == pytest.approx(sum(values) / len(values))
    screenshot("scalars-range-selection", target=card(page, "loss"))

    page.keyboard.press("Escape")
    page.wait_for_function(SELECTION, arg="")
    assert table(page, "loss")[0] == ["Run", "Last", "Min", "Max"]
    over.dblclick()  # a double-click resets the zoom and selects nothing
    assert snapshot(page, "loss")["selection"] is None


def test_alt_wheel_zooms_about_the_cursor_and_a_plain_wheel_scrolls(two_runs):
    page = two_runs
    open_scalars(page, page.server.url)
    wait_drawn(page, "loss")
    b = box(page, "loss")
    page.mouse.move(b["x"] + b["width"] * 0.5, b["y"] + b["height"] * 0.5)
    full = snapshot(page, "loss")["xScale"]
    page.keyboard.down("Alt")
    page.mouse.wheel(0, -100)  # wheel up: zoom in
    page.keyboard.up("Alt")
    zoomed = snapshot(page, "loss")["xScale"]
    assert zoomed["max"] - zoomed["min"] < (full["max"] - full["min"]) * 0.9
    assert full["min"] < zoomed["min"] < zoomed["max"] < full["max"]  # about the cursor, in the middle
    page.mouse.wheel(0, 100)  # no Alt: the page scrolls, the chart keeps its zoom
    assert snapshot(page, "loss")["xScale"] == zoomed
