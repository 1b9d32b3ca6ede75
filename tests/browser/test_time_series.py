"""The Time Series page (/time-series) in real headless Chromium, on the multi-plugin logdir written
by real TF, Keras, tensorboardX and engine (/work/shared/fixtures/real/multi_plugin): scalars,
histograms and images of the selected runs in one grid, tag filter, run selection, lazy loading,
pins (localStorage + URL), card width, full screen and per-card scalar settings.

Screenshots: test-artifacts/time-series-*.png.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import REAL_FIXTURES

pytestmark = pytest.mark.browser

LOGDIR = REAL_FIXTURES / "multi_plugin" / "logdir"


def open_page(page, server, query: str = "") -> None:
    page.goto(f"{server.url}/time-series{query}")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)


def key(kind: str, tag: str, run: str | None = None) -> str:
    return json.dumps([kind, tag] if run is None else [kind, tag, run], separators=(",", ":"))


def card(page, kind: str, tag: str, run: str | None = None):
    return page.locator(f"article.card[data-key='{key(kind, tag, run)}']")


def test_one_grid_of_scalars_histograms_and_images(board_server, page, screenshot):
    server = board_server(LOGDIR)
    open_page(page, server)
    kinds = page.eval_on_selector_all("[data-groups] article.card:not(.is-hidden)",
                                      "els => els.map((e) => e.dataset.kind || 'scalars')")
    assert {"scalars", "histograms", "images"} <= set(kinds)
    # grouped by tag prefix, as TensorBoard: the "train" group holds train/loss and train/accuracy
    train = page.locator("section[data-group=train] article.card")
    assert train.count() >= 2
    page.locator("article.card[data-tag='train/loss']").scroll_into_view_if_needed()
    page.wait_for_selector("article.card[data-tag='train/loss'][data-drawn]:not([data-drawn=empty]) canvas",
                           timeout=20_000)
    screenshot("time-series-grid")


def test_cards_load_as_they_scroll_into_view(board_server, page):
    server = board_server(LOGDIR)
    open_page(page, server)
    cards = page.locator("[data-groups] article.card:not(.is-hidden)")
    count = cards.count()
    assert count > 12
    last = cards.nth(count - 1)
    assert last.get_attribute("data-state") in (None, "idle")  # far below the fold: not fetched
    last.scroll_into_view_if_needed()
    page.wait_for_function("() => { const cards = document.querySelectorAll("
                           "'[data-groups] article.card:not(.is-hidden)');"
                           " const last = cards[cards.length - 1];"
                           " return last.dataset.state === 'ready' || last.dataset.drawn; }", timeout=20_000)
