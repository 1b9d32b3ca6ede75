"""`tf.profiler.profile`: tfprof's model analysis of a graph (and of a traced run's RunMetadata).

The report is TF's text, written to stdout (or a file), and the answer is the GraphNodeProto of the
shown tree. What each node counts comes from the graph as `tf.profiler.profile` hands it to tfprof
(tensorflow/python/profiler/model_analyzer.py and tfprof_logger.py): the GraphDef with `_output_shapes`,
an op log that marks the trainable variables `_trainable_variables` and holds each op's registered
flops, and the run metadata's step stats, which also complete shapes the graph left unknown.
"""

from __future__ import annotations

from engine.framework import errors, ops
from engine.profiler import tfprof_logger
from engine.profiler.option_builder import ProfileOptionBuilder
from engine.profiler.options import Options
from engine.profiler.stats import VIEWS, ProfileStats

_DEFAULT_PROFILE_OPTIONS = 0  # a sentinel, as TF's: `options` left out means the parameter count


def profile(graph=None, run_meta=None, op_log=None, cmd="scope", options=_DEFAULT_PROFILE_OPTIONS):
    """Profile a model: print tfprof's report and return its GraphNodeProto (MultiGraphNodeProto for 'op').

    Args:
      graph: the tf.Graph; the default graph when None.
      run_meta: a RunMetadata from `sess.run(..., options=RunOptions(trace_level=FULL_TRACE),
        run_metadata=run_meta)`, needed for execution time and memory.
      op_log: a `tf.profiler.OpLogProto` giving nodes extra types to account by, or their float
        operation counts.
      cmd: 'scope' (nodes by name scope), 'graph' (nodes under their consumers) or 'op' (nodes grouped
        by op type); TF's 'code' view (by Python call stack) is not provided.
      options: a dict from `ProfileOptionBuilder`; by default the trainable parameters.

    Returns:
      The proto of the root `_TFProfRoot`, the shown nodes as its (nested) children.
    """
    if graph is None:
        graph = ops.get_default_graph()
    if cmd not in VIEWS:
        raise errors.InvalidArgumentError(
            None, None, f"unknown cmd: {cmd}; the engine's profiler has the 'scope', 'graph' and 'op' "
            "views\n")
    if options is _DEFAULT_PROFILE_OPTIONS:
        options = ProfileOptionBuilder.trainable_variables_parameter()
    opts = Options.from_dict(options)

    # the op log first: the run metadata's shapes complete the graph's before it is read
    merged = tfprof_logger.merge_default_with_oplog(graph, op_log, run_meta, add_trace=False)
    stats = ProfileStats()
    stats.add_graph(graph.as_graph_def(add_shapes=True))
    if run_meta is not None:
        stats.add_run_meta(0, run_meta)
    stats.add_op_log(merged)
    return stats.report(cmd, opts)


class Profiler:
    """tfprof over several traced steps of one graph (TF1's `tf.profiler.Profiler`).

    ```python
    profiler = tf.profiler.Profiler(sess.graph)
    for step in range(n):
        run_meta = tf.RunMetadata()
        sess.run(train_op, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                 run_metadata=run_meta)
        profiler.add_step(step, run_meta)
    profiler.profile_name_scope(tf.profiler.ProfileOptionBuilder.time_and_memory())
    ```
    A report's figures are those of its options' `step`, or the mean over the steps added when -1.
    The engine provides the name-scope, graph and operation views (not TF's python and advise ones).
    """

    def __init__(self, graph=None, op_log=None):
        self._graph = ops.get_default_graph() if graph is None else graph
        merged = tfprof_logger.merge_default_with_oplog(self._graph, op_log, add_trace=False)
        self._stats = ProfileStats()
        self._stats.add_graph(self._graph.as_graph_def(add_shapes=True))
        self._stats.add_op_log(merged)

    def add_step(self, step, run_meta):
        """Add one traced run's RunMetadata as step `step` (its shapes also complete the graph's)."""
        merged = tfprof_logger.merge_default_with_oplog(self._graph, run_meta=run_meta, add_trace=False)
        self._stats.add_graph(self._graph.as_graph_def(add_shapes=True))
        self._stats.add_run_meta(step, run_meta)
        self._stats.add_op_log(merged)

    def profile_name_scope(self, options):
        """The 'scope' view's report; returns its GraphNodeProto."""
        return self._stats.report("scope", Options.from_dict(options))

    def profile_graph(self, options):
        """The 'graph' view's report; returns its GraphNodeProto."""
        return self._stats.report("graph", Options.from_dict(options))

    def profile_operations(self, options):
        """The 'op' view's report; returns its MultiGraphNodeProto."""
        return self._stats.report("op", Options.from_dict(options))
