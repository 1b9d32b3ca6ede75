"""The HParams dashboard: TensorBoard's hparams routes (board/data/hparams.py computes the
answers), board's `/data/hparams/run_names` (board/data/run_names.py) and the page `/hparams`.

The POST routes take a JSON request message of TensorBoard's api.proto (camelCase or snake_case
field names) as their body (or, as GET, as their `request` parameter) and answer the response
message as JSON, every field present, as TensorBoard does. `GET /download_data` takes the session
groups request as its `request` query parameter. A request that cannot be parsed or used is a
JSON 400 naming the problem.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from board import encode
from board.data.hparams import HParamsData, HParamsError, metric_run_tag, parse_request, to_json
from board.data.run_names import run_name_data
from board.routes.pages import page_context
from engine.proto import hparams_api_pb2 as api

router = APIRouter(tags=["hparams"])

FORMATS = {"csv": "text/csv", "json": "application/json", "latex": "application/x-latex"}


def _json(payload) -> Response:
    return Response(encode.dumps(payload), media_type="application/json")


async def _body(request: Request) -> bytes | str | None:
    """The request message's JSON: the POST body, or a GET's `request` parameter (as TensorBoard)."""
    if request.method == "POST":
        return await request.body()
    return request.query_params.get("request")


def _data(request: Request) -> HParamsData:
    return HParamsData(request.app.state.provider)


@router.post("/data/plugin/hparams/experiment", summary="The experiment: hyperparameters and metrics",
              operation_id="hparams_experiment_post")
@router.get("/data/plugin/hparams/experiment", summary="The experiment: hyperparameters and metrics",
             operation_id="hparams_experiment_get")
async def experiment(request: Request) -> Response:
    """Body: a GetExperimentRequest (`{"experimentName": ""}`; `includeMetrics`, `hparamsLimit`).
    Answer: the Experiment (`hparamInfos`, `metricInfos`, ...); `{}`-like when the logdir has none."""
    message = parse_request(await _body(request), api.GetExperimentRequest)
    include = not message.HasField("include_metrics") or message.include_metrics
    limit = message.hparams_limit if message.HasField("hparams_limit") else None
    if limit is not None and limit < 0:
        raise HParamsError(f"hparamsLimit must not be negative, got {limit}")
    # on a worker thread, as the plain routes: a large logdir has many runs and tags to go through
    answer = await run_in_threadpool(lambda: to_json(_data(request).experiment(include, limit)))
    return _json(answer)


@router.post("/data/plugin/hparams/session_groups", summary="Session groups: filtered, sorted, paged",
              operation_id="hparams_session_groups_post")
@router.get("/data/plugin/hparams/session_groups", summary="Session groups: filtered, sorted, paged",
             operation_id="hparams_session_groups_get")
async def session_groups(request: Request) -> Response:
    """Body: a ListSessionGroupsRequest (`allowedStatuses`, `colParams` with filters and orders,
    `aggregationType`/`aggregationMetric`, `startIndex`, `sliceSize`). Answer:
    `{"sessionGroups": [...], "totalSize": n}`."""
    message = parse_request(await _body(request), api.ListSessionGroupsRequest)
    return _json(await run_in_threadpool(lambda: to_json(_data(request).session_groups(message))))


@router.post("/data/plugin/hparams/metric_evals", summary="Every value of one metric of one session",
              operation_id="hparams_metric_evals_post")
@router.get("/data/plugin/hparams/metric_evals", summary="Every value of one metric of one session",
             operation_id="hparams_metric_evals_get")
async def metric_evals(request: Request) -> Response:
    """Body: a ListMetricEvalsRequest (`sessionName`, `metricName: {group, tag}`). Answer: the
    scalars route's `[[wall_time, step, value], ...]` of the run and tag holding the metric."""
    message = parse_request(await _body(request), api.ListMetricEvalsRequest)
    run, tag = metric_run_tag(message.session_name, message.metric_name)
    series = request.app.state.provider.scalar_series(run, tag)  # unknown run or tag: 404
    return Response(encode.rows_json(series.steps, series.wall_times, series.values),
                    media_type="application/json")


