"""What a session's plans assumed about its graph, and when a change to the graph breaks that.

The graph holds no session state: it lists its ops in the order they were added and logs the ids of
ops changed after they were added (`Graph._change_lists`, both live and append-only, with a counter of
both).  A `GraphWatch` (one per session) compares them with what it saw when it last planned:

* a logged change to an op no newer than the newest op any plan was built with may be in a plan: the
  session drops its plans and compiled kernels (a kernel reads its op's attrs once, when compiled).
  Ops newer than that (a gradient's MatMul getting its `grad_a` mark) are in no plan, so their changes
  cost nothing;
* new ops may make a variable *reshapeable* (below), which drops the plans.

Plans fold Shape ops (and no-op Reshapes) from static shapes, taking variables to keep their declared
shape.  A variable keeps it unless an op flagged `reshapes_variable` (an `Assign` with
`validate_shape=False` or a value of partly unknown shape, which the engine's Assign accepts into an
uninitialized variable, e.g. a Saver's restore) may give it another.  Such variables are "reshapeable":
plans check their shapes on every run (and run unfolded when they differ), and a plan holding such an
Assign folds no shapes.  A write to a resource variable, or to a ref that is not a VariableV2's, turns
shape trust off for the session (`trust_shapes`).  Variable values and random streams are session state
and survive all of this; variables already noted as reshapeable stay so, as their values may already
have another shape.
"""

from __future__ import annotations


class GraphWatch:
    """Per session: the graph's op count and rewrite-log length last seen, and the shape facts."""

    __slots__ = ("changes", "seen", "ops", "log", "log_seen", "checked", "planned_up_to", "trust_shapes",
                 "reshapeable")

    def __init__(self, graph):
        # Live: `changes.count` moves with every new op or rewrite (sessions compare it with `seen` on
        # every run); the lists' lengths tell new ops and new rewrites apart.
        self.changes, self.ops, self.log = graph._change_lists()
        self.seen = -1  # look at the graph before the first plan
        self.log_seen = len(self.log)
        self.checked = 0  # ops up to this id were looked at by `_note_new_ops`
        self.planned_up_to = 0  # the newest op id any plan of this session was built with
        self.trust_shapes = True
        self.reshapeable = set()  # VariableV2 ops an op may give another shape

    def refresh(self):
        """Looks at what changed; returns (drop plans, drop compiled kernels).  Sessions call it when
        `changes.count != seen`, which they test on every run."""
        self.seen = self.changes.count
        drop_kernels = False
        log = self.log
        if len(log) != self.log_seen:
            planned = self.planned_up_to
            drop_kernels = any(op_id <= planned for op_id in log[self.log_seen:])
            self.log_seen = len(log)
            if drop_kernels:
                self.checked = 0  # look at every op again: a rewired Assign may now reshape a variable
        drop_plans = self._note_new_ops() or drop_kernels
        return drop_plans, drop_kernels

    def note_planned(self):
        """A plan is being built from the ops up to now: later changes to them must reach this watch."""
        self._note_new_ops()
        self.planned_up_to = max(self.planned_up_to, len(self.ops))

    def _note_new_ops(self):
        """Notes the variables new ops may reshape; True when the plans must be dropped for it."""
        version = len(self.ops)
        if version == self.checked:
            return False
        drop = False
        for op in self.ops[self.checked:version]:
            if not op.op_def.reshapes_variable:
                continue
            ref, value = op.inputs[:2]
            if not ref.dtype.is_ref_dtype:  # a resource variable (from imported graphs)
                self.trust_shapes = False
                drop = True
            elif not op._get_attr_or("validate_shape", True) or not value.shape.is_fully_defined():
                target = ref.op
                if not target.op_def.variable:
                    self.trust_shapes = False  # a ref from elsewhere: fold no shapes at all
                else:
                    self.reshapeable.add(target)
                drop = True
        self.checked = version
        return drop

    def may_reshape(self, order):
        """Whether one of the ops of `order` may reshape a reshapeable variable (the plan folds no shapes)."""
        return any(op.op_def.reshapes_variable and op.inputs[0].op in self.reshapeable for op in order)

    def variable_shapes(self, runtime, order):
        """(cell, declared shape) of the reshapeable variables among `order`, for plans to check."""
        return tuple(
            (runtime.cell(op), op.get_attr("shape")._as_tuple())
            for op in order
            if op in self.reshapeable and op.get_attr("shape").is_fully_defined()
        ) or None
