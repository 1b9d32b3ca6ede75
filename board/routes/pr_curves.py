"""TensorBoard's pr_curves routes: the PR curve tags of every run, and the curves of one tag for
one or more runs (board/data/pr_curves.py).

Like TensorBoard, ``/pr_curves`` answers at most 100 steps per run: the last step and the others
drawn uniformly at random with TensorBoard's fixed seed (the same pick as the histograms route).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from board.data import pr_curves
from board.errors import BadRequest
from board.routes.histograms import sample
from board.routes.summary_common import json_response, read, tag_info

router = APIRouter(tags=["pr_curves"])

PR_CURVE_SAMPLES = 100  # TensorBoard's PR curves per time series


@router.get("/data/plugin/pr_curves/tags", summary="PR curve tags of every run")
def pr_curve_tags(request: Request) -> Response:
    """`{run: {tag: {"displayName", "description"}}}` (description as safe HTML)."""
    index = request.app.state.provider.summary_tags(pr_curves.PLUGIN_NAME)
    return json_response({run: {tag: tag_info(info) for tag, info in tags.items()}
                          for run, tags in index.items()})


@router.get("/data/plugin/pr_curves/pr_curves", summary="The PR curves of one tag, per run")
def pr_curves_route(request: Request,
                    run: Annotated[list[str] | None, Query(description="repeat for each run")] = None,
                    tag: Annotated[str | None, Query(description="PR curve tag")] = None) -> Response:
    """`{run: [{"wall_time", "step", "precision", "recall", "true_positives", "false_positives",
    "true_negatives", "false_negatives", "thresholds"}, ...]}`, steps in logged order; each list
    ends at the last threshold where some example counts as positive."""
    if not run:
        raise BadRequest("No runs provided when fetching PR curve data")
    if not tag:
        raise BadRequest("No tag provided when fetching PR curve data")
    provider = request.app.state.provider
    out = {}
    for name in run:
        _, entries = provider.summary_entries(name, tag, pr_curves.PLUGIN_NAME)
        entries = sample(entries, PR_CURVE_SAMPLES)
        steps = []
        for entry, value in zip(entries, read(entries, tag), strict=True):
            try:
                steps.append(pr_curves.entry(entry.step, entry.wall_time, pr_curves.curve(value)))
            except pr_curves.NotAPrCurve as error:
                raise BadRequest(f"run {name!r} tag {tag!r} step {entry.step}: {error}") from None
        out[name] = steps
    return json_response(out)
