"""TensorBoard's custom_scalars routes: the merged layout (board/data/custom_scalars.py), the scalars
of one run whose tags match a regular expression, and a series' download.

The tag pattern is matched from the tag's start, as TensorBoard's `re.match`, but with RE2
(board/patterns.py), so no pattern can stall the server; a pattern RE2 does not take (lookaround,
backreferences) answers `regex_valid: false`, as an invalid one does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from google.protobuf import json_format

from board import encode
from board.data import custom_scalars
from board.errors import NotFound
from board.patterns import prefix_matcher
from board.routes import scalars
from board.routes.summary_common import RunParam, json_response, read

router = APIRouter(tags=["custom_scalars"])


@router.get("/data/plugin/custom_scalars/layout", summary="The layout of the custom scalars dashboard")
def layout(request: Request) -> Response:
    """The runs' layouts merged (runs in name order) as the Layout proto's JSON: `{"category":
    [{"title", "chart": [{"title", "multiline": {"tag": [regex, ...]}} | {"title", "margin":
    {"series": [{"value", "lower", "upper"}]}}], "closed"}], "version"}`; `{}` when no run has one."""
    provider = request.app.state.provider
    found = []
    for run, tags in sorted(provider.summary_tags(custom_scalars.PLUGIN_NAME).items()):
        if custom_scalars.CONFIG_TAG not in tags:
            continue
        _, entries = provider.summary_entries(run, custom_scalars.CONFIG_TAG, custom_scalars.PLUGIN_NAME)
        value = read(entries[-1:], custom_scalars.CONFIG_TAG)[0]
        try:
            found.append(custom_scalars.parse(value))
        except custom_scalars.NotALayout:
            continue  # a broken layout of one run does not hide the others'
    merged = custom_scalars.merge(found)
    if merged is None:
        return json_response({})
    return json_response(json_format.MessageToDict(merged, always_print_fields_with_no_presence=True))


@router.get("/data/plugin/custom_scalars/scalars", summary="Scalars of one run whose tags match a regex")
def scalars_route(request: Request, run: RunParam,
                  tag: Annotated[str | None, Query(description="regular expression matched at the "
                                                   "tag's start")] = None) -> Response:
    """`{"regex_valid": bool, "tag_to_events": {tag: [[wall_time, step, value], ...]}}`: every
    point of each scalar tag of `run` matching `tag`; `regex_valid` false (and no tags) for a
    missing or invalid pattern, `tag_to_events` empty for an unknown run."""
    match = prefix_matcher(tag)
    if match is None:
        return json_response({"regex_valid": False, "tag_to_events": {}})
    provider = request.app.state.provider
    try:
        ((run, tags),) = provider.scalar_tags(run).items()  # the run's name as loaded (board/names.py)
    except NotFound:
        tags = {}  # TensorBoard: perhaps a run a layout names that is not read yet
    parts = []
    for name in tags:
        if match(name):
            series = provider.scalar_series(run, name)
            parts.append(encode.dumps(name) + b":" + encode.rows_json(series.steps, series.wall_times,
                                                                       series.values))
    body = b'{"regex_valid":true,"tag_to_events":{' + b",".join(parts) + b"}}"
    return Response(body, media_type="application/json")


@router.get("/data/plugin/custom_scalars/download_data", summary="One series as JSON or CSV")
async def download_data(request: Request, run: RunParam, tag: Annotated[str, Query(description="scalar tag")],
                        format: Annotated[str | None,  # noqa: A002 - TensorBoard's parameter name
                                          Query(description="'csv' for CSV")] = None) -> Response:
    """What /data/plugin/scalars/scalars answers (TensorBoard's route hands it on the same way)."""
    return await scalars.scalars(request, run, tag, format)
