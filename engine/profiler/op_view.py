"""tfprof's 'op' view: graph nodes grouped by op type (all MatMuls, all Conv2Ds, ...), as tensorflow/core/
profiler/internal/tfprof_op.cc and tfprof_show_multi.cc show them.

Each op type is one MultiGraphNodeProto holding the accounted graph nodes of that type. The types are
sorted by `order_by` and printed as a flat list whose columns read `own (cumulative %, own %)`: the
cumulative figure adds every type listed after it, and the proto nests each type under the one before
it in the same way (root -> first type -> second type -> ...).
"""

from __future__ import annotations

import re

from engine.profiler.options import ROOT
from engine.profiler.scope_view import (
    MEMORY_LEGENDS,
    ORDER_BY,
    ScopeNode,
    format_memory,
    format_number,
    format_time,
    time_legends,
)
from engine.proto import tfprof_output_pb2

_TOTALS = ("exec_micros", "accelerator_exec_micros", "cpu_exec_micros", "requested_bytes", "peak_bytes",
           "residual_bytes", "output_bytes", "parameters", "float_ops")


class OpTypeNode:
    """The graph nodes of one op type; `snapshot` picks the accounted ones and sums their statistics."""

    def __init__(self, name, nodes=()):
        self.name = name
        self.nodes = sorted(nodes, key=lambda n: n.name)
        self.proto = tfprof_output_pb2.MultiGraphNodeProto()
        self.picked = {}
        self.op_types, self.devices = set(), set()
        self.account = self.snapshot(-1, [".*"])

    def snapshot(self, step, type_regexes):
        """Sum the nodes whose op types match `type_regexes` (a node matching two regexes counts twice,
        as in tfprof); True when some node matched."""
        picked = []
        if type_regexes == [".*"]:
            picked = list(self.nodes)
        else:
            for regex in type_regexes:
                picked += [n for n in self.nodes if any(re.fullmatch(regex, t) for t in n.op_types)]
        p = self.proto
        p.Clear()
        p.name = self.name
        self.picked = {n.name: n for n in picked}
        self.op_types = set().union(*(n.op_types for n in picked))
        self.devices = {n.canonical_device for n in picked}
        p.exec_micros = sum(n.exec_micros(step) for n in picked)
        p.accelerator_exec_micros = sum(n.accelerator_exec_micros(step) for n in picked)
        p.cpu_exec_micros = sum(n.cpu_exec_micros(step) for n in picked)
        p.requested_bytes = sum(n.bytes("requested", step) for n in picked)
        p.peak_bytes = sum(n.bytes("peak", step) for n in picked)
        p.residual_bytes = sum(n.bytes("residual", step) for n in picked)
        p.output_bytes = sum(n.bytes("output", step) for n in picked)
        p.float_ops = sum(n.float_ops(step) for n in picked)
        p.parameters = sum(n.parameters() for n in picked)
        for name in sorted(self.picked):
            shown = ScopeNode(self.picked[name])
            shown.reinit(step)
            shown.add_self_to_totals()
            p.graph_nodes.add().CopyFrom(shown.proto)
        return bool(picked) or type_regexes == [".*"]

    def reset_totals(self):
        for name in _TOTALS:
            setattr(self.proto, "total_" + name, 0)
        self.proto.ClearField("children")

    def add_self_to_totals(self):
        for name in _TOTALS:
            key = "total_" + name
            setattr(self.proto, key, getattr(self.proto, key) + getattr(self.proto, name))

    def aggregate(self, other):
        for name in _TOTALS:
            key = "total_" + name
            setattr(self.proto, key, getattr(self.proto, key) + getattr(other.proto, key))


def show(nodes, opts):
    """The op view of `nodes` (name -> GraphNode): its text (legend first) and MultiGraphNodeProto."""
    by_type = {}
    for node in nodes.values():
        by_type.setdefault(node.op, []).append(node)
    types = [OpTypeNode(op, by_type[op]) for op in sorted(by_type)]
    root = OpTypeNode(ROOT)
    if not types:
        return _format(root, root, opts), root.proto
    for node in types:
        node.account = node.snapshot(opts.step, opts.account_type_regexes)
        node.reset_totals()
        node.add_self_to_totals()
    accounted = [n for n in _sort(types, opts) if n.account]
    _chain_totals(accounted)
    if accounted:
        root.aggregate(accounted[0])

    start = 0
    if opts.start_name_regexes and opts.start_name_regexes != [".*"]:
        start = next((i for i, n in enumerate(accounted)
                      if any(re.fullmatch(r, n.name) for r in opts.start_name_regexes)), len(accounted))
    shown = []
    for depth, node in enumerate(accounted[start:]):
        if any(re.fullmatch(r, node.name) for r in opts.trim_name_regexes) or depth > opts.max_depth:
            break
        if _should_show(node, opts, depth):
            shown.append(node)
    if opts.account_displayed_op_only:
        for node in shown:
            node.reset_totals()
            node.add_self_to_totals()
        _chain_totals(shown)
        root.reset_totals()
        if shown:
            root.aggregate(shown[0])
    text = legend(opts) + "".join(_format(node, root, opts) for node in shown)
    parent = root.proto
    for node in shown:
        child = parent.children.add()
        child.CopyFrom(node.proto)
        parent = child
    return text, root.proto


