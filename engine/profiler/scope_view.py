"""tfprof's 'scope' view: graph nodes arranged by name like files in folders, accounted, filtered,
sorted and printed as tensorflow/core/profiler/internal/tfprof_scope.cc and tfprof_show.cc do.

Every node's name prefix (`layer1` for `layer1/weight`) becomes a parent, a bare scope when no node has
that name. Accounting keeps the nodes whose op types match `account_type_regexes` and the parents of
such nodes; showing then keeps the nodes that pass the min_* / name filters, and a hidden node's shown
descendants move up to its nearest shown ancestor. Each shown node's total_* statistics add up its own
and (with account_displayed_op_only) those of its shown descendants only.
"""

from __future__ import annotations

import re

from engine.profiler.graph_nodes import GraphNode
from engine.profiler.options import ROOT, SCOPE_PARENT
from engine.proto import tfprof_output_pb2

_TOTALS = ("definition_count", "run_count", "exec_micros", "accelerator_exec_micros", "cpu_exec_micros",
           "requested_bytes", "peak_bytes", "residual_bytes", "output_bytes", "parameters", "float_ops")
# order_by -> the total a node is sorted by (largest first); 'name' and anything else sort by name.
ORDER_BY = {"bytes": "total_requested_bytes", "peak_bytes": "total_peak_bytes",
             "residual_bytes": "total_residual_bytes", "output_bytes": "total_output_bytes",
             "micros": "total_exec_micros", "accelerator_micros": "total_accelerator_exec_micros",
             "cpu_micros": "total_cpu_exec_micros", "params": "total_parameters",
             "float_ops": "total_float_ops"}
# select column -> its legend, for the memory columns (both views print them in this order)
MEMORY_LEGENDS = (("bytes", "requested bytes"), ("peak_bytes", "peak bytes"),
                  ("residual_bytes", "residual bytes"), ("output_bytes", "output bytes"))


def _scaled(n, unit, scales):
    """`n` below 1000 as an integer with `unit`; else in the first of `scales` ((divisor, suffix), ...,
    ascending) that keeps it below 1000 (the last one past that), with 2 decimals, as tfprof prints."""
    if n < 1000:
        return f"{n}{unit}"
    for divisor, suffix in scales:
        if n < divisor * 1000 or (divisor, suffix) == scales[-1]:
            return f"{n / divisor:.2f}{suffix}"


def format_number(n):
    return _scaled(n, "", ((1000.0, "k"), (1000000.0, "m"), (1000000000.0, "b")))


def format_time(micros):
    return _scaled(micros, "us", ((1000.0, "ms"), (1000000.0, "sec")))


def format_memory(nbytes):
    return _scaled(nbytes, "B", ((1000.0, "KB"), (1000000.0, "MB")))


class ScopeNode:
    """A graph node (or a bare scope) in the view, with its GraphNodeProto as this show fills it."""

    def __init__(self, node):
        self.node = node
        self.name = node.name
        self.proto = tfprof_output_pb2.GraphNodeProto()
        self.account = False
        self.children = []  # every node directly under this name
        self.show_children = []  # the accounted / shown ones, as the current pass leaves them
        self.formatted = ""
        self.reinit(-1)

    def reinit(self, step):
        """The node's own statistics for `step` (the mean over traced steps when step < 0)."""
        node, p = self.node, self.proto
        p.name = self.name
        del p.devices[:]
        if node.canonical_device:
            p.devices.append(node.canonical_device)
        p.run_count = node.run_count(step)
        p.exec_micros = node.exec_micros(step)
        p.accelerator_exec_micros = node.accelerator_exec_micros(step)
        p.cpu_exec_micros = node.cpu_exec_micros(step)
        p.requested_bytes = node.bytes("requested", step)
        p.peak_bytes = node.bytes("peak", step)
        p.residual_bytes = node.bytes("residual", step)
        p.output_bytes = node.bytes("output", step)
        p.float_ops = node.float_ops(step)
        p.ClearField("input_shapes")
        for slot, shape in node.input_shapes().items():
            target = p.input_shapes[slot]
            if shape:
                for d in shape:
                    target.dim.add().size = d
            else:
                target.unknown_rank = True
        p.parameters = node.parameters()

    def reset_totals(self):
        self.formatted = ""
        for name in _TOTALS:
            setattr(self.proto, "total_" + name, 0)
        self.proto.ClearField("children")

    def add_self_to_totals(self):
        p = self.proto
        p.total_definition_count += 1
        for name in _TOTALS[1:]:
            setattr(p, "total_" + name, getattr(p, "total_" + name) + getattr(p, name))

    def adopt(self, children):
        """Make `children` the shown children, the totals this node's own plus theirs."""
        self.show_children = list(children)
        self.reset_totals()
        self.add_self_to_totals()
        for child in children:
            self.aggregate(child)

    def aggregate(self, other):
        for name in _TOTALS:
            key = "total_" + name
            setattr(self.proto, key, getattr(self.proto, key) + getattr(other.proto, key))


