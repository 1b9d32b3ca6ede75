"""TensorBoard's text routes: every text summary of a (run, tag) as safe HTML (board/data/text.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from board.data import text
from board.data.summaries import TEXT
from board.routes.summary_common import RunParam, TagParam, json_response, read

router = APIRouter(tags=["text"])


@router.get("/data/plugin/text/tags", summary="Text tags of every run")
def text_tags(request: Request) -> Response:
    """`{run: [tag, ...]}` for the runs with text summaries."""
    index = request.app.state.provider.summary_tags(TEXT)
    return json_response({run: list(tags) for run, tags in index.items()})


@router.get("/data/plugin/text/text", summary="Every text summary of one (run, tag)")
def text_route(request: Request, run: RunParam, tag: TagParam,
               markdown: Annotated[str | None, Query(description="'false' shows the text "
                                                     "without Markdown")] = None) -> Response:
    """`[{"wall_time", "step", "text"}]`, `text` being HTML: Markdown rendered and sanitized
    (scalar strings), or a table of the cells (1-D and 2-D string tensors)."""
    _, entries = request.app.state.provider.summary_entries(run, tag, TEXT)
    enable = markdown != "false"  # TensorBoard's rule: anything else means Markdown
    return json_response([
        {"wall_time": e.wall_time, "step": e.step, "text": text.to_html(text.strings(value), enable)}
        for e, value in zip(entries, read(entries, tag), strict=True)])
