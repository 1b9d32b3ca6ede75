"""A RunMetadata's step stats per node, as the graph page colours and lists them.

TensorBoard's graph dashboard joins step stats to the graph by node name (all devices summed): a node's
compute time is the sum of its `all_end_rel_micros`, its memory the sum of its allocators'
`total_bytes`. Scopes sum their ops on the page (static/js/graph/step_stats.js).
"""

from __future__ import annotations

from typing import Any


def node_stats(run_metadata) -> dict[str, Any]:
    """`{"devices": [...], "nodes": {name: {"compute_us", "memory_bytes", "start_us", "outputs"}}}`
    with `start_us` relative to the step's first node and `outputs` the output shapes ("4x2", "scalar",
    or "?" where unknown)."""
    devices = [dev.device for dev in run_metadata.step_stats.dev_stats]
    starts = [ns.all_start_micros for dev in run_metadata.step_stats.dev_stats for ns in dev.node_stats]
    first = min(starts, default=0)
    nodes: dict[str, dict[str, Any]] = {}
    for dev in run_metadata.step_stats.dev_stats:
        for ns in dev.node_stats:
            entry = nodes.setdefault(ns.node_name, {"compute_us": 0, "memory_bytes": 0,
                                                    "start_us": ns.all_start_micros - first, "outputs": []})
            entry["compute_us"] += ns.all_end_rel_micros
            entry["memory_bytes"] += sum(m.total_bytes for m in ns.memory if m.total_bytes > 0)
            entry["outputs"].extend(_shape(out.tensor_description) for out in ns.output)
    return {"devices": devices, "nodes": nodes}


def _shape(description) -> str:
    if not description.HasField("shape") or description.shape.unknown_rank:
        return "?"
    dims = [str(d.size) if d.size >= 0 else "?" for d in description.shape.dim]
    return "x".join(dims) if dims else "scalar"
