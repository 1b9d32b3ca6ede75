"""Helpers for driving the scalars page: wait for cards, read what a chart draws, set controls."""

from __future__ import annotations

import math

CARD = "article.card[data-tag='{tag}']"


def tb_smooth(values: list[float], weight: float) -> list[float]:
    """TensorBoard's debiased EMA, written from its documented formula (the reference for tests)."""
    finite = [v for v in values if math.isfinite(v)]
    if weight <= 0 or (values and len(finite) == len(values) and all(v == values[0] for v in values)):
        return list(values)
    out, last, count = [], 0.0, 0
    for y in values:
        if not math.isfinite(y):
            out.append(y)
            continue
        last = last * weight + (1 - weight) * y
        count += 1
        out.append(last / (1 - weight**count))
    return out


def open_scalars(page, url: str, query: str = "") -> None:
    page.goto(f"{url}/scalars{query}")
    page.wait_for_selector("body[data-loaded=true]")


def card(page, tag: str):
    return page.locator(CARD.format(tag=tag))


def wait_drawn(page, tag: str, at_least: int = 1) -> None:
    """Scroll the card into view (cards draw lazily) and wait until it has drawn `at_least` times."""
    locator = card(page, tag)
    locator.scroll_into_view_if_needed()
    page.wait_for_function(
        """([tag, n]) => {
            const el = document.querySelector(`article.card[data-tag="${CSS.escape(tag)}"]`);
            return el && el.dataset.drawn && el.dataset.drawn !== "empty" && Number(el.dataset.drawn) >= n;
        }""",
        arg=[tag, at_least],
    )


def drawn_count(page, tag: str) -> int:
    value = card(page, tag).get_attribute("data-drawn")
    return int(value) if value and value != "empty" else 0


def snapshot(page, tag: str) -> dict:
    return page.evaluate("(tag) => window.board.snapshot(tag)", tag)


def set_smoothing(page, value: float) -> None:
    page.locator("[data-setting=smoothing]").evaluate(
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value
    )
    page.wait_for_function("(v) => window.board.state.smoothing === v", arg=value)
    page.wait_for_timeout(50)  # the redraw runs on the next animation frame


def table_values(page, tag: str) -> dict[str, dict[str, float]]:
    """{run: {"last": v, "min": v, "max": v}} from the card's summary table (full-precision data-value)."""
    return page.evaluate(
        """(tag) => {
            const el = document.querySelector(`article.card[data-tag="${CSS.escape(tag)}"]`);
            const out = {};
            for (const tr of el.querySelectorAll("tbody tr")) {
                const cells = tr.querySelectorAll("td[data-value]");
                if (cells.length === 3) out[tr.dataset.run] = {
                    last: Number(cells[0].dataset.value), min: Number(cells[1].dataset.value),
                    max: Number(cells[2].dataset.value), minStep: Number(cells[1].dataset.step),
                    maxStep: Number(cells[2].dataset.step)};
            }
            return out;
        }""",
        tag,
    )
