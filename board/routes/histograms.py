"""TensorBoard's histograms and distributions routes.

Like TensorBoard, ``/histograms`` answers 51 steps and ``/distributions`` 501 when a tag has
more: the last step and the others drawn uniformly at random, with TensorBoard's fixed seed, so
both answer the same steps. ``samples=N`` asks for N steps the same way, ``samples=0`` for every
step (board keeps them all).
"""

from __future__ import annotations

import random
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from board.data import histograms
from board.data.summaries import HISTOGRAMS
from board.errors import BadRequest
from board.routes.summary_common import RunParam, TagParam, finite_list, json_response, read, tag_info

router = APIRouter(tags=["histograms"])

SamplesParam = Annotated[int | None, Query(ge=0, description="at most this many steps, the last "
                                           "included; 0 = every step; default as TensorBoard")]
HISTOGRAM_SAMPLES, DISTRIBUTION_SAMPLES = 51, 501  # TensorBoard's SAMPLE_SIZE of each route


def _tags(request: Request) -> Response:
    index = request.app.state.provider.summary_tags(HISTOGRAMS)
    return json_response({run: {tag: tag_info(info) for tag, info in tags.items()}
                          for run, tags in index.items()})


def sample(entries: list, count: int) -> list:
    """`count` of `entries` in their order: the last one, and the others uniformly at random from
    `random.Random(0)` — the subsequence TensorBoard's data provider picks. 0 = all."""
    if count == 0 or len(entries) <= count:
        return entries
    picks = sorted(random.Random(0).sample(range(len(entries) - 1), count - 1))
    return [entries[i] for i in picks] + [entries[-1]]


def histogram_rows(request: Request, run: str, tag: str, samples: int) -> list:
    """[(wall_time, step, [k, 3] array)] of one (run, tag), `samples` of them (0 = all)."""
    _, entries = request.app.state.provider.summary_entries(run, tag, HISTOGRAMS)
    entries = sample(entries, samples)
    out = []
    for entry, value in zip(entries, read(entries, tag), strict=True):
        try:
            rows = histograms.buckets(value)
        except histograms.NotAHistogram as error:
            raise BadRequest(f"run {run!r} tag {tag!r} step {entry.step}: {error}") from None
        out.append((entry.wall_time, entry.step, rows))
    return out


@router.get("/data/plugin/histograms/tags", summary="Histogram tags of every run")
def histogram_tags(request: Request) -> Response:
    """`{run: {tag: {"displayName", "description"}}}` (description as safe HTML)."""
    return _tags(request)


@router.get("/data/plugin/histograms/histograms", summary="Every histogram of one (run, tag)")
def histograms_route(request: Request, run: RunParam, tag: TagParam,
                     samples: SamplesParam = None) -> Response:
    """`[[wall_time, step, [[left, right, count], ...]], ...]` in logged order."""
    return json_response([[wall, step, finite_list(rows)]
                          for wall, step, rows in histogram_rows(
                              request, run, tag, HISTOGRAM_SAMPLES if samples is None else samples)])


@router.get("/data/plugin/distributions/tags", summary="Distribution tags (the histogram tags)")
def distribution_tags(request: Request) -> Response:
    return _tags(request)


@router.get("/data/plugin/distributions/distributions", summary="Percentiles of one (run, tag)")
def distributions_route(request: Request, run: RunParam, tag: TagParam,
                        samples: SamplesParam = None) -> Response:
    """`[[wall_time, step, [[basis_point, value], ...]], ...]`: the values below which 0, 6.68,
    15.87, 30.85, 50, 69.15, 84.13, 93.32 and 100 % of the histogram's count lie."""
    return json_response([[wall, step, [list(pair) for pair in histograms.compress(rows)]]
                          for wall, step, rows in histogram_rows(
                              request, run, tag, DISTRIBUTION_SAMPLES if samples is None else samples)])
