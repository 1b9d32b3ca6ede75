"""Scalar routes: TensorBoard's `/data/plugin/scalars/*` and board's chart route `/data/scalars/*`."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from board import encode
from board.data.downsample import downsample, smooth
from board.errors import BadRequest
from board.names import requested

router = APIRouter(tags=["scalars"])

RunParam = Annotated[str, Query(description="run name, as listed by /data/runs")]
TagParam = Annotated[str, Query(description="scalar tag")]


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


# The GET routes below are `async def`: they only compute (orjson holds the GIL anyway), and
# running them on the event loop saves the hand-off to a worker thread and back, about a tenth of
# a full series' request (bench/load_logdir.py). `series_multi` stays a plain function because
# the scalars page calls it directly.


@router.get("/data/plugin/scalars/tags", summary="Scalar tags of every run")
async def tags(request: Request) -> Response:
    """`{run: {tag: {"displayName": ..., "description": ...}}}` for the runs that have scalars."""
    index = request.app.state.provider.scalar_tags()
    return _json(encode.dumps({
        run: {tag: {"displayName": info.display_name, "description": info.description}
              for tag, info in tag_infos.items()}
        for run, tag_infos in index.items() if tag_infos
    }))


@router.get("/data/plugin/scalars/scalars", summary="Every point of one series")
async def scalars(request: Request, run: RunParam, tag: TagParam,
                  format: Annotated[str | None, Query(description="'csv' for CSV")] = None) -> Response:
    """`[[wall_time, step, value], ...]`, all points in logged order; `format=csv` gives CSV."""
    if format not in (None, "", "json", "csv"):
        raise BadRequest(f"parameter 'format' must be 'json' or 'csv', not {format!r}")
    series = request.app.state.provider.scalar_series(run, tag)
    if format == "csv":
        return Response(encode.rows_csv(series.steps, series.wall_times, series.values),
                        media_type="text/csv")
    body = encode.rows_json(series.steps, series.wall_times, series.values)
    return _json(body)


# ---- The scalars page's order and smoothing range, defined here only ----
# The page sorts nothing itself: it shows runs and tags in the order /data/scalars/index lists them
# (its first answer comes with the page), and its smoothing controls take their bounds and default
# from the template, which gets them from here. So the server's pick of the first chart to embed
# (board/routes/pages.py) is the page's top-left card by construction.
SMOOTHING_DEFAULT = 0.6
SMOOTHING_MAX = 0.999  # TensorBoard's slider stops short of 1, where the EMA would never move
# Runs selected when the URL names none: the first ones in order, as TensorBoard enables at most 40
# runs by default, so a logdir of a thousand runs does not open by drawing a thousand lines.
MAX_DEFAULT_RUNS = 40


def natural_key(text: str) -> tuple:
    """Case-insensitive, with runs of digits compared as numbers ("run2" < "run10")."""
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"([0-9]+)", text) if part)


def tag_key(tag: str) -> tuple:
    """Cards are grouped by the tag's first "/" component; groups, then tags in a group, in natural order."""
    return natural_key(tag.split("/", 1)[0]), natural_key(tag)


def clamp_smoothing(text: str | None) -> float:
    """The smoothing weight of a `?smoothing=` value as the page reads it: the default when it is
    missing or not a finite number, else clamped to [0, SMOOTHING_MAX]."""
    try:
        value = float(text) if text is not None else SMOOTHING_DEFAULT
    except ValueError:
        return SMOOTHING_DEFAULT
    if value != value or value in (float("inf"), float("-inf")):
        return SMOOTHING_DEFAULT
    return min(SMOOTHING_MAX, max(0.0, value))


def scalars_index(provider) -> dict:
    """`{"runs": [...], "tags": [...], "runTags": {run: [tag, ...]}}`: the runs that have scalars and
    every scalar tag, each in the page's order, and which tags each run has."""
    found = {run: infos for run, infos in provider.scalar_tags().items() if infos}
    # Each distinct tag's key once: a sweep's thousand runs share a few tags, and the keys' regex
    # splits were most of this function's time (and of the scalars page's first byte).
    keys = {tag: tag_key(tag) for tag in {tag for infos in found.values() for tag in infos}}
    run_tags = {run: sorted(infos, key=keys.__getitem__) for run, infos in found.items()}
    tags = sorted(keys, key=keys.__getitem__)
    return {"runs": sorted(run_tags, key=natural_key), "tags": tags, "runTags": run_tags}


@router.get("/data/scalars/index", summary="Runs and tags in the scalars page's order")
async def index(request: Request) -> Response:
    """The runs with scalars and all scalar tags, sorted as the scalars page shows them (tags by
    group, then name; digits compare as numbers), and each run's tags."""
    return _json(encode.dumps(scalars_index(request.app.state.provider)))