def _chain_totals(nodes):
    """Each node's totals also hold those of every node after it."""
    for later, node in zip(reversed(nodes[1:]), reversed(nodes[:-1]), strict=True):
        node.aggregate(later)


def _sort(nodes, opts):
    if not opts.order_by:
        return list(nodes)
    if opts.order_by == "occurrence":
        return sorted(nodes, key=lambda n: -len(n.picked))
    key = ORDER_BY.get(opts.order_by)
    if key is None:
        return sorted(nodes, key=lambda n: n.name.encode())
    return sorted(nodes, key=lambda n: -getattr(n.proto, key))


def _should_show(node, opts, depth):
    p = node.proto
    if (p.total_requested_bytes < opts.min_bytes or p.total_peak_bytes < opts.min_peak_bytes
            or p.total_residual_bytes < opts.min_residual_bytes
            or p.total_output_bytes < opts.min_output_bytes
            or p.total_exec_micros < opts.min_micros
            or p.total_accelerator_exec_micros < opts.min_accelerator_micros
            or p.total_cpu_exec_micros < opts.min_cpu_micros or p.total_parameters < opts.min_params
            or p.total_float_ops < opts.min_float_ops or depth > opts.max_depth):
        return False
    shown_by_name = any(re.fullmatch(r, node.name) for r in opts.show_name_regexes)
    if opts.show_name_regexes != [".*"] and not shown_by_name:
        return False
    return not any(re.fullmatch(r, node.name) for r in opts.hide_name_regexes)


def _percent(part, whole):
    """C's double division: x/0 is inf (nan for 0/0) rather than an exception."""
    if whole:
        return 100.0 * part / whole
    return float("nan") if part == 0 else float("inf")


def _column(own_text, total, own, root_total, counts):
    """`own (cumulative %, own %)` right-aligned in 30 columns; the percentages are 0 unless `counts`."""
    accumulated = pct = 0.0
    if counts:
        accumulated, pct = _percent(total, root_total), _percent(own, root_total)
    return f"{f'{own_text} ({accumulated:.2f}%, {pct:.2f}%)':>30}"


def _format(node, root, opts):
    p, r, select, columns = node.proto, root.proto, set(opts.select), []
    for column, field in (("bytes", "requested_bytes"), ("peak_bytes", "peak_bytes"),
                          ("residual_bytes", "residual_bytes"), ("output_bytes", "output_bytes")):
        if column in select:
            own = getattr(p, field)
            columns.append(_column(format_memory(own), getattr(p, "total_" + field), own,
                                   getattr(r, "total_" + field), own > 0))
    times = []
    for field in ("exec_micros", "accelerator_exec_micros", "cpu_exec_micros"):
        total = getattr(p, "total_" + field)
        times.append(_column(format_time(getattr(p, field)), total, getattr(p, field),
                             getattr(r, "total_" + field), total > 0))
    if "micros" in select:
        columns += times
    else:
        columns += [t for column, t in (("accelerator_micros", times[1]), ("cpu_micros", times[2]))
                    if column in select]
    if "params" in select:
        columns.append(_column(format_number(p.parameters) + " params", p.total_parameters, p.parameters,
                               r.total_parameters, p.total_parameters > 0))
    if "float_ops" in select:
        columns.append(_column(format_number(p.float_ops) + " float_ops", p.total_float_ops, p.float_ops,
                               r.total_float_ops, p.total_float_ops > 0))
    if "device" in select:
        columns.append("|".join(sorted(node.devices)))
    if "op_types" in select:
        columns.append("|".join(sorted(node.op_types)))
    if "occurrence" in select:
        runs = sum(g.run_count for g in p.graph_nodes)
        columns.append(f"{f'{runs}|{len(p.graph_nodes)}':>10}")
    line = f"{node.name:<25}{', '.join(columns)}\n"
    if "input_shapes" in select:
        shapes = _input_shapes(p)
        if shapes:
            line = f"{line}\n{shapes}\n\n"
    return line


def _input_shapes(proto):
    """The graph nodes' input shapes, one line per distinct combination, most run first."""
    kinds = {}
    for g in proto.graph_nodes:
        parts = []
        for slot in sorted(g.input_shapes):
            shape = g.input_shapes[slot]
            dims = [d.size for d in shape.dim] if (shape.dim or shape.unknown_rank) else [1]
            parts.append(f"{slot}:{'x'.join(map(str, dims))}" if dims else f"{slot}:unknown")
        key = "input_type: " + ",\t".join(parts)
        defined, runs, micros = kinds.get(key, (0, 0, 0))
        kinds[key] = (defined + 1, runs + g.run_count, micros + g.exec_micros)
    ordered = sorted(sorted(kinds.items()), key=lambda kv: -kv[1][1])
    return "\n".join(f"{key}\t(run*{runs}|defined*{defined})\texec_time: {format_time(micros)}"
                     for key, (defined, runs, micros) in ordered)


def legend(opts):
    select = set(opts.select)
    names = [title for column, title in MEMORY_LEGENDS if column in select] + time_legends(select)
    names += [title for column, title in (("params", "# parameters"), ("float_ops", "# float_ops"),
                                          ("device", "assigned devices"), ("op_types", "op types"),
                                          ("occurrence", "op occurrence (run|defined)"),
                                          ("input_shapes", "input shapes")) if column in select]
    return f"node name | {' | '.join(names)}\n"
