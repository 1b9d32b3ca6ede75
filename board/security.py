"""What every response carries and which requests are refused before any route runs.

* Security headers on every answer (pages, JSON, static files, errors):
  `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (the logdir and run names
  in URLs stay on this machine) and a Content-Security-Policy the pages satisfy: scripts only
  from this server plus the inline scripts the templates hold, allowed by hash (computed from
  templates/ at start-up, so editing one keeps it allowed), no plugins, no framing.
  tests/browser/test_reliability_pages.py opens every page in Chromium and fails on any CSP
  violation.
* A Host-header allow-list against DNS rebinding: a page on another site that makes its own
  name resolve to 127.0.0.1 sends its name as `Host`, and is answered 400 unless that name is
  one the server was told to answer to (`board --host` / `--allow-host`, see board/cli.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import orjson

from board.errors import error_body

# Names a server bound to a loopback address answers to.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# --host values that bind every interface: the server is meant to be reached under any name.
WILDCARD_HOSTS = ("0.0.0.0", "::", "", "*")

# <script> elements that run: inline ones without `src`, and not data blocks (type="application/json").
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(templates_dir: Path) -> list[str]:
    """CSP source expressions ('sha256-...') for the executable inline scripts of the templates."""
    hashes = []
    for path in sorted(templates_dir.rglob("*.html")):
        for match in _INLINE_SCRIPT.finditer(path.read_text(encoding="utf-8")):
            attrs, body = match["attrs"].lower(), match["body"]
            if "src=" in attrs or "application/json" in attrs or not body.strip():
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
            hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def content_security_policy(script_hashes: Iterable[str]) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        # style attributes: uPlot and the graph page's markup set colours and sizes inline
        "style-src": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data: blob:",  # the favicon is a data: URL; image downloads are blobs
        "worker-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _host_name(value: str) -> str:
    """The name part of a Host header: ``[::1]:6006`` -> ``::1``, ``Example.org:80`` -> ``example.org``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def allowed_hosts_for(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The Host names to accept for a server bound to `bind_host` (None: accept any)."""
    extra = [_host_name(name) for name in extra]
    if bind_host.strip("[]") in WILDCARD_HOSTS or "*" in extra:
        return None
    return frozenset([*LOOPBACK_NAMES, _host_name(bind_host), *extra])


class SecurityMiddleware:
    """Pure ASGI middleware (no extra task or thread per request, streaming untouched)."""

    def __init__(self, app, csp: str, allowed_hosts: frozenset[str] | None = None):
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", csp.encode("ascii")),
        ]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed_hosts is not None:
            host = next((v for k, v in scope.get("headers", ()) if k == b"host"), b"")
            name = _host_name(host.decode("latin-1"))
            if name not in self.allowed_hosts:
                await self._refuse(send, name)
                return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *self.headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, send, name: str) -> None:
        body = orjson.dumps(error_body(
            f"this server does not answer to the host name {name!r}; start board with "
            f"--allow-host {name or 'NAME'} to allow it"))
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()), *self.headers]})
        await send({"type": "http.response.body", "body": body})
