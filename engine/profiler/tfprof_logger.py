"""tfprof's op log (tensorflow/python/profiler/tfprof_logger.py): the OpLogProto of a graph, with each
op's registered flops, the trainable variables marked `_trainable_variables`, and the call stacks that
made the ops; `tf.profiler.write_op_log` writes it for later profiling."""

from __future__ import annotations

import os
import sys

from engine import gfile
from engine.framework import ops
from engine.framework.tensor_shape import TensorShape
from engine.profiler import flops_registry
from engine.profiler.options import TRAINABLE_VARIABLES
from engine.proto import tfprof_log_pb2


def fill_missing_shapes(graph, run_meta):
    """Give the graph's not fully known output shapes the shapes the traced run produced (TF does this
    to the graph itself, so that flops can be counted)."""
    for dev_stats in run_meta.step_stats.dev_stats:
        for stat in dev_stats.node_stats:
            if not stat.output:
                continue
            try:
                op = graph.get_operation_by_name(stat.node_name)
            except KeyError:
                continue  # not a graph node (RecvTensor, _SOURCE, ...)
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


def _string_id(text, ids):
    return ids.setdefault(text, len(ids))


def _logged_ops(graph, run_meta, add_trace, add_trainable_var):
    """op name -> OpLogEntry, and the strings of the traces' ids."""
    if run_meta is not None:
        fill_missing_shapes(graph, run_meta)
    logged, ids = {}, {"none": 0}
    missing_shapes = 0
    for op in graph.get_operations():
        entry = tfprof_log_pb2.OpLogEntry(name=op.name)
        add = False
        try:
            count = flops_registry.float_ops(graph, op.node_def)
        except ValueError:  # a shape it needs is not fully known
            missing_shapes += 1
            count = 0
        if count:
            entry.float_ops = count
            add = True
        if add_trace:
            for filename, lineno, funcname, line in op.traceback:
                entry.code_def.traces.add(
                    file_id=_string_id(filename, ids) if filename else 0, lineno=lineno or -1,
                    function_id=_string_id(funcname, ids) if funcname else 0,
                    line_id=_string_id(line, ids) if line else 0, func_start_line=-1)
            add = True
        if add:
            logged[op.name] = entry
    if add_trainable_var:
        for variable in graph.get_collection(ops.GraphKeys.TRAINABLE_VARIABLES):
            logged.setdefault(variable.op.name, tfprof_log_pb2.OpLogEntry(name=variable.op.name)) \
                .types.append(TRAINABLE_VARIABLES)
    if missing_shapes and run_meta is None:
        sys.stderr.write(f"{missing_shapes} ops no flops stats due to incomplete shapes.\n")
    return logged, ids


def merge_default_with_oplog(graph, op_log=None, run_meta=None, add_trace=True, add_trainable_var=True):
    """The graph's own op log merged into `op_log` (an OpLogProto): the caller's types come first, and its
    float_ops win where set."""
    merged = tfprof_log_pb2.OpLogProto()
    if graph is None:
        return merged
    logged, ids = _logged_ops(graph, run_meta, add_trace, add_trainable_var)
    if op_log is None:
        merged.log_entries.extend(logged.values())
    else:
        entries = {entry.name: entry for entry in op_log.log_entries}
        for name, entry in logged.items():
            if name not in entries:
                entries[name] = entry
                continue
            mine = entries[name]
            mine.types.extend(entry.types)
            if entry.float_ops > 0 and mine.float_ops == 0:
                mine.float_ops = entry.float_ops
            if entry.code_def.traces and not mine.code_def.traces:
                mine.code_def.MergeFrom(entry.code_def)
        merged.log_entries.extend(entries.values())
    for text, i in ids.items():
        merged.id_to_string[i] = text
    return merged


def write_op_log(graph, log_dir, op_log=None, run_meta=None, add_trace=True):
    """Write `log_dir/tfprof_log`: the graph's op log (see `merge_default_with_oplog`) as an OpLogProto,
    for `tf.profiler.profile(op_log=...)` or TF's profiler command line."""
    if graph is None:
        graph = ops.get_default_graph()
    merged = merge_default_with_oplog(graph, op_log, run_meta, add_trace)
    with gfile.GFile(os.path.join(log_dir, "tfprof_log"), "wb") as f:
        f.write(merged.SerializeToString())
