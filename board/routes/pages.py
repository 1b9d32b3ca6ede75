"""HTML page routes: ``/`` (redirects to the scalars dashboard), ``/scalars`` and ``/time-series``.

Pages are thin shells: the template gets the logdir, the reload interval and the page name, and the
page's scripts fetch everything else from the JSON routes under ``/data/`` (docs/http-api.md).

To save round trips before the first chart, the scalars page also carries the answers of its first
requests as JSON: `/data/status`, `/data/runs`, `/data/scalars/index`, and the
`/data/scalars/series_multi` answer of the card drawn first (`first_series`), all in the routes'
shapes. That series is computed after the rest of the page has been sent (`StreamedPage`), so the
browser loads the page's scripts meanwhile (bench/scalars_page.py: ~100 ms less to the first chart).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from markupsafe import Markup
from starlette.types import Receive, Scope, Send

from board.patterns import tag_matcher
from board.routes import scalars

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


# Each page loads one script: its entry module static/js/<folder>/main.js bundled with everything it
# imports into static/bundle/ by scripts/build_assets.py (one request instead of one per module).
BUNDLE_DIR = "bundle"
PAGE_SCRIPTS = {"scalars": "scalars/main.js", "graphs": "graph/main.js",  # page -> path in BUNDLE_DIR
                "time_series": "time_series/main.js",
                # board/routes/dashboards.py's pages
                "histograms": "histograms/main.js", "distributions": "distributions/main.js",
                "images": "images/main.js", "audio": "audio/main.js", "text": "text/main.js",
                "pr_curves": "pr_curves/main.js", "custom_scalars": "custom_scalars/main.js",
                "hparams": "hparams/main.js",  # board/routes/hparams.py
                "projector": "projector/main.js",  # board/routes/projector.py
                "trace": "trace/main.js"}  # board/routes/trace.py


class PageScriptsMissing(RuntimeError):
    """The pages' bundled scripts are not built; `board` reports this at start-up, not as broken pages."""


def check_page_scripts(static_dir: Path) -> None:
    """Raise PageScriptsMissing naming the first page script missing under `static_dir`."""
    for name in PAGE_SCRIPTS.values():
        path = static_dir / BUNDLE_DIR / name
        if not path.is_file():
            raise PageScriptsMissing(f"the page scripts are not built ({path} is missing); "
                                     "run `make assets` (npm ci, then python scripts/build_assets.py)")


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
        "script_url": f"{STATIC_URL}/{BUNDLE_DIR}/{PAGE_SCRIPTS[page]}",
    }


# Points per run of the first series the page carries: two per pixel of a card 500 px wide (cards
# are 400-830 px wide). A wider card draws these first, then fetches its own resolution. (500 was
# no faster in bench/scalars_page.py: drawing time is not what the first chart waits for.)
FIRST_SERIES_POINTS = 1000
# ... and at most this many in all: with many runs selected (up to 40), each gets fewer (not under
# 200), so the page's HTML stays near the size eight runs give; the card then fetches its own.
FIRST_SERIES_BUDGET = 8 * FIRST_SERIES_POINTS


