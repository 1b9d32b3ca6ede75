"""`tf.profiler.profile`: tfprof's model analysis of a graph (and of a traced run's RunMetadata).

The report is TF's text, written to stdout (or a file), and the answer is the GraphNodeProto of the
shown tree. What each node counts comes from the graph as `tf.profiler.profile` hands it to tfprof
(tensorflow/python/profiler/model_analyzer.py and tfprof_logger.py): the GraphDef with `_output_shapes`,
an op log that marks the trainable variables `_trainable_variables` and holds each op's registered
flops, and the run metadata's step stats, which also complete shapes the graph left unknown.
"""

from __future__ import annotations

import sys

from engine.framework import errors, ops
from engine.framework.tensor_shape import TensorShape
from engine.profiler import flops_registry, op_view
from engine.profiler.graph_nodes import GraphNode
from engine.profiler.option_builder import ProfileOptionBuilder
from engine.profiler.options import TRAINABLE_VARIABLES, Options
from engine.profiler.scope_view import ScopeView
from engine.proto import tfprof_output_pb2

_DEFAULT_PROFILE_OPTIONS = 0  # a sentinel, as TF's: `options` left out means the parameter count

# Step-stats names tfprof leaves out: they are no graph node and some appear on several devices.
_NOT_NODES = ("RecvTensor", "_SOURCE")


def profile(graph=None, run_meta=None, op_log=None, cmd="scope", options=_DEFAULT_PROFILE_OPTIONS):
    """Profile a model: print tfprof's report and return its GraphNodeProto (MultiGraphNodeProto for 'op').

    Args:
      graph: the tf.Graph; the default graph when None.
      run_meta: a RunMetadata from `sess.run(..., options=RunOptions(trace_level=FULL_TRACE),
        run_metadata=run_meta)`, needed for execution time and memory.
      op_log: an OpLogProto-like message (`log_entries` with `name`, `types`, `float_ops`) giving nodes
        extra types to account by, or their float operation counts.
      cmd: 'scope' (nodes by name scope) or 'op' (nodes grouped by op type); TF's 'graph' and 'code'
        views are not provided.
      options: a dict from `ProfileOptionBuilder`; by default the trainable parameters.

    Returns:
      The proto of the root `_TFProfRoot`, the shown nodes as its (nested) children.
    """
    if graph is None:
        graph = ops.get_default_graph()
    if cmd not in _VIEWS:
        raise errors.InvalidArgumentError(
            None, None, f"unknown cmd: {cmd}; the engine's profiler has the 'scope' and 'op' views\n")
    if options is _DEFAULT_PROFILE_OPTIONS:
        options = ProfileOptionBuilder.trainable_variables_parameter()
    opts = Options.from_dict(options)

    if run_meta is not None:
        _fill_missing_shapes(graph, run_meta)
    logged = _logged_ops(graph, op_log, completed_by_run=run_meta is not None)
    nodes = _graph_nodes(graph.as_graph_def(add_shapes=True))
    steps = set()
    if run_meta is not None and run_meta.HasField("step_stats"):
        steps.add(0)
        _add_step_stats(nodes, 0, run_meta.step_stats)
    for name, (types, float_ops) in logged.items():
        node = nodes.get(name)
        if node is not None:
            node.op_types.update(types)
            if float_ops:
                node.static_float_ops = float_ops

    to_stdout = opts.output_type == "stdout"
    if to_stdout:
        sys.stdout.write("\n=========================Options=============================\n")
        sys.stdout.write(opts.to_text())
        sys.stdout.write("\n==================Model Analysis Report======================\n")
    result = _VIEWS[cmd][1]()
    if opts.step >= 0 and opts.step not in steps:
        sys.stderr.write(f"Options -step={opts.step} not found.\nAvailable steps: "
                         + "".join(f"{s} " for s in sorted(steps)) + "\n")
    else:
        text, root = _VIEWS[cmd][0](nodes, opts)
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


_VIEWS = {  # cmd -> (show(nodes, opts) -> (text, proto), the proto's class)
    "scope": (lambda nodes, opts: ScopeView(nodes).show(opts), tfprof_output_pb2.GraphNodeProto),
    "op": (op_view.show, tfprof_output_pb2.MultiGraphNodeProto),
}


def _fill_missing_shapes(graph, run_meta):
    """Give the graph's not fully known output shapes the shapes the traced run produced (TF does this
    to the graph itself, so that flops can be counted)."""
    for dev_stats in run_meta.step_stats.dev_stats:
        for stat in dev_stats.node_stats:
            if not stat.output:
                continue
            try:
                op = graph.get_operation_by_name(stat.node_name)
            except KeyError:
                continue
            if len(stat.output) != len(op.outputs):
                continue
            for tensor, out in zip(op.outputs, stat.output, strict=True):
                if tensor.get_shape().is_fully_defined():
                    continue
                run_shape = TensorShape([d.size for d in out.tensor_description.shape.dim])
                try:
                    tensor.set_shape(tensor.get_shape().merge_with(run_shape))
                except ValueError as e:
                    sys.stderr.write(f"Node {stat.node_name} incompatible shapes: {e}.\n")


def _logged_ops(graph, op_log, completed_by_run):
    """Node name -> (extra op types, float ops): the registered flops, the trainable variables' type,
    then what the caller's op log adds."""
    logged = {}
    missing_shapes = 0
    for op in graph.get_operations():
        try:
            count = flops_registry.float_ops(graph, op.node_def)
        except ValueError:
            missing_shapes += 1
            count = 0
        if count:
            logged[op.name] = ([], count)
    for variable in graph.get_collection(ops.GraphKeys.TRAINABLE_VARIABLES):
        logged.setdefault(variable.op.name, ([], 0))[0].append(TRAINABLE_VARIABLES)
    if missing_shapes and not completed_by_run:
        sys.stderr.write(f"{missing_shapes} ops no flops stats due to incomplete shapes.\n")
    for entry in getattr(op_log, "log_entries", ()):
        types, count = logged.get(entry.name, ([], 0))
        logged[entry.name] = (list(entry.types) + types, entry.float_ops or count)
    return logged


def _graph_nodes(graph_def):
    nodes = {}
    for node_def in graph_def.node:
        if node_def.name not in nodes:
            nodes[node_def.name] = GraphNode(node_def.name, node_def.op, node_def.attr, nodes)
    for node_def in graph_def.node:
        node = nodes[node_def.name]
        for slot, name in enumerate(node_def.input):
            name, _, index = name.partition(":")
            node.add_input(name.lstrip("^"), int(index or 0), slot)
    return nodes


def _add_step_stats(nodes, step, step_stats):
    for dev_stats in step_stats.dev_stats:
        for stat in dev_stats.node_stats:
            name = stat.node_name.split(":", 1)[0]  # some names carry a suffix after ':'
            node = nodes.get(name)
            if node is None:
                if name in _NOT_NODES or "MEMCPY" in name:
                    continue
                # A node only the run knows: its name stands in for its op type, as in tfprof.
                node = nodes[name] = GraphNode(name, name, nodes=nodes)
            node.add_step_stat(step, dev_stats.device, stat)
