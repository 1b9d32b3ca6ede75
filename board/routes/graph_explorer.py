"""Graph dashboard routes: the `/graphs` page and its JSON under `/data/graph/`.

- ``GET /graphs`` — the page (templates/graphs.html); everything it shows comes from the JSON below.
- ``GET /data/graph/runs`` — runs that have graphs, with the graph kinds of each:
  ``{"runs": [{"run": "train", "kinds": [{"kind": "graph_def", "label": "op graph"}, ...]}]}``.
- ``GET /data/graph/hierarchy?run=R&kind=K`` — the name-scope hierarchy of one graph (format in
  `board.graph_hierarchy`), built once per graph and cached; ``kind`` defaults to the run's first.
- ``GET /data/graph/layouts?run=R&kind=K`` — ``{"layouts": [...]}``, layouts of that graph's groups that
  pages posted with ``POST /data/graph/layouts?run=R&kind=K`` (body: one layout as the layout worker
  makes it; board/graph_layouts.py): a fresh page draws its first view without running elkjs.
- ``GET /data/graph/node?run=R&kind=K&name=N`` — one op for the info panel: op, device, attrs, inputs
  and outputs with shapes (inputs naming absent nodes are listed with ``"missing": true``).
- ``GET /data/graph/step_stats?run=R&kind=run_metadata/T`` — that RunMetadata's compute time and
  memory per node (board/step_stats.py), for the page's "compute time" and "memory" colours.
- ``GET /data/graph/diff?run=R&kind=K&run2=R2&kind2=K2`` — graph (R, K) against graph (R2, K2):
  added, removed and changed nodes (board/graph_diff.py); each kind defaults to its run's first.

A graph with a function library (TF2's `tf.summary.trace_export`) is drawn with each function call
opened like a name scope holding the function's body, and the library apart under
`__function_library__/` (board/function_graph.py), as TensorBoard draws it.

A run-metadata kind whose RunMetadata holds no graph (PyTorch's, or one recorded without
`output_partition_graphs`) draws the run's own graph, as TensorBoard draws its step stats over it.

Unknown run, kind or node -> 404, missing parameter or malformed layout -> 400, a layout body over
`graph_layouts.MAX_BODY` -> 413, all as ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from board import function_graph, graph_diff, graph_layouts, step_stats
from board.data.provider import GRAPH_DEF, RUN_METADATA
from board.errors import BadRequest, BoardError, NotFound, PayloadTooLarge, UnsupportedMediaType
from board.graph_hierarchy import Hierarchy, HierarchyCache

router = APIRouter()

_KIND_LABELS = {
    "graph_def": "op graph",
    "graph": "op graph",
    "meta_graph_def": "meta graph",
    "meta_graph": "meta graph",
}


def kind_label(kind: str) -> str:
    """Human label of a graph kind: op graph, meta graph, run metadata (tag), Keras model (tag)."""
    if kind in _KIND_LABELS:
        return _KIND_LABELS[kind]
    prefix, sep, tag = kind.partition("/")
    if sep and "metadata" in prefix:
        return f"run metadata: {tag}"
    if sep and prefix == "keras_model":
        return f"Keras model: {tag}"
    return kind.replace("_", " ")


def _cache(state) -> HierarchyCache:
    cache = getattr(state, "graph_hierarchy_cache", None)
    if cache is None:
        cache = state.graph_hierarchy_cache = HierarchyCache()
    return cache


def _layout_store(state) -> graph_layouts.LayoutStore:
    store = getattr(state, "graph_layout_store", None)
    if store is None:
        store = state.graph_layout_store = graph_layouts.LayoutStore()
    return store


def _required(name: str, value: str | None) -> str:
    if value is None or value == "":
        raise BadRequest(f"missing query parameter '{name}'")
    return value


def _graph_kinds(provider) -> dict[str, list[str]]:
    """{run: [kind, ...]} for every run that has at least one graph (see LogdirProvider.graph_kinds)."""
    return {run: [info.kind for info in infos] for run, infos in provider.graph_kinds().items() if infos}


def _hierarchy(state, run: str | None, kind: str | None) -> tuple[str, str, Hierarchy]:
    """`state`: the app's (`request.app.state`)."""
    run = _required("run", run)
    provider = state.provider
    kinds = _graph_kinds(provider).get(run)
    if kinds is None:
        raise NotFound(f"run '{run}' has no graph (or does not exist)")
    if kind is None or kind == "":
        kind = kinds[0]
    elif kind not in kinds:
        raise NotFound(f"run '{run}' has no graph of kind '{kind}'; it has: {', '.join(kinds)}")
    drawn = kind
    if kind.startswith(RUN_METADATA) and GRAPH_DEF in kinds:
        info = next(i for i in provider.graph_kinds(run)[run] if i.kind == kind)
        if not info.has_graph:
            drawn = GRAPH_DEF
    hierarchy = _cache(state).get(run, drawn,
                                  lambda: function_graph.expand_functions(provider.graph(run, drawn)),
                                  stamp=getattr(provider, "last_changed", None))
    return run, kind, hierarchy


