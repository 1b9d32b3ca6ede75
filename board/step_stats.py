"""A RunMetadata's step stats: per node, as the graph page colours and lists them; as a timeline of
bars, as the Trace page draws it; and two steps compared per op type or name scope.

TensorBoard's graph dashboard joins step stats to the graph by node name (all devices summed): a node's
compute time is the sum of its `all_end_rel_micros`, its memory the sum of its allocators'
`total_bytes`. Scopes sum their ops on the page (static/js/graph/step_stats.js).
"""

from __future__ import annotations

from typing import Any, Literal


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
            entry = nodes.get(ns.node_name)
            if entry is None:  # a node in a loop has one record per iteration: its first gives the shapes
                entry = nodes[ns.node_name] = {
                    "compute_us": 0, "memory_bytes": 0, "start_us": ns.all_start_micros - first,
                    "outputs": [_shape(out.tensor_description) for out in ns.output]}
            entry["compute_us"] += ns.all_end_rel_micros
            entry["memory_bytes"] += memory_bytes(ns)
    return {"devices": devices, "nodes": nodes}


def _shape(description) -> str:
    if not description.HasField("shape") or description.shape.unknown_rank:
        return "?"
    dims = [str(d.size) if d.size >= 0 else "?" for d in description.shape.dim]
    return "x".join(dims) if dims else "scalar"


# -- the Trace view: one bar per NodeExecStats ------------------------------------------------------

MAX_TRACE_EVENTS = 200_000  # bars one answer carries; a RunMetadata holding more says it was cut
MAX_ROWS = 64  # rows per device


def op_of(ns) -> str:
    r"""The op type of a NodeExecStats, as tensorflow.python.client.timeline reads it from the
    timeline_label "name = Op(input, ...)" (its regex `(.*) = (.*)\((.*)\)`, here with string
    operations in linear time: a label is any bytes a writer chose), else the node name (PyTorch and
    others write no label)."""
    label = ns.timeline_label
    for _, sep, call in (label.rpartition(" = "), label.partition(" = ")):
        if sep and call.endswith(")") and "(" in call:
            return call[:call.rindex("(")]
    return ns.node_name


def output_bytes(ns) -> int:
    return sum(out.tensor_description.allocation_description.allocated_bytes for out in ns.output)


def memory_bytes(ns) -> int:
    """The bytes a node's allocators report for it (TensorBoard's memory colour sums these)."""
    return sum(m.total_bytes for m in ns.memory if m.total_bytes > 0)


def timeline(run_metadata) -> dict[str, Any]:
    """The step as lanes of bars, for the Trace page: `{"origin_us", "lanes": [{"device", "row"}],
    "events": {"lane", "start_us", "duration_us", "op_start_us", "op_end_us", "name", "op",
    "output_bytes", "memory_bytes"}, "truncated"}`. Columns of equal length, one entry per
    NodeExecStats; times in microseconds from `origin_us` (the step's first start), op times relative
    to the bar's start. Each device's bars are put in rows where none overlaps, as TF's
    `timeline.Timeline` assigns its "threads" (the executor records no real thread ids): a bar goes to
    the first row whose last bar ended before it starts (`MAX_ROWS` at most)."""
    stats = run_metadata.step_stats.dev_stats
    origin = min((ns.all_start_micros for dev in stats for ns in dev.node_stats), default=0)
    lanes: list[dict[str, Any]] = []
    columns: dict[str, list] = {key: [] for key in ("lane", "start_us", "duration_us", "op_start_us",
                                                     "op_end_us", "name", "op", "output_bytes",
                                                     "memory_bytes")}
    truncated = False
    for dev in stats:
        row_ends: list[int] = []  # the end of each row's last bar
        first_lane = len(lanes)
        for ns in dev.node_stats:
            if len(columns["lane"]) >= MAX_TRACE_EVENTS:
                truncated = True
                break
            end = ns.all_start_micros + ns.all_end_rel_micros
            row = next((i for i, last in enumerate(row_ends) if ns.all_start_micros > last), len(row_ends))
            if row == MAX_ROWS:  # bounded work: past this many rows, bars share the row free soonest
                row = min(range(MAX_ROWS), key=row_ends.__getitem__)
            if row == len(row_ends):
                row_ends.append(end)
                lanes.append({"device": dev.device, "row": row})
            else:
                row_ends[row] = end
            columns["lane"].append(first_lane + row)
            columns["start_us"].append(ns.all_start_micros - origin)
            columns["duration_us"].append(ns.all_end_rel_micros)
            columns["op_start_us"].append(ns.op_start_rel_micros)
            columns["op_end_us"].append(ns.op_end_rel_micros)
            columns["name"].append(ns.node_name)
            columns["op"].append(op_of(ns))
            columns["output_bytes"].append(output_bytes(ns))
            columns["memory_bytes"].append(memory_bytes(ns))
    return {"origin_us": origin, "truncated": truncated, "lanes": lanes, "events": columns}


# -- comparing two steps ------------------------------------------------------------------------------

CompareSort = Literal["key", "time_a", "time_b", "time_diff", "memory_a", "memory_b", "memory_diff"]


def _totals(run_metadata, group: str, depth: int) -> dict[str, list[int]]:
    """{key: [count, time_us, memory_bytes]} summed over the step's NodeExecStats, the key being the
    op type or the name scope cut to `depth` levels ("(root)" for ops outside any scope)."""
    totals: dict[str, list[int]] = {}
    for dev in run_metadata.step_stats.dev_stats:
        for ns in dev.node_stats:
            if group == "op":
                key = op_of(ns)
            else:
                scope = ns.node_name.rpartition("/")[0]
                key = "/".join(scope.split("/")[:depth]) if scope else "(root)"
            entry = totals.setdefault(key, [0, 0, 0])
            entry[0] += 1
            entry[1] += ns.all_end_rel_micros
            entry[2] += memory_bytes(ns)
    return totals


def compare(a, b, group: str = "op", depth: int = 1, sort: str = "time_diff", descending: bool = True,
            limit: int = 200) -> dict[str, Any]:
    """Two steps' time and memory per op type (or name scope), side by side: `{"rows": [{"key",
    "count_a", "count_b", "time_a", "time_b", "time_diff", "memory_a", "memory_b", "memory_diff"}],
    "total_rows", "totals": {same keys summed}}`, diff = b - a, sorted by `sort` (by magnitude for
    the differences) and cut to `limit` rows. Work is linear in the two steps' node stats."""
    ta, tb = _totals(a, group, depth), _totals(b, group, depth)
    rows: list[dict[str, Any]] = []
    for key in ta.keys() | tb.keys():
        ca, time_a, mem_a = ta.get(key, (0, 0, 0))
        cb, time_b, mem_b = tb.get(key, (0, 0, 0))
        rows.append({"key": key, "count_a": ca, "count_b": cb, "time_a": time_a, "time_b": time_b,
                     "time_diff": time_b - time_a, "memory_a": mem_a, "memory_b": mem_b,
                     "memory_diff": mem_b - mem_a})
    totals = {name: sum(row[name] for row in rows) for name in rows[0] if name != "key"} if rows else {}
    if sort == "key":
        rows.sort(key=lambda row: row["key"], reverse=descending)
    else:
        value = (lambda row: abs(row[sort])) if sort.endswith("_diff") else (lambda row: row[sort])
        rows.sort(key=lambda row: (value(row), row["key"]), reverse=descending)
    return {"group": group, "rows": rows[:limit], "total_rows": len(rows), "totals": totals}
