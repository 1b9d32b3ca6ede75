"""Layouts of a graph's groups that pages computed, remembered per graph (issue 24).

The graph page lays out each open group with elkjs in a worker; in a fresh browser that is the bulk
of the first paint (loading 1.6 MB of elkjs, then a cold-JIT layout: ~1-2 s on a busy machine). So
the page posts the layouts of its first view here, and the next page to open the same graph fetches
them with the hierarchy and draws at once (static/js/graph/main.js); elkjs then runs only for what
the user opens.

A layout is the worker's result (static/js/graph/layout_worker.js) under the page's content key of
the group (scene.js: the group and its children's sizes), which the page checks before using one.
Layouts are kept per `Hierarchy` object: a changed graph gets a new one, and its old layouts go with
the old object. Bounded: a body of at most `MAX_BODY` bytes and `MAX_PER_GRAPH` layouts per graph
(the most recently posted).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from typing import Any

from board.errors import BadRequest

MAX_BODY = 2 << 20  # bytes of one posted layout (a 1,000-node group's is ~150 kB); api.js knows it too
MAX_PER_GRAPH = 8  # the first view's groups, with and without the auxiliary column, and a few more
MAX_KEY = 1 << 16  # characters of a content key


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadRequest(f"layout: {where} must be a finite number")
    return float(value)


def _point(value: Any, where: str) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise BadRequest(f"layout: {where} must be [x, y]")
    return [_number(value[0], where), _number(value[1], where)]


def validate(payload: Any) -> dict[str, Any]:
    """The layout in `payload` with only the fields the page reads, numbers checked; BadRequest else."""
    if not isinstance(payload, dict):
        raise BadRequest("layout: expected a JSON object")
    key = payload.get("key")
    if not isinstance(key, str) or not key or len(key) > MAX_KEY:
        raise BadRequest(f"layout: 'key' must be a non-empty string of at most {MAX_KEY} characters")
    nodes, edges = payload.get("nodes"), payload.get("edges")
    if not isinstance(nodes, dict) or not isinstance(edges, dict):
        raise BadRequest("layout: 'nodes' and 'edges' must be objects")
    clean_edges = {}
    for edge_id, edge in edges.items():
        if not isinstance(edge, dict) or not isinstance(edge.get("points"), list):
            raise BadRequest(f"layout: edge {edge_id!r} must be {{points: [[x, y], ...], label}}")
        label = edge.get("label")
        clean_edges[edge_id] = {
            "points": [_point(p, f"edge {edge_id!r}") for p in edge["points"]],
            "label": None if label is None else _point(label, f"label of edge {edge_id!r}"),
        }
    return {
        "key": key,
        "width": _number(payload.get("width"), "'width'"),
        "height": _number(payload.get("height"), "'height'"),
        "nodes": {node_id: _point(p, f"node {node_id!r}") for node_id, p in nodes.items()},
        "edges": clean_edges,
    }


class LayoutStore:
    """Layouts per graph (`Hierarchy`), thread-safe; a graph's go when its `Hierarchy` is dropped.

    Keyed by the object's id (a Hierarchy is an unhashable dataclass), forgotten by a finalizer
    when the object dies, so an id is never reused while its entry exists."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._graphs: dict[int, OrderedDict[str, dict[str, Any]]] = {}

    def _forget(self, graph_id: int) -> None:
        with self._lock:
            self._graphs.pop(graph_id, None)

    def add(self, graph: Any, layout: dict[str, Any]) -> None:
        """Remembers a `validate`d layout of `graph`, replacing one under the same key."""
        with self._lock:
            layouts = self._graphs.get(id(graph))
            if layouts is None:
                layouts = self._graphs[id(graph)] = OrderedDict()
                weakref.finalize(graph, self._forget, id(graph))
            layouts.pop(layout["key"], None)
            layouts[layout["key"]] = layout
            while len(layouts) > MAX_PER_GRAPH:
                layouts.popitem(last=False)

    def layouts(self, graph: Any) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._graphs.get(id(graph), {}).values())

    def clear(self) -> None:
        """Forgets every graph's layouts (bench/graph_page.py measures a first visit without them)."""
        with self._lock:
            self._graphs.clear()

    def __len__(self) -> int:
        """Graphs with layouts."""
        with self._lock:
            return len(self._graphs)
