"""The run palette (static/js/scalars/colors.js) is readable on the cards of both themes."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static"


def palette() -> list[str]:
    source = (STATIC / "js" / "scalars" / "colors.js").read_text()
    body = re.search(r"const PALETTE = Object\.freeze\(\[(.*?)\]\);", source, re.S).group(1)
    return re.findall(r'"(#[0-9a-fA-F]{6})"', body)


def card_backgrounds() -> dict[str, str]:
    """The light and dark values of --surface, the cards' background (scalars.css .card)."""
    css = (STATIC / "css" / "base.css").read_text()
    hex_color = r"(#[0-9a-fA-F]{6})"
    light, dark = re.search(rf"--surface:\s*light-dark\({hex_color},\s*{hex_color}\)", css).groups()
    return {"light": light, "dark": dark}


def channels(color: str) -> list[float]:
    """sRGB channels of `#rrggbb`, linearized."""
    values = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in values]


def luminance(color: str) -> float:
    """WCAG 2 relative luminance."""
    r, g, b = channels(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def oklab(color: str) -> tuple[float, float, float]:
    """OKLab coordinates (Björn Ottosson's matrices): distances there follow perceived difference."""
    r, g, b = channels(color)
    lms = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
           0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
           0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    l_, m_, s_ = (v ** (1 / 3) for v in lms)
    return (0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
            1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
            0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_)


def test_palette_has_twelve_different_colors():
    colors = palette()
    assert len(colors) == 12 and len({c.lower() for c in colors}) == 12, colors


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_run_colors_contrast_with_the_card_background(theme):
    """WCAG's 3:1 for graphical objects (1.4.11), for every line against the card it is drawn on."""
    background = card_backgrounds()[theme]
    low = {color: round(contrast(color, background), 2) for color in palette()
           if contrast(color, background) < 3}
    assert not low, f"below 3:1 on {background}: {low}"


def test_run_colors_are_distinct():
    """No two colors closer than 0.07 in OKLab (the first palette's closest pair, brown and
    brick, was 0.065 apart)."""
    closest = min(itertools.combinations(palette(), 2), key=lambda pair: math.dist(*map(oklab, pair)))
    assert math.dist(*map(oklab, closest)) >= 0.07, closest