@router.get("/data/plugin/hparams/download_data", summary="The session groups table as CSV, JSON or LaTeX")
def download_data(request: Request,
                  fmt: Annotated[str, Query(alias="format", description="csv, json or latex")],
                  columns: Annotated[str, Query(alias="columnsVisibility",
                                                description="JSON list of booleans, one per column "
                                                            "(hparams, then metrics)")],
                  groups_request: Annotated[str, Query(alias="request",
                                                       description="a JSON ListSessionGroupsRequest")]
                  ) -> Response:
    """One row per session group (the request's page), one column per hparam then metric of the
    experiment, keeping the columns whose `columnsVisibility` entry is true."""
    if fmt not in FORMATS:
        raise HParamsError(f"parameter 'format' must be one of {', '.join(FORMATS)}, not {fmt!r}")
    try:
        visible = json.loads(columns)
    except ValueError:
        visible = None
    if not isinstance(visible, list):
        raise HParamsError("parameter 'columnsVisibility' must be a JSON list of booleans, "
                           f"not {columns[:100]!r}")
    message = parse_request(groups_request, api.ListSessionGroupsRequest)
    data = _data(request)
    groups = data.session_groups(message)
    include = not message.HasField("include_metrics") or message.include_metrics
    header, rows = table(data.experiment(include), groups.session_groups, visible)
    if fmt == "json":
        return _json({"header": header, "rows": rows})
    body = latex(header, rows) if fmt == "latex" else _csv(header, rows)
    return Response(body, media_type=FORMATS[fmt])


@router.get("/data/hparams/run_names", summary="Hparams parsed from run names (board's own)")
def from_run_names(request: Request) -> Response:
    """For logdirs without hparams summaries: `{"experiment": Experiment, "sessionGroups":
    [SessionGroup]}` in the shapes of the routes above, each session a run whose name holds its
    settings (`lr_0.01,bs_32`, `lr0.01_adam_u16`; board/data/run_names.py), every group listed."""
    data = run_name_data(request.app.state.provider)
    everything = api.ListSessionGroupsRequest(allowed_statuses=api.Status.values(), slice_size=2**31 - 1)
    groups = data.filtered_groups(everything)
    return _json({"experiment": to_json(data.experiment()),
                  "sessionGroups": [to_json(group) for group in groups]})


def table(experiment: api.Experiment, groups, visible: list) -> tuple[list, list]:
    """(header, rows) of the download: hparam values (number, string, bool or "" when missing),
    then metric values (None when missing), filtered by `visible`."""
    def keep(row):
        return [cell for cell, shown in zip(row, visible, strict=False) if shown]

    header = [info.display_name or info.name for info in experiment.hparam_infos]
    header += [info.display_name or info.name.tag for info in experiment.metric_infos]
    rows = []
    for group in groups:
        row: list = []
        for info in experiment.hparam_infos:
            value = group.hparams.get(info.name)
            kind = value.WhichOneof("kind") if value is not None else None
            row.append(getattr(value, kind) if kind in ("number_value", "string_value", "bool_value") else "")
        values = {(m.name.group, m.name.tag): m.value for m in group.metric_values}
        row += [values.get((info.name.group, info.name.tag)) for info in experiment.metric_infos]
        rows.append(keep(row))
    return keep(header), rows


def _csv(header: list, rows: list) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _latex_cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):  # TensorBoard's formatter takes True for the integer 1
        return f"${int(value)}$"
    if isinstance(value, int):
        return f"${value}$"
    if isinstance(value, float):
        if math.isnan(value):
            return r"$\mathrm{NaN}$"
        if math.isinf(value):
            return r"$%s\infty$" % ("-" if value < 0 else "+")
        text = f"{value:.3g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            return f"${mantissa}\\cdot 10^{{{int(exponent)}}}$"
        return f"${text}$"
    return str(value).replace("_", "\\_").replace("%", "\\%")


def latex(header: list, rows: list) -> str:
    """A LaTeX table environment, as TensorBoard's download gives it."""
    lines = ["\\begin{table}[tbp]\n\\begin{tabular}{%s}\n" % ("l" * len(header)),
             " & ".join(map(_latex_cell, header)) + " \\\\ \\hline\n"]
    lines += [" & ".join(map(_latex_cell, row)) + " \\\\\n" for row in rows]
    lines.append("\\hline\n\\end{tabular}\n\\end{table}\n")
    return "".join(lines)


@router.get("/hparams", response_class=HTMLResponse, include_in_schema=False)
def hparams_page(request: Request) -> HTMLResponse:
    """templates/hparams.html; static/js/hparams/main.js fetches everything it shows."""
    from board.resources import templates  # imported late: the app factory imports this module first

    return templates.TemplateResponse(request, "hparams.html", page_context(request, "hparams"))
