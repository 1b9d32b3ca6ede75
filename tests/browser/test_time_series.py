"""The Time Series page (/time-series) in real headless Chromium, on the multi-plugin logdir written
by real TF, Keras, tensorboardX and engine (/work/shared/fixtures/real/multi_plugin): scalars,
histograms and images of the selected runs in one grid, tag filter, run selection, lazy loading,
pins (localStorage + URL), card width, full screen and per-card scalar settings.

Screenshots: test-artifacts/time-series-*.png.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.conftest import REAL_FIXTURES

from .events import ScalarEventFile

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


def shown_keys(page) -> list[str]:
    return page.eval_on_selector_all("[data-groups] article.card:not(.is-hidden)",
                                     "els => els.map((e) => e.dataset.key)")


def test_tag_filter_and_run_selection(board_server, page, screenshot):
    server = board_server(LOGDIR)
    open_page(page, server)
    page.fill("[data-tag-filter]", "^layer1/")
    keys = [json.loads(k) for k in shown_keys(page)]
    assert keys and all(tag.startswith("layer1/") for _, tag, *_ in keys)
    assert {kind for kind, *_ in keys} == {"histograms"}
    assert [key("histograms", "layer1/activations", "lr0.01_adam_u16")] == [
        k for k in shown_keys(page) if "activations" in k and "lr0.01" in k]
    assert "tags=%5Elayer1%2F" in page.url
    # deselecting a run takes its histogram and image cards away; scalar cards stay, without it
    page.locator(".run", has_text="lr0.01_adam_u16").locator("input[type=checkbox]").uncheck()
    assert not [k for k in shown_keys(page) if "lr0.01_adam_u16" in k]
    assert "run=" in page.url
    page.fill("[data-tag-filter]", "")
    loss = page.locator("article.card[data-tag='train/loss']")
    loss.scroll_into_view_if_needed()
    page.wait_for_selector("article.card[data-tag='train/loss'] canvas", timeout=20_000)
    assert "lr0.01_adam_u16" not in loss.locator(".summary").inner_text()
    screenshot("time-series-filtered")


def test_pins_persist_in_local_storage_and_the_url(board_server, page, screenshot):
    server = board_server(LOGDIR)
    open_page(page, server)
    hist = key("histograms", "layer1/weights_1", "lr0.1_adam_u32")
    scalar = key("scalars", "train/loss")
    for k in (hist, scalar):
        target = page.locator(f"article.card[data-key='{k}']")
        target.scroll_into_view_if_needed()
        target.get_by_role("button", name="Pin", exact=True).click()
    pinned = page.locator("section[data-pinned] article.card")
    assert pinned.evaluate_all("els => els.map((e) => e.dataset.key)") == [hist, scalar]  # pin order
    assert page.locator("[data-groups] > section").first.get_attribute("data-pinned") == "true"
    query = parse_qs(urlparse(page.url).query)
    assert query["pin"] == [hist, scalar]
    page.locator("section[data-pinned]").scroll_into_view_if_needed()
    page.wait_for_selector(f"section[data-pinned] article[data-key='{hist}'][data-state=ready]",
                           timeout=20_000)
    screenshot("time-series-pinned")

    # a visit without a query string gets the pins (and the rest of the view) back from localStorage
    open_page(page, server)
    assert parse_qs(urlparse(page.url).query)["pin"] == [hist, scalar]
    assert page.locator("section[data-pinned] article.card").count() == 2

    # a link's pins win over this browser's
    open_page(page, server, "?" + urlencode({"pin": scalar}))
    assert page.locator("section[data-pinned] article.card").evaluate_all(
        "els => els.map((e) => e.dataset.key)") == [scalar]
    page.locator(f"section[data-pinned] article[data-key='{scalar}']").get_by_role(
        "button", name="Pin", exact=True).click()
    assert page.locator("section[data-pinned]").count() == 0
    assert "pin" not in parse_qs(urlparse(page.url).query)


def test_card_width_full_screen_and_a_scalar_cards_own_settings(board_server, page, screenshot):
    server = board_server(LOGDIR)
    open_page(page, server)
    first = page.locator("[data-groups] article.card").first
    medium = first.bounding_box()["width"]
    page.locator(".segmented__item", has=page.locator("input[data-setting=width][value=l]")).click()
    assert page.locator("[data-groups]").get_attribute("data-width") == "l"
    assert first.bounding_box()["width"] > medium
    assert parse_qs(urlparse(page.url).query)["width"] == ["l"]

    image_key = key("images", "samples", "tbx_run")
    image = page.locator(f"article.card[data-key='{image_key}']")
    image.scroll_into_view_if_needed()
    page.wait_for_selector(f"article.card[data-key='{image_key}'][data-state=ready] img", timeout=20_000)
    image.get_by_role("button", name="Full screen").click()
    assert "is-fullscreen" in image.get_attribute("class")
    assert image.bounding_box()["width"] > 800
    screenshot("time-series-fullscreen")
    page.keyboard.press("Escape")
    assert "is-fullscreen" not in image.get_attribute("class")

    loss_key = key("scalars", "train/loss")
    loss = page.locator(f"article.card[data-key='{loss_key}']")
    loss.scroll_into_view_if_needed()
    page.wait_for_selector(f"article.card[data-key='{loss_key}'] canvas", timeout=20_000)
    drawn = int(loss.get_attribute("data-drawn"))
    loss.locator("summary[aria-label='Card settings']").click()
    loss.locator("select[name=log]").select_option("log")
    loss.locator("input[name=yMax]").fill("5")
    loss.locator("input[name=yMax]").dispatch_event("change")
    page.wait_for_function(f"() => Number(window.board.grid.cards.get({json.dumps(loss_key)})"
                           f".element.dataset.drawn) > {drawn}")
    own = page.evaluate(f"() => window.board.grid.cards.get({json.dumps(loss_key)}).view()")
    assert own["log"] is True and own["yMax"] == 5
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('board.timeseries'))")
    assert stored["cards"][loss_key] == {"log": True, "yMax": 5}
    # the scalars page keeps its own cards' settings
    scalars_page = json.loads(page.evaluate("() => localStorage.getItem('board.scalars')") or "{}")
    assert "train/loss" not in scalars_page.get("cards", {})
    screenshot("time-series-card-settings")


def test_a_step_selected_in_one_chart_is_selected_in_every_card(board_server, page, screenshot):
    server = board_server(LOGDIR)
    open_page(page, server, "?" + urlencode({"tags": "^train/|^input_reshape/input/image/0$",
                                             "run": "lr0.1_adam_u32"}))
    loss = page.locator("article.card[data-tag='train/loss']")
    accuracy = page.locator("article.card[data-tag='train/accuracy']")
    image = page.locator("article.card[data-kind=images]:not(.is-hidden)")
    assert image.count() == 1
    image.scroll_into_view_if_needed()
    image.locator("img").wait_for(timeout=20_000)
    accuracy.scroll_into_view_if_needed()
    page.wait_for_selector("article.card[data-tag='train/accuracy'] canvas", timeout=20_000)
    loss.scroll_into_view_if_needed()
    page.wait_for_selector("article.card[data-tag='train/loss'] canvas", timeout=20_000)
    page.wait_for_load_state("networkidle")
    b = loss.locator(".u-over").bounding_box()
    page.mouse.click(b["x"] + b["width"] * 0.4, b["y"] + b["height"] * 0.5)
    page.wait_for_function("() => document.querySelector(\"article[data-tag='train/accuracy']\")"
                           ".dataset.selection === 'step'")
    cards = "(tag) => window.board.grid.cards.get(JSON.stringify(['scalars', tag])).chart.selection"
    step = page.evaluate(cards, "train/loss")["x0"]
    assert page.evaluate(cards, "train/accuracy") == {"x0": step, "x1": step}
    shown = int(image.locator(".step-slider__label").inner_text().removeprefix("step "))
    image_steps = page.evaluate("() => fetch('/data/plugin/images/images?run=lr0.1_adam_u32"
                                "&tag=input_reshape/input/image/0').then((r) => r.json())"
                                ".then((rows) => rows.map((r) => r.step))")
    assert shown == max(s for s in image_steps if s <= step)
    screenshot("time-series-shared-step")
    page.keyboard.press("Escape")  # clears the selection everywhere
    page.wait_for_function("() => document.querySelector(\"article[data-tag='train/accuracy']\")"
                           ".dataset.selection === ''")


def test_a_picked_run_color_recolors_every_kind_of_card(board_server, page):
    server = board_server(LOGDIR)
    open_page(page, server, "?" + urlencode({"tags": "^layer1/weights_1$|^train/loss$",
                                             "run": "lr0.1_adam_u32"}))
    hist = page.locator(f"article.card[data-key='{key('histograms', 'layer1/weights_1', 'lr0.1_adam_u32')}']")
    hist.scroll_into_view_if_needed()
    hist.locator("path.hist__curve").first.wait_for(timeout=20_000)
    page.click("li[data-run='lr0.1_adam_u32'] button[data-color-of]")
    page.evaluate("""() => { const input = document.querySelector('[data-run-picker]');
                             input.value = '#123456'; input.dispatchEvent(new Event('input')); }""")
    page.wait_for_function("() => document.querySelector('article.card[data-kind=histograms]:not(.is-hidden)"
                           " path.hist__curve').getAttribute('stroke') === '#123456'")
    swatch = hist.locator(".dash-card__run .swatch")
    assert swatch.evaluate("(el) => el.style.background") == "rgb(18, 52, 86)"


def test_empty_logdir_then_a_card_appears_live(board_server, page, tmp_path, screenshot):
    server = board_server(tmp_path, reload_interval=0.5)
    open_page(page, server)
    assert page.locator("[data-empty]").is_visible()
    assert page.locator("[data-groups] article.card").count() == 0
    screenshot("time-series-empty")
    events = ScalarEventFile(tmp_path / "run")
    events.add("live/loss", [(s, 1 / (s + 1)) for s in range(10)])
    page.wait_for_selector("article.card[data-tag='live/loss'] canvas", timeout=20_000)
    assert not page.locator("[data-empty]").is_visible()
    assert page.locator("section[data-group=live] article.card").count() == 1
