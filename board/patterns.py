"""User-supplied tag patterns (`?tags=`), matched in time linear in the tag's length.

The page filters its cards in the browser with a JavaScript RegExp; the server matches the same
pattern only to pick the chart it sends with the page (board/routes/pages.py). Python's `re`
backtracks: `^(([a-z_/])+)+\\d$` against a 35-character tag takes about an hour under the GIL, and
every other request waits meanwhile. RE2 (google-re2) never backtracks, and its compiled program
is bounded by `max_mem`; the pattern's length is capped too. A pattern RE2 refuses (lookaround,
backreferences) or one too long matches nothing special: the page shows every card, and so the
server picks among every tag.
"""

from __future__ import annotations

from collections.abc import Callable

import re2

MAX_PATTERN_LENGTH = 1024  # characters; a tag filter typed by a person is far shorter
_MAX_PROGRAM_BYTES = 1 << 20  # RE2's memory budget for one compiled pattern


def _options(case_sensitive: bool = False) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = case_sensitive  # the page's filter RegExp has the "i" flag
    options.log_errors = False  # a bad pattern is the user's typo, not a server problem
    options.max_mem = _MAX_PROGRAM_BYTES
    return options


def _text(name: str) -> str:
    """`name` as RE2 can take it: bytes of a name that are not UTF-8 (kept as lone surrogates, see
    board/names.py) become U+FFFD, as the browser shows them."""
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def tag_matcher(pattern: str | None) -> Callable[[str], bool] | None:
    """A `search`-style predicate for `pattern`, or None when every tag is shown (no pattern, an
    invalid one, or one longer than MAX_PATTERN_LENGTH)."""
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        return None
    try:
        compiled = re2.compile(_text(pattern), _options())
    except re2.error:
        return None

    def match(tag: str) -> bool:
        return compiled.search(_text(tag)) is not None

    return match


def prefix_matcher(pattern: str | None) -> Callable[[str], bool] | None:
    """A case-sensitive predicate matching `pattern` at the start of a tag (Python's `re.match`, as
    TensorBoard's custom scalars plugin matches its layouts' tags), or None for no pattern, an
    invalid one, or one longer than MAX_PATTERN_LENGTH."""
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        return None
    try:
        compiled = re2.compile(_text(pattern), _options(case_sensitive=True))
    except re2.error:
        return None

    def match(tag: str) -> bool:
        return compiled.match(_text(tag)) is not None

    return match