def parse_form(content_type: str, body: bytes) -> dict[str, list[str]]:
    """Fields of a url-encoded or multipart/form-data body (TensorBoard's frontend sends either)."""
    if content_type.lower().startswith("multipart/form-data"):
        message = email.message_from_bytes(
            b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body,
            policy=email.policy.HTTP)
        fields: dict[str, list[str]] = {}
        if message.is_multipart():
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name:
                    payload = part.get_payload(decode=True) or b""
                    fields.setdefault(str(name), []).append(payload.decode("utf-8", "surrogateescape"))
        return fields
    # names of any bytes come back exactly (board/names.py)
    return parse_qs(body.decode("utf-8", "surrogateescape"), keep_blank_values=True, errors="surrogateescape")


@router.post("/data/plugin/scalars/scalars_multirun", summary="One tag of several runs")
async def scalars_multirun(request: Request) -> Response:
    """Form fields `tag` (once) and `runs` (repeated) → `{run: [[wall_time, step, value], ...]}`.
    Runs without that tag are left out. The body is url-encoded or multipart/form-data."""
    form = parse_form(request.headers.get("content-type", ""), await request.body())
    tag_values = form.get("tag", [])
    if len(tag_values) != 1:
        raise BadRequest("form field 'tag' must be given exactly once")
    provider = request.app.state.provider
    parts = []
    for run in dict.fromkeys(form.get("runs", [])):
        try:
            series = provider.scalar_series(run, tag_values[0])
        except LookupError:
            continue
        rows = encode.rows_json(series.steps, series.wall_times, series.values)
        parts.append(encode.dumps(run) + b":" + rows)
    return _json(b"{" + b",".join(parts) + b"}")


def _window(points: int, xmin: float | None, xmax: float | None, x: str) -> None:
    if x not in ("step", "wall_time"):
        raise BadRequest(f"parameter 'x' must be 'step' or 'wall_time', not {x!r}")
    if xmin is not None and xmax is not None and xmin > xmax:
        raise BadRequest(f"parameter 'xmin' ({xmin}) must not be greater than 'xmax' ({xmax})")


PointsParam = Annotated[int, Query(ge=4, le=1_000_000,
                                   description="at most this many points (min/max kept per bucket)")]
XParam = Annotated[str, Query(description="'step' or 'wall_time': the axis of xmin/xmax")]
BoundParam = Annotated[float | None, Query(allow_inf_nan=False)]
SmoothingParam = Annotated[float | None, Query(ge=0, lt=1, description="add a `smoothed` column: "
                                               "TensorBoard's EMA with this weight over every point")]


def _series_payload(series, points: int, xmin, xmax, x: str, smoothing: float | None = None) -> dict:
    view = downsample(series, points, xmin, xmax, x)
    payload = {
        "run": series.run,
        "tag": series.tag,
        "x": x,
        "total": view.total,
        "downsampled": view.downsampled,
        **encode.columns(view.steps, view.wall_times, view.values),
    }
    if smoothing is not None:
        payload["smoothed"] = encode.columns(view.steps, view.wall_times,
                                             smooth(series.values, smoothing)[view.index])["values"]
    return payload


@router.get("/data/scalars/series", summary="One series for a chart, downsampled")
async def series(request: Request, run: RunParam, tag: TagParam, points: PointsParam = 1000,
                 xmin: BoundParam = None, xmax: BoundParam = None, x: XParam = "step",
                 smoothing: SmoothingParam = None) -> Response:
    """Columnar `{run, tag, x, total, downsampled, steps, wall_times, values}` of the points with
    `xmin <= x <= xmax` (and the nearest point outside each bound, so lines reach the edges).
    When more than `points` fall in the window, each of `points / 4` equal-width buckets keeps its
    first, last, lowest and highest point, so no spike disappears; otherwise every point.
    With `smoothing`, a `smoothed` column holds the EMA of the whole series at those points."""
    _window(points, xmin, xmax, x)
    s = request.app.state.provider.scalar_series(run, tag)
    return _json(encode.dumps(_series_payload(s, points, xmin, xmax, x, smoothing)))


@router.get("/data/scalars/series_multi", summary="One tag of several runs, downsampled")
def series_multi(request: Request, tag: TagParam,
                 run: Annotated[list[str] | None, Query(description="repeat for each run; "
                                                        "none = every run with the tag")] = None,
                 points: PointsParam = 1000, xmin: BoundParam = None, xmax: BoundParam = None,
                 x: XParam = "step", smoothing: SmoothingParam = None) -> Response:
    """`{"tag": ..., "series": [<as /data/scalars/series>, ...], "missing": [runs without it]}`."""
    _window(points, xmin, xmax, x)
    provider = request.app.state.provider
    tag = requested(tag)  # with its bytes that are not UTF-8 (board/names.py)
    names = run if run else [r for r, tags in provider.scalar_tags().items() if tag in tags]
    out, missing = [], []
    for name in dict.fromkeys(names):
        try:
            s = provider.scalar_series(name, tag)
        except LookupError:
            missing.append(name)
            continue
        out.append(_series_payload(s, points, xmin, xmax, x, smoothing))
    return _json(encode.dumps({"tag": tag, "series": out, "missing": missing}))
