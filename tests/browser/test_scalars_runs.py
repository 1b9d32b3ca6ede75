"""The run list of the scalars page: color picker, "Only selected", and a thousand runs (virtual list,
default selection, filter speed)."""

from __future__ import annotations

import pytest

from .events import write_run
from .pageutil import open_scalars, snapshot, wait_drawn

pytestmark = pytest.mark.browser


def test_run_color_picker_changes_the_line_and_is_kept(board_server, page, tmp_path, screenshot):
    for run in ("a", "b"):
        write_run(tmp_path / run, {"loss": [(s, s) for s in range(20)]})
    server = board_server(tmp_path)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    page.click("li[data-run=a] button[data-color-of]")
    # The native color dialog cannot be driven headless: set the input as the dialog would.
    page.evaluate("""() => { const input = document.querySelector('[data-run-picker]');
                             input.value = '#123456'; input.dispatchEvent(new Event('input')); }""")
    page.wait_for_function("() => window.board.snapshot('loss').runs.a.color === '#123456'")
    swatch = ("(run) => document.querySelector(`li[data-run='${run}'] input`)"
              ".style.getPropertyValue('--run-color')")
    assert page.evaluate(swatch, "a") == "#123456"
    screenshot("scalars-run-color")
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    assert snapshot(page, "loss")["runs"]["a"]["color"] == "#123456"
    assert snapshot(page, "loss")["runs"]["b"]["color"] != "#123456"


def listed(page) -> list[str]:
    """The runs the run list has rows for, top to bottom."""
    return page.locator("div[data-runs] li[data-run]").evaluate_all("(els) => els.map((e) => e.dataset.run)")


@pytest.fixture(scope="module")
def thousand_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("thousand")
    for i in range(1000):
        write_run(root / f"sweep/run{i}", {"loss": [(s, (i + 1) / (s + 1)) for s in range(5)]})
    return root


def test_a_thousand_runs_list_only_the_rows_in_view(board_server, page, thousand_runs, screenshot):
    server = board_server(thousand_runs)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    rows = page.locator("div[data-runs] li[data-run]")
    assert 10 < rows.count() < 80  # rows in view only
    assert page.inner_text("[data-run-count]") == "40 of 1000 shown"  # TensorBoard's default of 40
    assert len(snapshot(page, "loss")["runs"]) == 40
    assert "run=" not in page.url  # the default selection stays out of the URL
    page.locator("div[data-runs]").evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    page.wait_for_selector("li[data-run='sweep/run999']")
    page.fill("[data-run-filter]", "run99")  # run99, run990..999 in the order given
    assert listed(page) == ["sweep/run99", *[f"sweep/run{i}" for i in range(990, 1000)]]
    screenshot("scalars-thousand-runs")


ROWS_COVER = """() => {
  const list = document.querySelector("div[data-runs]");
  const rows = [...list.querySelectorAll("li[data-run]")].map((li) => li.getBoundingClientRect());
  const box = list.getBoundingClientRect();
  return {rows: rows.length, covered: rows.some((r) => r.top <= box.top + 1)
          && rows.some((r) => r.bottom >= box.bottom - 1)};
}"""


def test_run_rows_fill_the_list_from_the_first_frame_and_after_a_resize(board_server, page, thousand_runs):
    # The first rows are built before the page's first layout, from the window's height
    # (static/js/scalars/runs.js): they must still fill the list, and follow its later sizes.
    server = board_server(thousand_runs)
    page.set_viewport_size({"width": 1280, "height": 600})
    page.add_init_script("""new MutationObserver((_, observer) => {
      const list = document.querySelector("div[data-runs] ul");
      if (!list || !list.children.length) return;
      observer.disconnect();
      requestAnimationFrame(() => { window.firstFrameRows = list.children.length; });
    }).observe(document, {childList: true, subtree: true});""")
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    first = page.evaluate("window.firstFrameRows")
    height = page.locator("div[data-runs]").evaluate("(el) => el.clientHeight")
    assert first * 26 >= height, (first, height)
    assert page.evaluate(ROWS_COVER)["covered"]
    page.set_viewport_size({"width": 1280, "height": 1400})
    for _ in range(50):  # the ResizeObserver renders the new rows on the next frame
        if page.evaluate(ROWS_COVER)["covered"]:
            break
        page.wait_for_timeout(50)
    assert page.evaluate(ROWS_COVER)["covered"]
    assert page.locator("div[data-runs]").evaluate("(el) => el.clientHeight") > height


def test_only_selected_and_filter_per_keystroke(board_server, page, thousand_runs):
    server = board_server(thousand_runs)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    page.check("[data-runs-only-selected]")
    # The virtual list is as tall as the 40 selected runs' rows.
    spacer = page.evaluate("document.querySelector('div[data-runs] .runs__spacer').style.height")
    assert spacer == f"{40 * 26}px"
    assert "onlySelected=1" in page.url
    page.uncheck("[data-runs-only-selected]")
    # Each keystroke updates the list by the next frame (the charts follow once typing pauses); how
    # long a keystroke takes is bench/scalars_page.py's to measure, not a test's.
    heights = page.evaluate("""async () => {
        const input = document.querySelector('[data-run-filter]');
        const spacer = document.querySelector('div[data-runs] .runs__spacer');
        const out = [];
        for (const text of ['run12', 'run123']) {
            input.value = text;
            input.dispatchEvent(new Event('input', {bubbles: true}));
            await new Promise((resolve) => requestAnimationFrame(() => resolve()));
            out.push(spacer.style.height);
        }
        return out;
    }""")
    assert heights == [f"{11 * 26}px", "26px"]  # run12, run120..run129; then run123 alone
    assert listed(page) == ["sweep/run123"]
