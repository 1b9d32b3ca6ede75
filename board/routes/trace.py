"""The Trace page: a run-metadata step's timeline, and two steps compared (board's own, beyond TB).

- ``GET /trace?run=R&tag=T`` — the page (templates/trace.html; static/js/trace/main.js draws it).
- ``GET /data/trace/runs`` — the runs' run-metadata tags: ``{"runs": [{"run", "tags": [...]}]}``.
- ``GET /data/trace/timeline?run=R&tag=T`` — the step's bars in rows per device
  (`board.step_stats.timeline`).
- ``GET /data/trace/compare?run=R&tag=T&run2=R2&tag2=T2[&group=op|scope][&depth=N][&sort=S]
  [&order=desc|asc][&limit=N]`` — time and memory per op type or name scope of both steps and their
  difference (`board.step_stats.compare`); at most `limit` (≤ 1000) rows.

The graph page links here when a run-metadata graph is shown. Unknown run or tag -> 404, bad
parameter -> 400, both as ``{"error": "..."}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from board import step_stats
from board.data.provider import RUN_METADATA
from board.routes.summary_common import json_response

router = APIRouter(tags=["trace"])

RunParam = Annotated[str, Query(min_length=1, description="run name")]
TagParam = Annotated[str, Query(min_length=1, description="run-metadata tag")]
MAX_COMPARE_ROWS = 1000


@router.get("/trace", response_class=HTMLResponse, include_in_schema=False)
def trace_page(request: Request) -> Any:
    """The page; the run and tag come from the URL and the page's selects."""
    from board.resources import templates
    from board.routes.pages import page_context

    return templates.TemplateResponse(request, "trace.html", page_context(request, "trace"))


@router.get("/data/trace/runs", summary="Runs with run-metadata tags")
def trace_runs(request: Request) -> dict[str, Any]:
    """`{"runs": [{"run": "train", "tags": ["step100", ...]}]}`, runs without such tags left out."""
    runs = []
    for run, infos in request.app.state.provider.graph_kinds().items():
        tags = [info.tag for info in infos if info.kind.startswith(RUN_METADATA)]
        if tags:
            runs.append({"run": run, "tags": tags})
    return {"runs": runs}


@router.get("/data/trace/timeline", summary="A traced step as lanes of bars")
def trace_timeline(request: Request, run: RunParam, tag: TagParam) -> Response:
    """One bar per NodeExecStats (see board/step_stats.py `timeline`)."""
    metadata = request.app.state.provider.run_metadata(run, tag)
    return json_response({"run": run, "tag": tag, **step_stats.timeline(metadata)})


@router.get("/data/trace/compare", summary="Two traced steps side by side")
def trace_compare(
    request: Request,
    run: RunParam,
    tag: TagParam,
    tag2: TagParam,
    run2: Annotated[str | None, Query(description="second run (default: run)")] = None,
    group: Annotated[Literal["op", "scope"], Query(description="sum per op type or name scope")] = "op",
    depth: Annotated[int, Query(ge=1, le=64, description="name scope levels kept (group=scope)")] = 1,
    sort: Annotated[step_stats.CompareSort, Query(description="the column to sort by")] = "time_diff",
    order: Annotated[Literal["desc", "asc"], Query()] = "desc",
    limit: Annotated[int, Query(ge=1, le=MAX_COMPARE_ROWS, description="rows at most")] = 200,
) -> Response:
    """`{"a": {run, tag}, "b": {run, tag}, "group", "rows": [...], "total_rows", "totals"}` (rows:
    see board/step_stats.py `compare`; diff = b - a; a difference column sorts by magnitude)."""
    provider = request.app.state.provider
    run2 = run2 or run
    a, b = provider.run_metadata(run, tag), provider.run_metadata(run2, tag2)
    result = step_stats.compare(a, b, group, depth, sort, order == "desc", limit)
    return json_response({"a": {"run": run, "tag": tag}, "b": {"run": run2, "tag": tag2}, **result})
