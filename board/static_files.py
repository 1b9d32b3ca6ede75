"""`/static` served from memory, with validators and `Cache-Control: no-cache`.

Starlette's StaticFiles stats and reads every file on a worker thread (three or four thread hops a
file); on a busy machine those hops were a fifth of the time to the first chart while the scalars
page loaded about 25 files (bench/scalars_page.py; it loads five since its modules are bundled, see
scripts/build_assets.py). Here a file is read once and kept in memory; each request checks its
size and modification time with one `os.stat`, so an edited file is served fresh at once.
Responses carry `ETag` and `Last-Modified` and `Cache-Control: no-cache`: browsers keep the files
but ask again each time, and get an empty 304 when nothing changed.
Large files, range requests and HEAD go to StaticFiles unchanged.
Still worth it with one bundle per page: bench/server_overheads.py serves the page's five static
files 5.6x faster than StaticFiles (median of 11 interleaved rounds, ~25 ms less per page load on
a busy machine).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat
from email.utils import formatdate

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

MAX_CACHED_BYTES = 4 * 2**20  # per file; vendor bundles are below this, anything larger streams
CACHE_CONTROL = "no-cache"  # keep, but revalidate: a server restart may bring new files


class CachedStaticFiles(StaticFiles):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cache: dict[str, tuple[tuple[int, int], bytes, dict[str, str]]] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        request_headers = Headers(scope=scope)
        if scope["method"] == "GET" and "range" not in request_headers:
            try:
                # realpath + stat: microseconds, cheaper than the thread hop StaticFiles makes
                full_path, stat_result = self.lookup_path(path)
            except (OSError, ValueError):
                full_path, stat_result = "", None
            if (stat_result is not None and stat.S_ISREG(stat_result.st_mode)
                    and stat_result.st_size <= MAX_CACHED_BYTES):
                body, headers = self._load(full_path, stat_result)
                if self.is_not_modified(Headers(headers), request_headers):
                    return NotModifiedResponse(Headers(headers))
                return Response(body, headers=headers)
        response = await super().get_response(path, scope)
        response.headers.setdefault("cache-control", CACHE_CONTROL)
        return response

    def _load(self, full_path: str, stat_result: os.stat_result) -> tuple[bytes, dict[str, str]]:
        version = (stat_result.st_mtime_ns, stat_result.st_size)
        cached = self._cache.get(full_path)
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        with open(full_path, "rb") as file:
            body = file.read()
        media_type = mimetypes.guess_type(full_path)[0] or "text/plain"
        if media_type.startswith("text/") or media_type.endswith("javascript"):
            media_type += "; charset=utf-8"
        headers = {
            "content-type": media_type,
            "etag": '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"',
            "last-modified": formatdate(stat_result.st_mtime, usegmt=True),
            "cache-control": CACHE_CONTROL,
        }
        self._cache[full_path] = (version, body, headers)
        return body, headers
