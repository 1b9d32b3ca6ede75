"""TensorBoard's projector routes (board/data/projector.py finds the embeddings), and board's own
`/data/projector/pca`, which the Projector page draws.

Like TensorBoard, `/tensor` answers the float32 values row-major as raw bytes
(application/octet-stream) and `/metadata` the TSV text. Unlike TensorBoard, errors are JSON (404
for an unknown run, tensor or file; 400 for bad parameters) as everywhere in board.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from google.protobuf import json_format

from board.data import projector
from board.errors import BadRequest
from board.routes.pages import page_context
from board.routes.summary_common import json_response

router = APIRouter(tags=["projector"])

RunParam = Annotated[str, Query(description="run name, as listed by /data/plugin/projector/runs")]
NameParam = Annotated[str, Query(description="tensor name, as listed by /data/plugin/projector/info")]
RowsParam = Annotated[int | None, Query(gt=0, description="at most this many points")]
MAX_PCA_POINTS = projector.MAX_METADATA_ROWS  # the page draws at most as many points as it has labels


def data(request: Request) -> projector.ProjectorData:
    state = request.app.state
    if getattr(state, "projector", None) is None:
        state.projector = projector.ProjectorData(state.provider)
    return state.projector


@router.get("/data/plugin/projector/runs", summary="Runs that have embeddings")
def runs(request: Request) -> Response:
    """`["run", ...]`: runs with a projector config naming tensor files, or with a checkpoint."""
    return json_response(list(data(request).runs()))


@router.get("/data/plugin/projector/info", summary="The projector config of one run")
def info(request: Request, run: RunParam) -> Response:
    """The run's `ProjectorConfig` in protobuf's JSON form, completed with the checkpoint's 2-D
    variables and the tensors' shapes (`{"modelCheckpointPath", "embeddings": [{"tensorName",
    "tensorShape", "metadataPath", "sprite": {...}, "tensorPath"}]}`)."""
    config = data(request).run(run).config
    return Response(json_format.MessageToJson(config), media_type="application/json")


@router.get("/data/plugin/projector/tensor", summary="One embedding's values (raw float32)")
def tensor(request: Request, run: RunParam, name: NameParam, num_rows: RowsParam = None) -> Response:
    """The points x dimensions float32 matrix, row-major, little-endian, as bytes."""
    values = data(request).tensor(run, name)
    if num_rows:
        values = values[:num_rows]
    return Response(np.ascontiguousarray(values, dtype="<f4").tobytes(),
                    media_type="application/octet-stream")


@router.get("/data/plugin/projector/metadata", summary="One embedding's metadata (TSV)")
def metadata(request: Request, run: RunParam, name: NameParam, num_rows: RowsParam = None) -> Response:
    """The metadata file's lines: a header line when the first line holds a tab, then one line per
    point (at most `num_rows`, and at most 100,000)."""
    text = data(request).metadata(run, name, num_rows)
    return Response(text, media_type="text/plain; charset=utf-8")


@router.get("/data/plugin/projector/sprite_image", summary="One embedding's sprite image")
def sprite_image(request: Request, run: RunParam, name: NameParam) -> Response:
    image, mime = data(request).sprite(run, name)
    return Response(image, media_type=mime)


@router.get("/data/projector/pca", summary="An embedding projected on its principal axes (board's own)")
def pca(request: Request, run: RunParam, name: NameParam,
        components: Annotated[int, Query(ge=2, le=3, description="2 or 3 axes")] = 3) -> Response:
    """`{"shape": [points, dimensions], "components", "explained": [fraction of variance per axis],
    "points": [[x, y(, z)], ...]}` for the first 100,000 points, scaled into [-1, 1]."""
    values = data(request).tensor(run, name)[:MAX_PCA_POINTS]
    projected, explained = projector.pca(values, components)
    scale = float(np.abs(projected).max()) if projected.size else 0.0
    if scale > 0 and np.isfinite(scale):
        projected = projected / scale
    projected = np.nan_to_num(projected, nan=0.0, posinf=0.0, neginf=0.0)
    return json_response({"shape": list(values.shape), "components": components,
                          "explained": [round(float(x), 6) for x in explained],
                          "points": np.round(projected.astype(np.float64), 5).tolist()})


@router.get("/data/projector/neighbors", summary="Nearest neighbours of one point (cosine; board's own)")
def neighbors(request: Request, run: RunParam, name: NameParam,
              index: Annotated[int, Query(ge=0, description="the point's row")],
              k: Annotated[int, Query(ge=1, le=1000, description="how many neighbours")] = 10) -> Response:
    """`{"index", "neighbors": [{"index", "distance"}, ...]}`: the `k` other points of the first
    100,000 nearest to point `index` by cosine distance (1 - cosine similarity), nearest first."""
    values = data(request).tensor(run, name)[:MAX_PCA_POINTS]
    if index >= len(values):
        raise BadRequest(f"index {index} is out of range: tensor {name!r} has {len(values)} points")
    distances = projector.cosine_distances(values, index)
    distances[index] = np.inf
    k = min(k, len(values) - 1)
    nearest = np.argpartition(distances, k - 1)[:k] if k > 0 else np.zeros(0, np.int64)
    nearest = nearest[np.argsort(distances[nearest], kind="stable")]
    found = [{"index": int(i), "distance": round(float(distances[i]), 6)} for i in nearest]
    return json_response({"index": index, "neighbors": found})


@router.get("/projector", response_class=HTMLResponse, include_in_schema=False)
def projector_page(request: Request) -> HTMLResponse:
    """templates/projector.html; static/js/projector/main.js fetches everything it shows."""
    from board.resources import templates  # imported late: the app factory imports this module first

    return templates.TemplateResponse(request, "projector.html", page_context(request, "projector"))