class ScopeView:
    """The name tree over `nodes` (name -> GraphNode), shown with `show(opts)`."""

    def __init__(self, nodes):
        self.scope_nodes = {}
        # In name order, as tfprof's std::map: a node comes before the names under it, so a node that
        # is also a scope (`layer1/random_normal` over `layer1/random_normal/mul`) is not made a bare one.
        for name in sorted(nodes):
            self.scope_nodes.setdefault(name, ScopeNode(nodes[name]))
            prefix = name
            while "/" in prefix:
                prefix = prefix.rsplit("/", 1)[0]
                if prefix not in self.scope_nodes:
                    self.scope_nodes[prefix] = ScopeNode(GraphNode(prefix, SCOPE_PARENT))
        roots = []
        for name in sorted(self.scope_nodes):
            scope_node = self.scope_nodes[name]
            if "/" in name:
                self.scope_nodes[name.rsplit("/", 1)[0]].children.append(scope_node)
            else:
                roots.append(scope_node)
        self.root = ScopeNode(GraphNode(ROOT, SCOPE_PARENT))
        self.root.children = roots
        # Names already walked in the current pass; a tree needs none, a graph's view (a DAG) does.
        self._visited = None

    def _first_visit(self, node):
        if self._visited is None:
            return True
        if node.name in self._visited:
            return False
        self._visited.add(node.name)
        return True

    def _new_pass(self):
        if self._visited is not None:
            self._visited = set()

    def show(self, opts):
        """The shown tree's text (legend first) and its GraphNodeProto."""
        root = self.root
        root.reset_totals()
        root.show_children = []
        self._new_pass()
        roots = self._account(root.children, opts)
        for node in roots:
            root.aggregate(node)
        if opts.start_name_regexes != [".*"]:
            self._new_pass()
            roots = self._search_root(roots, opts.start_name_regexes)
        root.show_children = roots
        self._new_pass()
        root = self._print(([root]), opts, 1, 0)[0]
        text = [legend(opts), root.formatted]
        collect(root.show_children, text, root.proto)
        return "".join(text), root.proto

    def _account(self, nodes, opts):
        accounted = []
        for node in nodes:
            node.reset_totals()
            children = self._account(node.children, opts)
            node.account = reaccount(node, opts)
            if node.account or children:
                node.adopt(children)
                accounted.append(node)
        return accounted

    def _search_root(self, nodes, regexes):
        found = []
        for node in nodes:
            if not self._first_visit(node):
                continue
            if any(re.fullmatch(r, node.name) for r in regexes):
                found.append(node)  # the first match on a branch starts the view there
            else:
                found.extend(self._search_root(node.show_children, regexes))
        return found

    def _print(self, nodes, opts, depth, indent):
        shown = []
        for node in nodes:
            if not self._first_visit(node):
                continue
            child_indent = indent
            show = should_show(node, opts, depth)
            if show:
                child_indent += 2
            shown_children = []
            trimmed = any(re.fullmatch(r, node.name) for r in opts.trim_name_regexes)
            if not trimmed and depth <= opts.max_depth:
                shown_children = self._print(node.show_children, opts, depth + 1, child_indent)
            if not show:
                shown.extend(shown_children)  # a hidden node's shown descendants move up
                continue
            node.show_children = []
            if opts.account_displayed_op_only:
                node.reset_totals()
                node.add_self_to_totals()
            for child in sort_nodes(shown_children, opts):
                node.show_children.append(child)
                if opts.account_displayed_op_only:
                    node.aggregate(child)
            node.formatted = " " * indent + format_node(node, opts) + "\n"
            shown.append(node)
        return shown


def collect(nodes, text, proto):
    """Depth first: each shown node's line, and its proto as a child of its shown parent's."""
    for node in nodes:
        text.append(node.formatted)
        child = proto.children.add()
        child.MergeFrom(node.proto)
        collect(node.show_children, text, child)


def reaccount(node, opts):
    node.reinit(opts.step)
    if opts.account_type_regexes == [".*"]:
        return True
    return any(re.fullmatch(r, t) for r in opts.account_type_regexes for t in node.node.op_types)


