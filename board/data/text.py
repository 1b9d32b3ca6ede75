"""Text summaries rendered to safe HTML as TensorBoard's text plugin renders them.

A scalar string is Markdown (tables and fenced code as extensions); a 1-D or 2-D string tensor is
a table whose cells are Markdown each; more dimensions show their first 2-D slice after a warning.
The HTML is cleaned with bleach, keeping only TensorBoard's allowed tags and attributes, so no
script, event handler or style from a summary ever reaches the page.
"""

from __future__ import annotations

import threading

import numpy as np

ALLOWED_TAGS = ["ul", "ol", "li", "p", "pre", "code", "blockquote", "h1", "h2", "h3", "h4", "h5",
                "h6", "hr", "br", "strong", "em", "a", "img", "table", "thead", "tbody", "td", "tr",
                "th"]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "title", "alt"]}

# TensorBoard's words, with the three spaces its source's line continuation leaves after "only"
_WARNING = ("**Warning:** This text summary contained data of dimensionality {}, but only   "
            "2d tables are supported. Showing a 2d slice of the data instead.")


class _Renderers(threading.local):
    """A Markdown converter and an HTML cleaner per thread (neither is thread-safe)."""

    def __init__(self) -> None:
        import bleach
        import markdown

        self.markdown = markdown.Markdown(extensions=["markdown.extensions.tables",
                                                      "markdown.extensions.fenced_code"])
        self.cleaner = bleach.sanitizer.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)


_renderers = _Renderers()


def strings(value) -> np.ndarray:
    """The string tensor of a text ``Summary.Value`` as an object array of bytes, in its shape."""
    tensor = value.tensor
    shape = tuple(d.size for d in tensor.tensor_shape.dim)
    items = list(tensor.string_val)
    count = int(np.prod(shape)) if shape else 1
    if len(items) < count and items:  # TensorFlow repeats the last value to fill the shape
        items += [items[-1]] * (count - len(items))
    array = np.empty(count, dtype=object)
    array[:] = items[:count] if items else [b""] * count
    return array.reshape(shape)


def _decode(data) -> tuple[str, int]:
    """UTF-8 text without NUL characters, and how many were dropped."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    clean = text.replace("\x00", "")
    return clean, len(text) - len(clean)


def markdown_html(sources, combine=lambda parts: parts[0]) -> str:
    """Markdown documents converted, joined by `combine`, then cleaned once."""
    renderers = _renderers
    parts, dropped = [], 0
    for source in sources:
        text, nul = _decode(source)
        dropped += nul
        parts.append(renderers.markdown.reset().convert(text))
    html = renderers.cleaner.clean(combine(parts))
    if dropped:
        html = (f"<!-- WARNING: discarded {dropped} null bytes in markdown string after UTF-8 "
                "decoding -->\n") + html
    return html


def _row(cells, tag: str = "td") -> str:
    return "<tr>\n" + "".join(f"<{tag}>{cell}</{tag}>\n" for cell in cells) + "</tr>\n"


def table(cells: np.ndarray) -> str:
    """A 1-D (one cell per row) or 2-D array of HTML strings as an HTML table."""
    rows = cells.reshape(-1, 1) if cells.ndim == 1 else cells
    body = "".join(_row(row) for row in rows)
    return f"<table>\n<tbody>\n{body}</tbody>\n</table>"


def to_html(array: np.ndarray, markdown: bool = True) -> str:
    """One text summary (see `strings`) as safe HTML."""
    if array.ndim == 0:
        if markdown:
            return markdown_html([array.item()])
        return _renderers.cleaner.clean(_decode(array.item())[0])
    warning = ""
    if array.ndim > 2:
        warning = markdown_html([_WARNING.format(array.ndim)])
        array = array[(0,) * (array.ndim - 2)]
    if markdown:
        shape = array.shape
        return warning + markdown_html(
            list(array.reshape(-1)), lambda parts: table(np.array(parts, dtype=object).reshape(shape)))
    decoded = np.array([_decode(s)[0] for s in array.reshape(-1)], dtype=object).reshape(array.shape)
    return warning + _renderers.cleaner.clean(table(decoded))
