"""Plans and the plan builder: prune, order, lower with the enabled passes, hand to an executor.

A `Plan` is one (targets, feeds) signature made callable: `plan.fn(*feed_values)` returns the
targets' values.  A plan built under assumptions about shapes is *guarded*: `select(feed_values)`
returns the plan itself when they hold, else a variant built (once, on first need) without them --
`generic` when the feeds have other shapes than the ones it was specialised to, `unfolded` when a
reshapeable variable (graph_watch.py) has another shape than it declares.  A plan whose conds'
predicates are known before the run (cond_specialisation.py) is guarded too: `select` computes them
and returns the variant built for their values, which may have guards of its own.
"""

from __future__ import annotations

from engine.runtime import cond_specialisation, dataflow, lowering, passes, straight_line
from engine.runtime import shape_specialisation as shapes
from engine.runtime.prune import is_weak_control_input, never_weak, prune

# The executors a plan can be given: modules with `compile_program(program)` returning an object with
# `fn` and `failing_op(exc)`.  A plan holding control-flow ops (registry flag `control_flow`) that the
# pass `cond_specialisation` does not take away goes to the dataflow executor, with no passes but
# `frame_compilation` and the loop passes; every other plan to the straight-line one.
EXECUTORS = {"straight_line": straight_line, "dataflow": dataflow}


class Plan:
    """A callable plan for one signature, with the variants its guards may need."""

    __slots__ = ("fn", "compiled", "executor", "feed_shapes", "var_shapes", "guarded", "fold_shapes",
                 "branches", "specialised", "_planner", "_request", "_generic", "_unfolded")

    def __init__(self, planner, request):
        self._planner = planner
        self._request = request  # (targets, feeds, single)
        self._generic = self._unfolded = None
        self.feed_shapes = self.var_shapes = None
        self.guarded = False
        self.fold_shapes = False
        self.branches = None  # cond_specialisation.Branches: this plan picks a variant by its conds
        self.specialised = None  # the `branches` it was built for (Planner.build)
        self.compiled = None

    @property
    def code(self):
        """The generated source of a straight-line plan (of the variants built so far for a plan that
        picks one by its conds)."""
        if self.branches is not None:
            return "".join(plan.code for plan in self.variants())
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
        if plan.branches is not None:  # the variant for the values of the conds' predicates
            plan = plan.branches.select(args)
            if not plan.guarded:
                return plan
        if plan.feed_shapes is not None and tuple([a.shape for a in args]) != plan.feed_shapes:
            if plan._generic is None:
                plan._generic = plan._planner.build(*plan._request, fold_shapes=plan.fold_shapes,
                                                    branches=plan.specialised)
            plan = plan._generic
        if plan.var_shapes is not None and not all([
            c.value is None or c.value.shape == shape for c, shape in plan.var_shapes
        ]):
            if plan._unfolded is None:
                plan._unfolded = plan._planner.build(*plan._request, fold_shapes=False,
                                                     branches=plan.specialised)
            plan = plan._unfolded
        return plan

    def variants(self):
        """This plan, or the variants its conds' predicates chose so far (cond_specialisation.py)."""
        return [self] if self.branches is None else list(self.branches.variants.values())


