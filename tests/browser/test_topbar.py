"""The top bar's dashboard tabs in real headless Chromium: tabs that do not fit the window move into a
"More" menu (static/js/base.js), the current page's tab stays in the bar, and every dashboard stays
one click away at any width."""

from __future__ import annotations

import pytest

from .test_dashboards import TF, open_page

pytestmark = pytest.mark.browser

DASHBOARDS = ["Time Series", "Scalars", "Images", "Audio", "Graphs", "Distributions", "Histograms", "Text",
              "PR Curves", "Custom Scalars", "HParams", "Projector"]


def shown_tabs(page) -> list[str]:
    return page.eval_on_selector_all(".topbar__tab",
                                     "tabs => tabs.filter(t => !t.hidden).map(t => t.textContent.trim())")


def menu_items(page) -> list[str]:
    return page.eval_on_selector_all(".topbar__menu-item", "items => items.map(i => i.textContent.trim())")


def clipped_tabs(page) -> list[str]:
    """The shown tabs that the bar cuts (not wholly inside the nav)."""
    return page.evaluate("""() => {
        const nav = document.querySelector('.topbar__nav').getBoundingClientRect();
        return [...document.querySelectorAll('.topbar__tab')].filter((t) => !t.hidden).filter((t) => {
            const r = t.getBoundingClientRect();
            return r.left < nav.left - 0.5 || r.right > nav.right + 0.5;
        }).map((t) => t.textContent.trim());
    }""")


def test_tabs_that_do_not_fit_are_in_the_more_menu(board_server, page, screenshot):
    server = board_server(TF)
    page.set_viewport_size({"width": 800, "height": 700})
    open_page(page, server, "projector")
    shown, moved = shown_tabs(page), menu_items(page)
    assert moved, "at 800 px some tabs should have moved into the menu"
    assert "Projector" in shown  # the current page's tab stays, though it is the last
    assert sorted(shown + moved) == sorted(DASHBOARDS)
    assert [t for t in DASHBOARDS if t in moved] == moved  # the menu keeps the tabs' order
    assert clipped_tabs(page) == []
    assert page.locator(".topbar__menu").is_hidden()
    page.click(".topbar__more-button")
    assert page.locator(".topbar__menu").is_visible()
    screenshot("topbar-more-800")
    page.keyboard.press("Escape")
    assert page.locator(".topbar__menu").is_hidden()
    page.click(".topbar__more-button")
    page.locator(".topbar__menu-item", has_text=moved[0]).click()
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.locator(".topbar__tab.is-active").text_content() == moved[0]


def test_widening_the_window_brings_the_tabs_back(board_server, page):
    server = board_server(TF)
    page.set_viewport_size({"width": 700, "height": 700})
    open_page(page, server, "histograms")
    assert menu_items(page)
    page.set_viewport_size({"width": 1800, "height": 700})
    page.wait_for_function("() => document.querySelector('[data-tab-overflow]').hidden")
    assert shown_tabs(page) == DASHBOARDS
