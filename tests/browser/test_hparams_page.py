"""The HParams page in real Chromium: the table (sort, per-column filters, show/hide columns), the
parallel coordinates (brushing filters the table), the scatter plot matrix, a clicked group's
metric curves, and the run-name fallback for a logdir without hparams summaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.board.conftest import event_file, file_version_event, scalar_event, write_events
from tests.conftest import REAL_FIXTURES

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hparams"
LOADED = "() => document.body.dataset.loaded === 'true'"


def open_page(board_server, page, logdir, query=""):
    server = board_server(logdir)
    page.goto(f"{server.url}/hparams{query}")
    page.wait_for_function(LOADED)
    return server


def table_groups(page) -> list[str]:
    return page.eval_on_selector_all("tbody tr", "rows => rows.map(r => r.dataset.group)")


def test_table_sorts_filters_and_hides_columns(board_server, page, screenshot):
    open_page(board_server, page, FIXTURES / "tf1_logdir")
    assert table_groups(page) == ["c", "d", "g_a", "g_b"]  # session groups, by name
    headers = page.eval_on_selector_all("thead th", "ths => ths.map(t => t.textContent.trim())")
    assert headers[:4] == ["Session group", "act", "bn", "Learning rate"]  # differing hparams first
    assert "Eval accuracy" in headers[-2:]

    page.click("button.hp-sort >> text=Learning rate")
    assert table_groups(page) == ["g_b", "d", "g_a", "c"]  # 0.01, 0.05, 0.1, 0.5
    page.click("button.hp-sort >> text=Learning rate")
    assert table_groups(page) == ["c", "g_a", "d", "g_b"]
    screenshot("hparams-table")

    page.fill("input[aria-label='min Learning rate']", "0.04")
    page.press("input[aria-label='min Learning rate']", "Enter")
    page.wait_for_function("() => document.querySelectorAll('tbody tr').length === 3")
    page.fill("input[aria-label='filter act (regular expression)']", "^relu")
    page.wait_for_function("() => document.querySelectorAll('tbody tr').length === 2")
    assert sorted(table_groups(page)) == ["d", "g_a"]
    assert "2 of 4" in page.inner_text("[data-hp-status]")

    page.uncheck("[data-columns] input[data-column='h:bn']")
    headers = page.eval_on_selector_all("thead th", "ths => ths.map(t => t.textContent.trim())")
    assert "bn" not in headers and "act" in headers

    # the download is the table as shown: same groups, order and columns (less the group name)
    href = page.get_attribute("a.hp-download[data-format='json']", "href")
    table = page.evaluate("async (url) => (await fetch(url)).json()", href)
    assert table["header"] == [h.rstrip("▲▼") for h in headers[1:]]
    shown = page.eval_on_selector_all("tbody tr", "rows => rows.map(r => r.children[1].textContent)")
    assert [row[0] for row in table["rows"]] == shown  # act, in the page's order


def test_clicking_a_group_shows_its_metric_curves(board_server, page, screenshot):
    open_page(board_server, page, FIXTURES / "tf1_logdir")
    page.click("tbody tr[data-group='g_a']")
    page.wait_for_function("() => document.querySelector('[data-hp-curves]').dataset.state === 'ready'")
    assert page.locator(".hp-curve canvas").count() >= 2  # loss and eval accuracy, drawn by uPlot
    assert "3 sessions" in page.inner_text(".hp-curves__meta")
    assert page.locator("tbody tr.is-selected").get_attribute("data-group") == "g_a"
    screenshot("hparams-curves", full_page=True)


def test_parallel_coordinates_brush_filters_the_table(board_server, page, screenshot):
    open_page(board_server, page, REAL_FIXTURES / "multi_plugin" / "logdir", "?view=parallel")
    assert page.locator("polyline.hp-line").count() == 3
    axis = page.locator("g.hp-axis[data-column='h:learning_rate'] rect.hp-axis__hit")
    box = axis.bounding_box()
    # learning rates 0.001..0.1 on a log axis (top is high): brush the upper half, 0.01 and 0.1
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 2)
    page.mouse.down()
    page.mouse.move(x, box["y"] + box["height"] * 0.6, steps=4)
    page.mouse.up()
    screenshot("hparams-parallel")
    page.wait_for_function("() => document.querySelectorAll('polyline.hp-line.is-filtered').length === 1")
    assert page.locator("rect.hp-brush").count() == 1
    screenshot("hparams-parallel")
    page.click(".hp-views span:text-is('Table')")
    assert sorted(table_groups(page)) == ["lr0.01_adam_u16", "lr0.1_adam_u32"]


def test_scatter_plot_matrix_draws_every_metric_against_every_hparam(board_server, page, screenshot):
    open_page(board_server, page, REAL_FIXTURES / "multi_plugin" / "logdir", "?view=scatter")
    cells = page.locator("g.hp-cell")
    assert cells.count() == 2 * 3  # 2 metrics x 3 hparams
    assert page.locator("circle.hp-dot").count() == 6 * 3
    page.locator("circle.hp-dot[data-group='lr0.1_adam_u32']").first.click()
    page.wait_for_function("() => document.querySelector('[data-hp-curves]').dataset.state === 'ready'")
    screenshot("hparams-scatter", full_page=True)


def test_run_names_give_columns_without_hparams_summaries(board_server, page, screenshot, tmp_path):
    for name, lr, units in [("lr_0.1,units_16", 0.1, 16), ("lr_0.1,units_32", 0.1, 32),
                            ("lr_0.01,units_16", 0.01, 16), ("lr_0.01,units_32", 0.01, 32)]:
        write_events(event_file(tmp_path / name), [file_version_event()] +
                     [scalar_event("loss", s, 1.0 / (1 + s * lr * units)) for s in range(20)])
    open_page(board_server, page, tmp_path)
    assert page.is_visible("[data-hp-notice]")
    headers = page.eval_on_selector_all("thead th", "ths => ths.map(t => t.textContent.trim())")
    assert headers == ["Session group", "lr", "units", "loss"]
    assert len(table_groups(page)) == 4
    screenshot("hparams-run-names")


def test_logdir_without_any_hparams_shows_the_empty_state(board_server, page, tmp_path):
    write_events(event_file(tmp_path / "run"), [file_version_event(), scalar_event("loss", 1, 0.5)])
    open_page(board_server, page, tmp_path)
    assert page.is_visible("[data-empty]")
    assert "engine.summary" in page.inner_text("[data-empty]")


def test_a_session_written_while_the_page_is_open_appears(board_server, page, tmp_path):
    import engine as tf
    from engine.summary import hparams as hp

    def session(name, lr):
        with tf.summary.FileWriter(str(tmp_path / name)) as writer:
            writer.add_summary(hp.hparams_pb({"lr": lr}, start_time_secs=1.0))
            value = tf.summary.Summary.Value(tag="loss", simple_value=lr)
            writer.add_summary(tf.summary.Summary(value=[value]), 1)

    session("a", 0.1)
    server = board_server(tmp_path, reload_interval=0.5)
    page.goto(f"{server.url}/hparams")
    page.wait_for_function(LOADED)
    page.click("tbody tr")  # selected groups stay selected across reloads
    assert len(table_groups(page)) == 1
    session("b", 0.2)
    page.wait_for_function("() => document.querySelectorAll('tbody tr').length === 2", timeout=15000)
    assert page.locator("tbody tr.is-selected").count() == 1


@pytest.mark.parametrize("color_scheme", ["dark"])
def test_dark_theme(board_server, page, screenshot):
    open_page(board_server, page, REAL_FIXTURES / "multi_plugin" / "logdir", "?view=parallel")
    axis = page.eval_on_selector(".hp-axis__line", "el => getComputedStyle(el).stroke")
    label = page.eval_on_selector(".hp-axis__label", "el => getComputedStyle(el).fill")
    assert axis != "rgb(0, 0, 0)" and label != "rgb(0, 0, 0)"  # theme colours, light on dark
    screenshot("hparams-parallel-dark")