def _initial_graph(runs: dict[str, list[str]], run: str | None, kind: str | None) -> tuple[str, str] | None:
    """The (run, kind) the page shows first: the URL's when the logdir has it, else the first graph."""
    if run not in runs:
        run = next(iter(runs), None)
    if run is None:
        return None
    return run, kind if kind in runs[run] else runs[run][0]


def _build_in_background(state, run: str, kind: str) -> None:
    """Start building the hierarchy the page is about to ask for while the browser loads its scripts."""

    def build() -> None:
        try:
            _hierarchy(state, run, kind)
        except BoardError:
            pass

    threading.Thread(target=build, name="graph-hierarchy-prewarm", daemon=True).start()


def prebuild(state) -> None:
    """Builds the hierarchy of the graph the page shows first (the first run's first graph) if it is
    not built yet. The app runs this after each loading pass (board/app.py), so that a first visit
    waits for no build: 0.5-2 s of CPU for a 20,000-node graph (bench/graph_page.py)."""
    first = _initial_graph(_graph_kinds(state.provider), None, None)
    if first is None or first in _cache(state):
        return
    try:
        _hierarchy(state, *first)
    except BoardError:
        pass  # the graph went away meanwhile


def graph_run_list(provider) -> dict[str, Any]:
    """The /data/graph/runs answer."""
    return {"runs": [{"run": run, "kinds": [{"kind": k, "label": kind_label(k)} for k in kinds]}
                     for run, kinds in _graph_kinds(provider).items()]}


@router.get("/graphs", response_class=HTMLResponse, include_in_schema=False)
def graphs_page(request: Request) -> Any:
    """The page. Its context adds `initial`: the answers of /data/status and /data/graph/runs (the
    page lists the runs without asking them) and `first`, the graph to draw first ({run, kind, url
    of its hierarchy, layouts: url of its remembered layouts}, or None): the browser starts fetching
    both from the page's <head>."""
    from board.resources import templates
    from board.routes.pages import page_context

    context = page_context(request, "graphs")
    provider = request.app.state.provider
    status = provider.status().__dict__  # first: data read meanwhile has a later last_changed
    listing = graph_run_list(provider)
    runs = {entry["run"]: [k["kind"] for k in entry["kinds"]] for entry in listing["runs"]}
    initial = _initial_graph(runs, request.query_params.get("run"), request.query_params.get("kind"))
    first = None
    if initial:
        params = urlencode({"run": initial[0], "kind": initial[1]}, errors="surrogateescape")
        first = {"run": initial[0], "kind": initial[1], "url": "/data/graph/hierarchy?" + params,
                 "layouts": "/data/graph/layouts?" + params}
        _build_in_background(request.app.state, *initial)
    context["initial"] = {"status": status, "runs": listing["runs"], "first": first}
    return templates.TemplateResponse(request, "graphs.html", context)


