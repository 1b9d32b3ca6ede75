"""`create_app(logdir)`: the FastAPI application of board."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from fastapi import FastAPI

from board import encode, errors
from board.data.provider import LogdirProvider
from board.names import NameQueryMiddleware
from board.resources import STATIC_DIR, TEMPLATES_DIR, warm_templates
from board.security import SecurityMiddleware, content_security_policy, inline_script_hashes
from board.static_files import CachedStaticFiles


def create_app(logdir: str | Path, reload_interval: float = 5.0,
               max_points_per_series: int = 10_000_000, provider: LogdirProvider | None = None,
               on_progress=None, allowed_hosts: frozenset[str] | None = None) -> FastAPI:
    """The board app serving `logdir`.

    The logdir is read by a background thread started with the app (its lifespan): once, then
    every `reload_interval` seconds (0 = only once); after each pass it builds the graph page's
    first graph (board/routes/graph_explorer.py, `prebuild`). Used without the lifespan (for instance a
    TestClient outside a `with` block), the first request reads the logdir synchronously; call
    `app.state.provider.reload()` to read new data at a moment of your choosing.
    `allowed_hosts`: the Host names answered (others get 400, see board/security.py); None
    answers any (the command line passes the names its --host binds, board/cli.py).
    Raises `board.routes.pages.PageScriptsMissing` when the pages' scripts are not built.
    """
    if provider is None:
        provider = LogdirProvider(logdir, reload_interval, max_points_per_series)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        from board.routes import graph_explorer

        # Work a first visit would otherwise wait for: the pages' templates (Jinja2's import and
        # compiling, ~0.4 s) now, beside the loading; the graph page's first graph after each pass.
        threading.Thread(target=warm_templates, name="board-templates", daemon=True).start()
        provider.start(on_progress, after_pass=lambda: graph_explorer.prebuild(app.state))
        try:
            yield
        finally:
            provider.stop()

    app = FastAPI(
        title="board",
        summary="TensorBoard-compatible data API over a logdir of event files",
        description="Every route is documented with an example in docs/http-api.md.",
        lifespan=lifespan,
        # No Swagger UI: it loads its scripts from a CDN (blank offline, and outside the CSP).
        # The routes are documented in docs/http-api.md; the schema stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
        default_response_class=encode.JSONResponse,  # names of any bytes (board/names.py)
    )
    app.state.provider = provider
    app.state.logdir = str(provider.logdir)
    app.state.reload_interval = provider.reload_interval
    errors.install(app)
    app.add_middleware(NameQueryMiddleware)
    app.add_middleware(SecurityMiddleware, csp=content_security_policy(inline_script_hashes(TEMPLATES_DIR)),
                       allowed_hosts=allowed_hosts)

    from board.routes import (
        custom_scalars,
        dashboards,
        graph_explorer,
        graphs,
        histograms,
        hparams,
        media,
        pages,
        pr_curves,
        projector,
        runs,
        scalars,
        text,
        trace,
    )

    app.include_router(runs.router)
    app.include_router(scalars.router)
    app.include_router(graphs.router)
    app.include_router(histograms.router)
    app.include_router(media.router)
    app.include_router(text.router)
    app.include_router(pr_curves.router)
    app.include_router(custom_scalars.router)
    app.include_router(hparams.router)
    app.include_router(projector.router)
    app.include_router(pages.router)
    app.include_router(dashboards.router)
    app.include_router(graph_explorer.router)
    app.include_router(trace.router)
    pages.check_page_scripts(STATIC_DIR)
    app.mount("/static", CachedStaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static")
    return app