def first_series(tags: list[str], query, runs: list[str] | None = None) -> dict[str, Any] | None:
    """The chart the page draws first: the top-left card (first group, first tag, in the page's
    order) among the tags matching the `?tags=` filter, with `runs` (None: every run), at the URL's
    smoothing.

    Returns `{tag, url, points, smoothing, runs}`; the page carries the answer of the
    /data/scalars/series_multi request `url`, which its first card uses instead of fetching
    (static/js/scalars/api.js). A pick that differs from the page's own order only costs the
    time to compute it.
    """
    match = tag_matcher(query.get("tags"))  # RE2: no pattern can stall the server (board/patterns.py)
    shown = [tag for tag in tags if match is None or match(tag)]
    if not shown or runs == []:  # no card, or no run selected: nothing to draw
        return None
    tag = min(shown, key=scalars.tag_key)
    smoothing = scalars.clamp_smoothing(query.get("smoothing"))
    points = FIRST_SERIES_POINTS
    if runs:
        points = max(200, min(points, FIRST_SERIES_BUDGET // len(runs)))
    params = {"tag": tag, "points": points, "x": "step", "smoothing": repr(smoothing), "run": runs or []}
    url = "/data/scalars/series_multi?" + urlencode(params, doseq=True, errors="surrogateescape")
    return {"tag": tag, "url": url, "points": points, "smoothing": smoothing, "runs": runs}


def first_runs(index: dict[str, Any], query) -> list[str]:
    """The runs the page selects at first: the URL's `run=` list, or the first MAX_DEFAULT_RUNS."""
    if "run" in query:
        wanted = set(query.getlist("run"))
        return [run for run in index["runs"] if run in wanted]
    return index["runs"][:scalars.MAX_DEFAULT_RUNS]


def initial_scalars(provider, query) -> dict[str, Any]:
    """What the scalars page would fetch first, in the JSON routes' shapes. The status is read
    first: data that changes meanwhile has a later `last_changed`, so the page's next poll
    refetches it."""
    status = provider.status().__dict__  # /data/status
    runs = provider.run_names()  # /data/runs
    index = scalars.scalars_index(provider)  # /data/scalars/index
    first = first_series(index["tags"], query, first_runs(index, query))
    return {"status": status, "runs": runs, "index": index, "firstSeries": first}


# Where the late part goes in the rendered page; "<" cannot come from escaped context values.
LATE_SLOT = "<!--board:late-->"


class StreamedPage(StreamingResponse):
    """A template rendered with `LATE_SLOT` at one place, sent in two steps: the page up to the
    slot at once, then `late()` (run on a worker thread while the browser already loads the
    page's styles and scripts) and the rest. Like Starlette's TemplateResponse, it hands
    `template` and `context` to test clients."""

    def __init__(self, template, context: dict[str, Any], late) -> None:
        self.template = template
        self.context = context
        head, tail = template.render(context).split(LATE_SLOT)

        def pieces():
            yield head
            yield late() + tail

        super().__init__(pieces(), media_type="text/html")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "http.response.debug" in scope.get("extensions", {}):
            await send({"type": "http.response.debug",
                        "info": {"template": self.template, "context": self.context}})
        await super().__call__(scope, receive, send)


def series_json(request: Request, first: dict[str, Any]) -> str:
    """The /data/scalars/series_multi answer for `first` (see first_series), safe inside <script>."""
    response = scalars.series_multi(request, tag=first["tag"], run=first["runs"], points=first["points"],
                                    xmin=None, xmax=None, x="step", smoothing=first["smoothing"])
    return bytes(response.body).decode("utf-8").replace("<", "\\u003c")  # "<" only occurs in strings


@router.get("/", include_in_schema=False)
def index(request: Request) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(url="/scalars" + (f"?{query}" if query else ""), status_code=307)


@router.get("/time-series", response_class=HTMLResponse, include_in_schema=False)
def time_series_page(request: Request) -> HTMLResponse:
    """TensorBoard 2.x's default page: scalars, histograms and images in one grid; the script
    fetches everything (static/js/time_series/main.js)."""
    from board.resources import templates  # imported late: the app factory imports this module first

    context = page_context(request, "time_series")
    context.update(request=request, max_default_runs=scalars.MAX_DEFAULT_RUNS,
                   smoothing={"default": scalars.SMOOTHING_DEFAULT, "max": scalars.SMOOTHING_MAX})
    return templates.TemplateResponse(request, "time_series.html", context)


@router.get("/scalars", response_class=HTMLResponse, include_in_schema=False)
def scalars_page(request: Request) -> HTMLResponse:
    context = page_context(request, "scalars")
    provider = getattr(request.app.state, "provider", None)
    initial = initial_scalars(provider, request.query_params) if provider else None
    context["initial"] = initial
    context["smoothing"] = {"default": scalars.SMOOTHING_DEFAULT, "max": scalars.SMOOTHING_MAX}
    context["max_default_runs"] = scalars.MAX_DEFAULT_RUNS
    context["first_series_slot"] = Markup(LATE_SLOT)
    logdir = context["logdir"] or "logs"
    context["code_example"] = {
        "graph": CODE_GRAPH.format(logdir=logdir),
        "eager": CODE_EAGER.format(logdir=logdir),
    }
    from board.resources import templates  # imported late: the app factory imports this module first

    context["request"] = request
    first = initial["firstSeries"] if initial else None
    return StreamedPage(templates.get_template("scalars.html"), context,
                        lambda: series_json(request, first) if first else "")
