"""tfprof's statistics of one model (tensorflow/core/profiler/internal/tfprof_stats.cc): the graph's
nodes, what the op log says of them and the step stats of each traced step added, and the report of
one view over them."""

from __future__ import annotations

import contextlib
import sys

from engine.profiler import op_view
from engine.profiler.graph_nodes import GraphNode
from engine.profiler.graph_view import GraphView
from engine.profiler.scope_view import ScopeView
from engine.proto import tfprof_output_pb2

# cmd -> (show(nodes, opts) -> (text, proto), the proto's class)
VIEWS = {
    "scope": (lambda nodes, opts: ScopeView(nodes).show(opts), tfprof_output_pb2.GraphNodeProto),
    "graph": (lambda nodes, opts: GraphView(nodes).show(opts), tfprof_output_pb2.GraphNodeProto),
    "op": (op_view.show, tfprof_output_pb2.MultiGraphNodeProto),
}

# Step-stats names tfprof leaves out: they are no graph node and some appear on several devices.
_NOT_NODES = ("RecvTensor", "_SOURCE")


class ProfileStats:
    def __init__(self):
        self.nodes = {}  # name -> GraphNode
        self.steps = set()

    def add_graph(self, graph_def):
        """The GraphDef's nodes not known yet (a node already added keeps what it has)."""
        added = []
        for node_def in graph_def.node:
            if node_def.name not in self.nodes:
                self.nodes[node_def.name] = GraphNode(node_def.name, node_def.op, node_def.attr, self.nodes)
                added.append(node_def)
        for node_def in added:
            node = self.nodes[node_def.name]
            for slot, name in enumerate(node_def.input):
                name, _, index = name.partition(":")
                node.add_input(name.lstrip("^"), int(index or 0), slot)

    def add_run_meta(self, step, run_meta):
        if not run_meta.HasField("step_stats"):
            sys.stderr.write(f"Invalid RunMetadata for step {step}\n")
            return
        self.steps.add(step)
        for dev_stats in run_meta.step_stats.dev_stats:
            for stat in dev_stats.node_stats:
                name = stat.node_name.split(":", 1)[0]  # some names carry a suffix after ':'
                node = self.nodes.get(name)
                if node is None:
                    if name in _NOT_NODES or "MEMCPY" in name:
                        continue
                    # A node only the run knows: its name stands in for its op type, as in tfprof.
                    node = self.nodes[name] = GraphNode(name, name, nodes=self.nodes)
                node.add_step_stat(step, dev_stats.device, stat)

    def add_op_log(self, op_log):
        """An OpLogProto's extra op types and float operation counts of the nodes it names."""
        for entry in op_log.log_entries:
            node = self.nodes.get(entry.name)
            if node is not None:
                node.op_types.update(entry.types)
                if entry.float_ops:
                    node.static_float_ops = entry.float_ops

    def report(self, cmd, opts):
        """Write view `cmd`'s report as `opts` say (stdout, a file or nowhere) and return its proto."""
        show, proto_class = VIEWS[cmd]
        to_stdout = opts.output_type == "stdout"
        if to_stdout:
            sys.stdout.write("\n=========================Options=============================\n")
            sys.stdout.write(opts.to_text())
            sys.stdout.write("\n==================Model Analysis Report======================\n")
        result = proto_class()
        if opts.step >= 0 and opts.step not in self.steps:
            sys.stderr.write(f"Options -step={opts.step} not found.\nAvailable steps: "
                             + "".join(f"{s} " for s in sorted(self.steps)) + "\n")
        else:
            with _recursion_for(len(self.nodes)):
                text, root = show(self.nodes, opts)
            report = opts.doc(cmd) + "Profile:\n" + text
            if to_stdout:
                sys.stdout.write(report)
            elif opts.output_type == "file":
                with open(opts.output_options["outfile"], "w") as f:
                    f.write(report)
            result.CopyFrom(root)
        if to_stdout:
            sys.stdout.write("\n======================End of Report==========================\n")
            sys.stdout.flush()
        return result


@contextlib.contextmanager
def _recursion_for(n_nodes):
    """Room for the views' recursion: they descend once per level of the name tree or the graph (a chain of
    n ops is n levels deep in the graph view), a few frames a level, as tfprof's C++ does. Python-to-Python
    calls do not grow the C stack in CPython 3.11+, so only the interpreter's limit needs raising."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, previous + 4 * n_nodes))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
