"""The scalars page draws its first card from the series its HTML carries (board/routes/pages.py)."""

from __future__ import annotations

import pytest

from .events import write_run
from .pageutil import open_scalars, snapshot, wait_drawn

pytestmark = pytest.mark.browser

STEPS = 3000  # more than the 1,000 points per run the page carries: the series is downsampled


def _logdir(root):
    for run, scale in (("run_a", 1.0), ("run_b", 2.0)):
        write_run(root / run, {tag: [(s, scale * ((s * 7919) % 101) / (s + 1)) for s in range(STEPS)]
                               for tag in ("accuracy", "loss", "z/other")})
    return root


def _series_requests(page, requests):
    page.on("request", lambda r: requests.append(r.url) if "/data/scalars/series_multi" in r.url else None)


def test_first_card_is_drawn_without_a_series_request(board_server, page, tmp_path):
    server = board_server(_logdir(tmp_path))
    requests: list[str] = []
    _series_requests(page, requests)
    open_scalars(page, server.url, "?smoothing=0.7")
    wait_drawn(page, "accuracy")
    wait_drawn(page, "loss")
    assert not any("tag=accuracy" in url for url in requests), requests
    assert any("tag=loss" in url for url in requests)
    drawn = snapshot(page, "accuracy")
    assert sorted(drawn["runs"]) == ["run_a", "run_b"]
    assert all(r["downsampled"] and r["smoothingFromServer"] == 0.7 for r in drawn["runs"].values())


def test_wide_card_redraws_at_its_own_resolution(board_server, browser, tmp_path):
    server = board_server(_logdir(tmp_path))
    context = browser.new_context(viewport={"width": 1000, "height": 800})  # one wide card per row
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    _series_requests(page, requests)
    open_scalars(page, server.url)
    wait_drawn(page, "accuracy", at_least=2)
    asked = [url for url in requests if "tag=accuracy" in url]
    context.close()
    assert len(asked) == 1 and "points=1000" not in asked[0], asked
    assert not errors, errors


def test_card_a_little_wider_than_the_series_is_not_fetched_again(board_server, browser, tmp_path):
    # 1440 px: two cards per row, each wanting ~1,080 points per run; the page's 1,000 are enough
    server = board_server(_logdir(tmp_path))
    context = browser.new_context(viewport={"width": 1440, "height": 800})
    page = context.new_page()
    requests: list[str] = []
    _series_requests(page, requests)
    open_scalars(page, server.url)
    for tag in ("accuracy", "loss", "z/other"):
        wait_drawn(page, tag)
    page.wait_for_load_state("networkidle")
    wants = page.evaluate("() => window.board.grid.cards.get('accuracy').points()")
    context.close()
    assert 1000 < wants < 1000 / 0.75, wants
    assert not any("tag=accuracy" in url for url in requests), requests


def test_other_cards_fetch_after_the_first_chart_is_on_screen(board_server, page, tmp_path):
    # The first card draws from the page's series; the next cards' fetches (and their parsing and
    # layouts) wait for the frame that shows it (static/js/scalars/queue.js).
    server = board_server(_logdir(tmp_path))
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    drawn, fetches = page.evaluate("""() => [
        performance.getEntriesByName("board:card-drawn:accuracy")[0].startTime,
        performance.getEntriesByType("resource").filter((r) => r.name.includes("/data/scalars/series_multi"))
          .map((r) => r.startTime)]""")
    assert fetches, "the other cards fetch their series"
    assert min(fetches) > drawn, (drawn, fetches)


# Counts the page's cards (and names the first) each time the DOM changes, from before the page's script runs.
COUNT_CARDS = """
window.__cardCounts = [];
new MutationObserver(() => {
  const cards = document.querySelectorAll("article.card");
  const last = window.__cardCounts.at(-1);
  if (cards.length && (!last || last[0] !== cards.length)) {
    window.__cardCounts.push([cards.length, performance.now(), cards[0]?.dataset.tag]);
  }
}).observe(document, {childList: true, subtree: true});
"""


def test_first_card_is_drawn_before_the_other_cards_are_built(board_server, page, tmp_path):
    # The frame that shows the first chart lays out one card; the others come after it (main.js).
    server = board_server(_logdir(tmp_path))
    page.add_init_script(COUNT_CARDS)
    open_scalars(page, server.url)
    wait_drawn(page, "loss")
    drawn, counts = page.evaluate("""() => [
        performance.getEntriesByName("board:card-drawn:accuracy")[0].startTime, window.__cardCounts]""")
    assert counts[0][0] == 1 and counts[0][2] == "accuracy" and counts[-1][0] == 3, counts
    built = next(t for n, t, _ in counts if n > 1)
    assert built > drawn, (drawn, counts)


def test_pinned_card_is_drawn_first(board_server, page, tmp_path):
    server = board_server(_logdir(tmp_path))
    open_scalars(page, server.url)
    pins = '{"pins": ["z/other"]}'  # prefs.js's store
    page.evaluate("(pins) => localStorage.setItem('board.scalars', pins)", pins)
    page.add_init_script(COUNT_CARDS)
    open_scalars(page, server.url)
    wait_drawn(page, "z/other")
    wait_drawn(page, "accuracy")
    counts = page.evaluate("() => window.__cardCounts")
    assert counts[0][:1] + counts[0][2:] == [1, "z/other"], counts
