"""TensorBoard's graph routes: `/data/plugin/graphs/info`, `/graph` (text GraphDef), `/run_metadata`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from board import encode
from board.data.provider import GRAPH_DEF, KERAS_MODEL, RUN_METADATA, RUN_METADATA_PLUGINS
from board.errors import BadRequest, NotFound

router = APIRouter(tags=["graphs"])

_TEXT_PROTO = "text/x-protobuf"


@router.get("/data/plugin/graphs/info", summary="Which runs have graphs")
def info(request: Request) -> Response:
    """`{run: {"run", "run_graph", "tags": {tag: {"tag", "conceptual_graph", "op_graph",
    "profile"}}}}` — `run_graph` when the run has a `graph_def` (or a `meta_graph_def` with a
    graph); each `tagged_run_metadata` tag is listed with `profile: true` and `op_graph: false`,
    as TensorBoard answers even when its RunMetadata holds partition graphs (TB draws the run's
    graph with the tag's step stats over it; /data/graph/ offers those partition graphs apart);
    each Keras model summary tag with `conceptual_graph: true`; each run-metadata summary tag (TF2's
    `trace_export`) with `op_graph: true`, and `profile: true` too for `graph_run_metadata`."""
    provider = request.app.state.provider
    result = {}
    for run, kinds in provider.graph_kinds().items():
        item = {"run": run, "tags": {}, "run_graph": False}
        for graph in kinds:
            if graph.tag is None:
                item["run_graph"] = True
                continue
            entry = item["tags"].setdefault(graph.tag, {"tag": graph.tag, "conceptual_graph": False,
                                                        "op_graph": False, "profile": False})
            if graph.kind.startswith(KERAS_MODEL):
                entry["conceptual_graph"] = True
            elif graph.source in RUN_METADATA_PLUGINS:
                entry["op_graph"] = True
                entry["profile"] = graph.source == "graph_run_metadata"
            else:
                entry["profile"] = True
        result[run] = item
    return Response(encode.dumps(result), media_type="application/json")


def prepare_for_ui(graph, limit_attr_size: int | None, large_attrs_key: str) -> None:
    """Drops attribute values bigger than `limit_attr_size` bytes, naming them in the node's
    `large_attrs_key` attribute (the same filtering TensorBoard applies)."""
    if limit_attr_size is None:
        return
    for node in graph.node:
        for key in list(node.attr.keys()):
            if node.attr[key].ByteSize() > limit_attr_size:
                del node.attr[key]
                node.attr[large_attrs_key].list.s.append(key.encode("utf-8"))


@router.get("/data/plugin/graphs/graph", summary="A run's graph as text GraphDef")
def graph(
    request: Request,
    run: Annotated[str, Query(description="run name")],
    tag: Annotated[str | None, Query(description="tagged_run_metadata tag; none = the run graph")] = None,
    limit_attr_size: Annotated[int | None, Query(gt=0, description="drop attrs bigger (bytes)")] = None,
    large_attrs_key: Annotated[str, Query(description="attr listing dropped attrs")] = "_too_large_attrs",
    conceptual: Annotated[str | None, Query(description="'true' for a Keras model graph")] = None,
) -> Response:
    """The GraphDef in protobuf text format. Without `tag`: the run's `graph_def` (or the graph of
    its `meta_graph_def`); with `tag`: the graphs of that `tagged_run_metadata` (PyTorch's
    `step1` holds none, so its graph is empty); with `conceptual=true` and `tag`: the layers of the
    Keras model that `tag`'s summary holds (board/keras_graph.py). A TF2 trace's several function
    graphs are merged under `graph_1/`, `graph_2/`... with their function libraries, as TB merges them."""
    if not large_attrs_key:
        raise BadRequest("parameter 'large_attrs_key' must not be empty")
    if conceptual == "true":
        if tag is None:
            raise BadRequest("a conceptual (Keras model) graph needs the 'tag' of its summary")
        kind = KERAS_MODEL + tag
    else:
        kind = GRAPH_DEF if tag is None else RUN_METADATA + tag
    graph_def = request.app.state.provider.graph(run, kind)
    prepare_for_ui(graph_def, limit_attr_size, large_attrs_key)
    return Response(_text(graph_def), media_type=_TEXT_PROTO)


@router.get("/data/plugin/graphs/run_metadata", summary="A tagged RunMetadata as text")
def run_metadata(request: Request, run: Annotated[str, Query()], tag: Annotated[str, Query()]) -> Response:
    """The RunMetadata (step stats, partition graphs) of a `tagged_run_metadata` event or of a
    `graph_run_metadata` summary. A `graph_run_metadata_graph` summary (`trace_export` of graphs only)
    is not profile data: 404, as TensorBoard answers (the /graph route serves its graphs)."""
    provider = request.app.state.provider
    # One entry, under the run's own name (which a URL may spell otherwise: percent-escaped bytes).
    kinds = next(iter(provider.graph_kinds(run).values()))
    if any(info.tag == tag and info.source == "graph_run_metadata_graph" for info in kinds):
        raise NotFound(f"run {run!r} tag {tag!r} holds graphs only, no profile (its graph: /graph?tag=)")
    metadata = provider.run_metadata(run, tag)
    return Response(_text(metadata), media_type=_TEXT_PROTO)


def _text(message) -> str:
    """A message in protobuf's text format (imported here: the server starts without protobuf)."""
    from google.protobuf import text_format

    return text_format.MessageToString(message)