@router.get("/data/graph/runs")
def graph_runs(request: Request) -> dict[str, Any]:
    """Runs that have graphs, each with its graph kinds (op graph, meta graph, run metadata)."""
    return graph_run_list(request.app.state.provider)


@router.get("/data/graph/hierarchy")
def graph_hierarchy(request: Request, run: str | None = None, kind: str | None = None) -> Response:
    """The name-scope hierarchy of one graph as compact JSON (see board/graph_hierarchy.py). Its
    `Server-Timing` header says how long the server took (a build, or a cache hit), for the page's
    resource timings (bench/graph_page.py prints it)."""
    began = time.perf_counter()
    _, _, hierarchy = _hierarchy(request.app.state, run, kind)
    body = hierarchy.to_json()
    took = (time.perf_counter() - began) * 1000
    return Response(content=body, media_type="application/json",
                    headers={"Server-Timing": f"hierarchy;dur={took:.1f}"})


@router.get("/data/graph/layouts")
def graph_layouts_get(request: Request, run: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """Layouts of the graph's groups that pages posted (board/graph_layouts.py)."""
    _, _, hierarchy = _hierarchy(request.app.state, run, kind)
    return {"layouts": _layout_store(request.app.state).layouts(hierarchy)}


@router.post("/data/graph/layouts")
async def graph_layouts_post(request: Request, run: str | None = None,
                             kind: str | None = None) -> dict[str, Any]:
    """Remembers one layout of a group of the graph, as the page's layout worker computed it."""
    # JSON only: another site's page can POST text/plain or a form here without asking (a "simple"
    # cross-origin request), but not application/json, which needs a CORS preflight board never grants.
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("layout: the body must be sent as application/json, not "
                                   f"{media_type or 'untyped'}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > graph_layouts.MAX_BODY:
            raise PayloadTooLarge(f"layout: the body is over {graph_layouts.MAX_BODY} bytes")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadRequest(f"layout: the body is not JSON ({error})") from None
    layout = graph_layouts.validate(payload)
    # The hierarchy may need loading or building: not on the event loop.
    _, _, hierarchy = await run_in_threadpool(_hierarchy, request.app.state, run, kind)
    store = _layout_store(request.app.state)
    store.add(hierarchy, layout)
    return {"layouts": len(store.layouts(hierarchy))}


@router.get("/data/graph/step_stats")
def graph_step_stats(request: Request, run: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """Compute time and memory per node of a run-metadata kind (see board/step_stats.py)."""
    run = _required("run", run)
    kind = _required("kind", kind)
    if not kind.startswith(RUN_METADATA):
        raise NotFound(f"graph kind '{kind}' has no step stats: only run metadata ({RUN_METADATA}TAG) has")
    return step_stats.node_stats(request.app.state.provider.run_metadata(run, kind[len(RUN_METADATA):]))


@router.get("/data/graph/diff")
def graph_diff_route(request: Request, run: str | None = None, kind: str | None = None,
                     run2: str | None = None, kind2: str | None = None) -> dict[str, Any]:
    """Graph (run, kind) against graph (run2, kind2): which nodes were added, removed or changed.
    Both hierarchies come from the cache the page's own requests fill; the diff is one pass over each."""
    run, kind, hierarchy = _hierarchy(request.app.state, run, kind)
    run2 = _required("run2", run2)
    run2, kind2, other = _hierarchy(request.app.state, run2, kind2)
    return {"run": run, "kind": kind, "against": {"run": run2, "kind": kind2},
            **graph_diff.diff(hierarchy, other)}


@router.get("/data/graph/node")
def graph_node(request: Request, run: str | None = None, kind: str | None = None,
               name: str | None = None) -> dict[str, Any]:
    """One op's details for the info panel."""
    name = _required("name", name)
    run, kind, hierarchy = _hierarchy(request.app.state, run, kind)
    info = hierarchy.node_info(name)
    if info is None:
        raise NotFound(f"no node named '{name}' in the {kind_label(kind)} of run '{run}'")
    return info
