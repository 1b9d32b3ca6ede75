"""Run and tag names of any bytes, kept exactly, in JSON, in URLs and in pages.

Folder names and tags are bytes; most are UTF-8, some are not (a folder made by a tool that
writes Latin-1, a tag cut in the middle of a character). board keeps each name as a Python
string with its invalid bytes as lone surrogates U+DC80..U+DCFF (Python's ``surrogateescape``,
what `os.walk` gives for such folder names), so two names differing only in invalid bytes stay
two names. Across the wire:

* JSON: such a name is written with ``\\udcXX`` escapes (`board.encode.dumps`); JavaScript reads
  it as a string holding the same lone surrogates, and shows each as U+FFFD.
* URLs: the pages write each lone surrogate ``\\udcXX`` as the byte ``%XX``
  (static/js/query.js); `NameQueryMiddleware` reads the query's bytes back into the same
  string, where Starlette would have made U+FFFD of them. A name sent with U+FFFD instead (a
  client that cannot send the bytes) still finds the one stored name it stands for, if only one.
* HTML: `display` replaces the invalid bytes with U+FFFD (HTML has no way to write them).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Collection
from urllib.parse import unquote_to_bytes

# {name as Starlette decodes the query: the name with its bytes}, for this request's query values
# that are not UTF-8; set by NameQueryMiddleware around each request.
_exact: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("board_exact_names",
                                                                                default=None)
_NON_ASCII_ESCAPE = re.compile(rb"%[89a-fA-F][0-9a-fA-F]")
REPLACEMENT = "\ufffd"


def display(name: str) -> str:
    """`name` as text a page can show: each byte that is not UTF-8 becomes U+FFFD."""
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def exact_query_values(query: bytes) -> dict[str, str]:
    """{value as Starlette reads it: value with its bytes} for the values of `query` that are
    not UTF-8 once percent-decoded (none for almost every query: one regex search)."""
    if not _NON_ASCII_ESCAPE.search(query):
        return {}
    exact: dict[str, str] = {}
    for field in query.split(b"&"):
        _, _, value = field.partition(b"=")
        raw = unquote_to_bytes(value.replace(b"+", b" "))
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            exact.setdefault(raw.decode("utf-8", "replace"), raw.decode("utf-8", "surrogateescape"))
    return exact


def requested(name: str) -> str:
    """A query value of this request as sent, bytes that are not UTF-8 included."""
    exact = _exact.get()
    return exact.get(name, name) if exact else name


def resolve(name: str, stored: Collection[str]) -> str:
    """The stored name (one of `stored`) a request's `name` stands for."""
    exact = _exact.get()
    if exact and name in exact:
        return exact[name]
    if name in stored or REPLACEMENT not in name:
        return name
    candidates = [k for k in list(stored) if not k.isascii() and display(k) == name]
    return candidates[0] if len(candidates) == 1 else name


class NameQueryMiddleware:
    """Pure ASGI middleware: makes this request's query values that are not UTF-8 known to `resolve`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        exact = exact_query_values(scope.get("query_string", b"")) if scope["type"] == "http" else {}
        if not exact:
            await self.app(scope, receive, send)
            return
        token = _exact.set(exact)
        try:
            await self.app(scope, receive, send)
        finally:
            _exact.reset(token)
