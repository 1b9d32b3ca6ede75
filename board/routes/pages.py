"""HTML page routes: ``/`` (redirects to the scalars dashboard) and ``/scalars``.

Pages are thin shells: the template gets the logdir, the reload interval and the page name, and the
page's scripts fetch everything else from the JSON routes under ``/data/`` (docs/http-api.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

router = APIRouter()

STATIC_URL = "/static"

# The empty state shows the shortest code that writes a scalar into the logdir being watched.
CODE_GRAPH = """\
import engine as tf
loss_summary = tf.summary.scalar("loss", loss)
writer = tf.summary.FileWriter({logdir!r}, sess.graph)
writer.add_summary(sess.run(loss_summary), global_step=step)"""

CODE_EAGER = """\
from engine.summary import SummaryWriter
writer = SummaryWriter({logdir!r})
writer.add_scalar("loss", 0.25, step)"""


@lru_cache(maxsize=8)
def module_urls(*folders: str) -> tuple[str, ...]:
    """URLs of our ES modules in `folders` under static/js, for <link rel="modulepreload">.

    Preloading lets the browser fetch a page's whole import graph at once instead of discovering
    it one import level (one round trip) at a time.
    """
    from board.resources import STATIC_DIR

    urls = []
    for folder in folders:
        base = STATIC_DIR / "js" / folder
        for path in sorted(base.glob("*.js")):
            urls.append(f"{STATIC_URL}/{path.relative_to(STATIC_DIR).as_posix()}")
    return tuple(urls)


def page_context(request: Request, page: str) -> dict[str, Any]:
    """Context every page template gets (base.html documents each key)."""
    state = request.app.state
    provider = getattr(state, "provider", None)
    logdir = str(getattr(provider, "logdir", "") or getattr(state, "logdir", ""))
    reload_interval = getattr(state, "reload_interval", None)
    if reload_interval is None:
        reload_interval = getattr(provider, "reload_interval", 0)
    return {
        "page": page,
        "logdir": logdir,
        "reload_interval": float(reload_interval or 0),
        "static_url": STATIC_URL,
    }


@router.get("/", include_in_schema=False)
def index(request: Request) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(url="/scalars" + (f"?{query}" if query else ""), status_code=307)


@router.get("/scalars", response_class=HTMLResponse, include_in_schema=False)
def scalars_page(request: Request) -> HTMLResponse:
    context = page_context(request, "scalars")
    context["preload_modules"] = module_urls(".", "scalars")
    logdir = context["logdir"] or "logs"
    context["code_example"] = {
        "graph": CODE_GRAPH.format(logdir=logdir),
        "eager": CODE_EAGER.format(logdir=logdir),
    }
    from board.resources import templates  # imported late: the app factory imports this module first

    return templates.TemplateResponse(request, "scalars.html", context)