class Planner:
    """Builds a session's plans from its graph, with the passes in `enabled` (passes.py).

    `instrument`, when given, rewrites each lowered Program before an executor compiles it (tracing.py
    times every kernel call of a traced run's plans this way)."""

    def __init__(self, runtime, watch, enabled=None, instrument=None):
        self.runtime = runtime
        self.watch = watch
        self.enabled = passes.ALL if enabled is None else frozenset(enabled)
        self.instrument = instrument

    def build(self, targets, feeds, single, feed_shapes=None, fold_shapes=True, branches=None):
        """The plan computing `targets` (Tensors/Operations) from `feeds` (Tensors, in feed order).

        `single` makes it return the one target's value rather than a tuple; `feed_shapes` (shape tuples
        in feed order) specialises it to those shapes when that can fold anything.  `branches`
        ({predicate: bool}) builds the variant for those values of the conds' predicates
        (cond_specialisation.py); False the plan that leaves its conds to the dataflow executor."""
        watch = self.watch
        fed = {t: i for i, t in enumerate(feeds)}
        drop_weak = passes.DEPENDENCY_OPTIMIZER in self.enabled
        order = prune(targets, fed, drop_weak)
        watch.note_planned()
        rewrites = None
        if any(op.op_def.control_flow for op in order):
            if branches is None and passes.COND_SPECIALISATION in self.enabled:
                preds = cond_specialisation.predicates(prune(targets, fed, False), fed)
                if preds is not None:
                    return self._build_branching(targets, feeds, single, feed_shapes, fold_shapes, preds)
            if branches:
                weak = is_weak_control_input if drop_weak else never_weak
                full = prune(targets, fed, False)
                found = cond_specialisation.specialise(full, targets, fed, branches, weak)
                if found is not None:
                    order, rewrites = found
            if rewrites is None or any(op.op_def.control_flow and op not in rewrites for op in order):
                decided = branches if rewrites is not None else None
                return self._build_dataflow(targets, feeds, single, fed, decided)
        plan = Plan(self, (targets, feeds, single))
        plan.specialised = branches
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
                                 fold_shapes, rewrites)
        if self.instrument is not None:
            program = self.instrument(program)
        plan.executor = "straight_line"
        plan.compiled = EXECUTORS[plan.executor].compile_program(program)
        plan.fn = plan.compiled.fn
        return plan

    def _build_dataflow(self, targets, feeds, single, fed, branches=None):
        """A plan with control flow: every control edge kept (a constant in a cond branch is dead with its
        branch through its control edge to the branch's pivot), no passes but frame compilation and the
        loop passes, the dataflow executor.  `branches` ({predicate: bool}): the root conds decided by
        them, leaving loops."""
        order = prune(targets, fed, False)
        rewrites = None
        found = None
        if branches:
            found = cond_specialisation.specialise(order, targets, fed, branches, never_weak)
        if found is not None:
            order, rewrites = found
        plan = Plan(self, (targets, feeds, single))
        plan.specialised = branches
        program = lowering.lower(self.runtime, order, targets, fed, single, frozenset(), None, False,
                                 rewrites)
        if self.instrument is not None:  # a traced run: every kernel call of every iteration is timed
            program = self.instrument(program)
        plan.executor = "dataflow"
        plan.compiled = dataflow.compile_program(program, self.enabled, elide=self.instrument is None)
        plan.fn = plan.compiled.fn
        return plan

    def _build_branching(self, targets, feeds, single, feed_shapes, fold_shapes, preds):
        """A plan that computes its root conds' predicates `preds` first and runs the variant for their
        values (cond_specialisation.py)."""
        plan = Plan(self, (targets, feeds, single))

        def variant(values):  # None: a combination the variants leave to the dataflow executor
            return self.build(targets, feeds, single, feed_shapes, fold_shapes,
                              branches=False if values is None else values)

        # The predicates' plan: pure ops of the feeds, a nested cond's Switches passing their data on.
        fed = {t: i for i, t in enumerate(feeds)}
        order = prune(preds, fed, False)
        decide = Plan(self, (preds, feeds, False))
        decide.executor = "straight_line"
        decide.compiled = straight_line.compile_program(lowering.lower(
            self.runtime, order, preds, fed, False, self.enabled, None, self.watch.trust_shapes,
            cond_specialisation.through(order)))
        decide.fn = decide.compiled.fn
        plan.branches = cond_specialisation.Branches(preds, decide, variant)
        plan.guarded = True
        plan.executor = "branches"
        plan.fn = lambda *args: plan.select(args).fn(*args)
        return plan
