"""Plans and the plan builder: prune, order, lower with the enabled passes, hand to an executor.

A `Plan` is one (targets, feeds) signature made callable: `plan.fn(*feed_values)` returns the
targets' values.  A plan built under assumptions about shapes is *guarded*: `select(feed_values)`
returns the plan itself when they hold, else a variant built (once, on first need) without them --
`generic` when the feeds have other shapes than the ones it was specialised to, `unfolded` when a
reshapeable variable (graph_watch.py) has another shape than it declares.
"""

from __future__ import annotations

from engine.runtime import dataflow, lowering, passes, straight_line
from engine.runtime import shape_specialisation as shapes
from engine.runtime.prune import prune

# The executors a plan can be given: modules with `compile_program(program)` returning an object with
# `fn` and `failing_op(exc)`.  A plan holding control-flow ops (registry flag `control_flow`) goes to the
# dataflow executor, with no passes but `frame_compilation`; every other plan to the straight-line one.
EXECUTORS = {"straight_line": straight_line, "dataflow": dataflow}


class Plan:
    """A callable plan for one signature, with the variants its guards may need."""

    __slots__ = ("fn", "compiled", "executor", "feed_shapes", "var_shapes", "guarded", "fold_shapes",
                 "_planner", "_request", "_generic", "_unfolded")

    @property
    def code(self):
        """The generated source of a straight-line plan."""
        return self.compiled.code

    @property
    def line_ops(self):
        """{line number of the generated source: op} of a straight-line plan."""
        return self.compiled.line_ops

    def failing_op(self, exc):
        """The op whose kernel raised `exc` while this plan ran, or None."""
        return self.compiled.failing_op(exc)

    def select(self, args):
        """The plan to run for the feed values `args` (this one when its guards hold)."""
        plan = self
        if self.feed_shapes is not None and tuple([a.shape for a in args]) != self.feed_shapes:
            if self._generic is None:
                self._generic = self._planner.build(*self._request, fold_shapes=self.fold_shapes)
            plan = self._generic
        if plan.var_shapes is not None and not all([
            c.value is None or c.value.shape == shape for c, shape in plan.var_shapes
        ]):
            if plan._unfolded is None:
                plan._unfolded = plan._planner.build(*plan._request, fold_shapes=False)
            plan = plan._unfolded
        return plan


class Planner:
    """Builds a session's plans from its graph, with the passes in `enabled` (passes.py).

    `instrument`, when given, rewrites each lowered Program before an executor compiles it (tracing.py
    times every kernel call of a traced run's plans this way)."""

    def __init__(self, runtime, watch, enabled=None, instrument=None):
        self.runtime = runtime
        self.watch = watch
        self.enabled = passes.ALL if enabled is None else frozenset(enabled)
        self.instrument = instrument

    def build(self, targets, feeds, single, feed_shapes=None, fold_shapes=True):
        """The plan computing `targets` (Tensors/Operations) from `feeds` (Tensors, in feed order).

        `single` makes it return the one target's value rather than a tuple; `feed_shapes` (shape tuples
        in feed order) specialises it to those shapes when that can fold anything."""
        watch = self.watch
        fed = {t: i for i, t in enumerate(feeds)}
        order = prune(targets, fed, passes.DEPENDENCY_OPTIMIZER in self.enabled)
        watch.note_planned()
        if any(op.op_def.control_flow for op in order):
            return self._build_dataflow(targets, feeds, single, fed)
        plan = Plan()
        plan._planner = self
        plan._request = (targets, feeds, single)
        plan._generic = plan._unfolded = None
        plan.feed_shapes = plan.var_shapes = None
        fold_shapes = fold_shapes and watch.trust_shapes
        if fold_shapes and watch.reshapeable:
            # Shapes are folded for the variables' declared shapes: a variable an Assign of this plan may
            # reshape turns folding off; one reshaped by another run sends this run to an unfolded plan.
            if watch.may_reshape(order):
                fold_shapes = False
            else:
                plan.var_shapes = watch.variable_shapes(self.runtime, order)
        plan.fold_shapes = fold_shapes
        fed_shapes = None
        if (feed_shapes is not None and fold_shapes and passes.SHAPE_SPECIALISATION in self.enabled
                and shapes.wants_feed_shapes(order, feeds)):
            plan.feed_shapes = tuple(feed_shapes)
            fed_shapes = dict(zip(feeds, feed_shapes, strict=True))
        plan.guarded = plan.feed_shapes is not None or plan.var_shapes is not None
        program = lowering.lower(self.runtime, order, targets, fed, single, self.enabled, fed_shapes,
                                 fold_shapes)
        if self.instrument is not None:
            program = self.instrument(program)
        plan.executor = "straight_line"
        plan.compiled = EXECUTORS[plan.executor].compile_program(program)
        plan.fn = plan.compiled.fn
        return plan

    def _build_dataflow(self, targets, feeds, single, fed):
        """A plan with control flow: every control edge kept (a constant in a cond branch is dead with its
        branch through its control edge to the branch's pivot), no passes but frame compilation, the
        dataflow executor."""
        order = prune(targets, fed, False)
        plan = Plan()
        plan._planner = self
        plan._request = (targets, feeds, single)
        plan._generic = plan._unfolded = None
        plan.feed_shapes = plan.var_shapes = None
        plan.guarded = False
        plan.fold_shapes = False
        program = lowering.lower(self.runtime, order, targets, fed, single, frozenset(), None, False)
        if self.instrument is not None:  # a traced run: every kernel call of every iteration is timed
            program = self.instrument(program)
        plan.executor = "dataflow"
        plan.compiled = dataflow.compile_program(program, self.enabled, elide=self.instrument is None)
        plan.fn = plan.compiled.fn
        return plan