def should_show(node, opts, depth):
    if node.name == ROOT:
        return True
    p = node.proto
    below_minimum = (p.total_requested_bytes < opts.min_bytes or p.total_peak_bytes < opts.min_peak_bytes
                 or p.total_residual_bytes < opts.min_residual_bytes
                 or p.total_output_bytes < opts.min_output_bytes or p.total_exec_micros < opts.min_micros
                 or p.total_accelerator_exec_micros < opts.min_accelerator_micros
                 or p.total_cpu_exec_micros < opts.min_cpu_micros or p.parameters < opts.min_params
                 or p.float_ops < opts.min_float_ops or p.run_count < opts.min_occurrence
                 or depth > opts.max_depth)
    if below_minimum:
        return False
    if opts.show_name_regexes != [".*"] and not any(re.fullmatch(r, node.name)
                                                     for r in opts.show_name_regexes):
        return False
    return not any(re.fullmatch(r, node.name) for r in opts.hide_name_regexes)


def sort_nodes(nodes, opts):
    if not opts.order_by:
        return list(nodes)
    key = ORDER_BY.get(opts.order_by)
    if key is None:  # 'name', and any order_by tfprof does not know
        return sorted(nodes, key=lambda n: n.name.encode())
    return sorted(nodes, key=lambda n: -getattr(n.proto, key))  # stable: ties keep their order


def _own_and_total(node, own, total, fmt):
    return (fmt(own) if node.account else "--") + "/" + fmt(total)


def format_node(node, opts):
    """`name (column, column, ...)` with the selected columns in tfprof's order."""
    p, select, info = node.proto, set(opts.select), []
    if "params" in select:
        if node.node.shape:
            info.append("x".join(str(d) for d in node.node.shape))
        info.append(_own_and_total(node, p.parameters, p.total_parameters, format_number) + " params")
    if "float_ops" in select:
        info.append(_own_and_total(node, p.float_ops, p.total_float_ops, format_number) + " flops")
    for column, own, total in (("bytes", p.requested_bytes, p.total_requested_bytes),
                               ("peak_bytes", p.peak_bytes, p.total_peak_bytes),
                               ("residual_bytes", p.residual_bytes, p.total_residual_bytes),
                               ("output_bytes", p.output_bytes, p.total_output_bytes)):
        if column in select:
            info.append(_own_and_total(node, own, total, format_memory))
    total_time = _own_and_total(node, p.exec_micros, p.total_exec_micros, format_time)
    accelerator_time = _own_and_total(node, p.accelerator_exec_micros, p.total_accelerator_exec_micros,
                                      format_time)
    cpu_time = _own_and_total(node, p.cpu_exec_micros, p.total_cpu_exec_micros, format_time)
    if "micros" in select:
        info += [total_time, accelerator_time, cpu_time]
    else:
        if "accelerator_micros" in select:
            info.append(accelerator_time)
        if "cpu_micros" in select:
            info.append(cpu_time)
    if "device" in select and p.devices:
        info.append("|".join(p.devices))
    if "op_types" in select:
        info.append("|".join(sorted(node.node.op_types)))
    if "occurrence" in select:
        run = _own_and_total(node, p.run_count, p.total_run_count, format_number)
        defined = ("1" if node.account else "--") + "/" + format_number(p.total_definition_count)
        info.append(run + "|" + defined)
    if "input_shapes" in select:
        info.append("|".join(f"{slot}:{'x'.join(map(str, shape)) if shape else 'unknown'}"
                             for slot, shape in sorted(node.node.input_shapes().items())))
    return f"{node.name} ({', '.join(info)})"


def time_legends(select):
    """The time columns' legends: 'micros' stands for all three."""
    if "micros" in select:
        return ["total execution time", "accelerator execution time", "cpu execution time"]
    return [title for column, title in (("accelerator_micros", "accelerator execution time"),
                                        ("cpu_micros", "cpu execution time")) if column in select]


def legend(opts):
    select = set(opts.select)
    columns = (("params", "# parameters"), ("float_ops", "# float_ops"), *MEMORY_LEGENDS)
    names = [title for column, title in columns if column in select] + time_legends(select)
    names += [title for column, title in (("device", "assigned devices"), ("op_types", "op types"),
                                          ("occurrence", "op count (run|defined)"),
                                          ("input_shapes", "input shapes")) if column in select]
    return f"node name | {' | '.join(names)}\n"
