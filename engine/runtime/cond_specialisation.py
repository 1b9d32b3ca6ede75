"""Plans specialised to the values of their conds' predicates (the plan pass `cond_specialisation`).

TF1 programs put conds on a training flag -- `tf.cond(is_training, ...)`, `tf.layers.dropout` and
`tf.layers.batch_normalization` with `training=` a placeholder (often `placeholder_with_default`) --
and a plan holding a Switch runs on the dataflow executor, which passes dead tensors op by op and gets
none of the straight-line passes: the MLP step of bench/control_flow.py with two such conds ran at
0.66x the steps/s of the same step without them.  Yet such a predicate is known before anything else
runs, as it depends on nothing but feeds and constants through pure ops (`decidable`).

When every Switch of a plan's root frame (outside loops) reads such a predicate, the plan computes the
predicates first (a small straight-line plan) and runs the variant built for their values, once per
combination on first need (`Branches`).  In a variant (`specialise`) each root Switch passes its data
on to its taken output; an op reading its other output, or reading (data or control edge) an op that
does, is dead and left out, as the executor would leave it; each root Merge is its one live input, its
`value_index` a constant.  What is left holds no cond: the straight-line executor with every pass, or,
with loops, the dataflow executor with the loops compiled and the root as straight-line code.  Its ops
run in the order the executor ran them (ready ones first), so a variable read that nothing orders
against a write of it in the same run still comes first (a metric's value fetched with its update).  A
variant computes what the dataflow executor computes, value for value; where the executor would do
something a variant cannot (a fetched value dead, a Merge with two live inputs, a predicate that is
not a scalar), that combination runs on the dataflow plan, which does it.
"""

from __future__ import annotations

import threading

import numpy as np

from engine.framework import ops
from engine.runtime import dataflow


def _frames(order):
    """{op: its frame, a tuple of loop frame names from the root}: an Enter's output is in its child
    frame, an Exit's in the parent (as TF's ControlFlowInfo)."""
    frame = {}
    for op in order:
        parents = [frame[t.op] for t in op.inputs if t.op in frame]
        parents += [frame[c] for c in op.control_inputs if c in frame]
        base = max(parents, key=len, default=())
        kind = op.op_def.control_flow
        if kind == "enter":
            name = op._get_attr_or("frame_name", "")
            frame[op] = base + (name.decode() if isinstance(name, bytes) else name,)
        elif kind == "exit":
            frame[op] = base[:-1]
        else:
            frame[op] = base
    return frame


def _pure(op):
    definition = op.op_def
    return not (definition.stateful or definition.control_flow or definition.variable or definition.must_feed
                or any(t.dtype.is_ref_dtype for t in op.inputs))


def decidable(tensor, fed, frame):
    """Whether `tensor` depends on nothing but feeds and constants, through pure ops (no variable, no
    stateful op, no loop, no placeholder left unfed) and the root frame's Switches (`frame`: _frames'),
    whose predicates then are decidable too, so its value can be known before a run: the Switches
    passing their data to both outputs (nested conds: an inner predicate computed from what the outer
    cond switches; where the outer branch is not taken the inner Switch is dead and its predicate's
    value unused)."""
    if tensor in fed:
        return True
    seen = set()
    todo = [tensor.op]
    while todo:
        op = todo.pop()
        if op in seen:
            continue
        seen.add(op)
        if not (_pure(op) or op.op_def.control_flow == "switch" and not frame.get(op, ())):
            return False
        todo.extend(t.op for t in op.inputs if t not in fed)
        todo.extend(op.control_inputs)
    return True


def predicates(order, fed):
    """The predicates of the root frame's Switches in `order` (a pruned plan order with every control
    edge), when each is decidable; else (or with no root Switch) None."""
    frame = _frames(order)
    preds = []
    for op in order:
        if op.op_def.control_flow == "switch" and not frame[op]:
            pred = op.inputs[1]
            if pred not in preds:
                if not decidable(pred, fed, frame):
                    return None
                preds.append(pred)
    return preds or None


def through(order):
    """Lowering's rewrites computing `order`'s values with every Switch passing its data to both
    outputs (the predicates' plan)."""
    return {op: ("through", None) for op in order if op.op_def.control_flow == "switch"}


def specialise(order, targets, fed, values, weak):
    """The ops of `order` (pruned with every control edge, in dependency order) that run when the root
    Switches' predicates have `values` ({predicate tensor: bool}), in that order and pruned from
    `targets` again with the control edges `weak(op)` drops, and the rewrites for lowering ({Switch: (
    "switch", taken output)}, {Merge: ("merge", live input)}); None where a fetched value is dead or a
    root Merge has other than one live input."""
    frame = _frames(order)
    dead = set()  # ops whose every output is dead
    dead_outputs = set()  # (Switch, output index) not taken
    rewrites = {}

    def is_dead(t):
        return t.op in dead or (t.op, t.value_index) in dead_outputs

    for op in order:
        kind = op.op_def.control_flow
        if kind == "merge":  # a loop's Merge counts its Enter input: its NextIteration comes later
            back = [t.op.op_def.control_flow == "next_iteration" for t in op.inputs]
            live = [i for i, t in enumerate(op.inputs) if not back[i] and not is_dead(t)]
            if not live:
                dead.add(op)
            elif not frame[op] and not any(back):  # a cond's Merge in the root frame
                if len(live) != 1:
                    return None
                rewrites[op] = ("merge", live[0])
            continue  # a Merge's control inputs only order it
        if kind == "control_trigger":
            continue  # never dead
        if any(is_dead(t) for t in op.inputs) or any(c in dead for c in op.control_inputs):
            dead.add(op)
        elif kind == "switch" and not frame[op]:
            taken = 1 if values[op.inputs[1]] else 0
            rewrites[op] = ("switch", taken)
            dead_outputs.add((op, 1 - taken))
    fed_ops = {t.op for t in fed if all(o in fed for o in t.op.values())}
    needed = set()
    todo = []
    for target in targets:
        if isinstance(target, ops.Tensor):
            if target in fed:
                continue
            if is_dead(target):
                return None
            todo.append(target.op)
        else:
            if target in dead:
                return None
            todo.append(target)
    while todo:
        op = todo.pop()
        if op in needed or op in dead:  # a dead control input (of a ControlTrigger) does not run
            continue
        needed.add(op)
        todo.extend(t.op for t in _read(op, rewrites.get(op)) if t not in fed)
        todo.extend(c for c in op.control_inputs if c not in fed_ops and not weak(c))
    kept = {op: r for op, r in rewrites.items() if op in needed}
    return _as_the_executor_runs([op for op in order if op in needed], kept), kept


def _read(op, rewrite):
    """The inputs `op` reads under its `rewrite`: a decided Switch its data (its predicate is computed
    before the run), a decided Merge its live input."""
    if rewrite is None:
        return op.inputs
    if rewrite[0] == "switch":
        return op.inputs[:1]
    return [op.inputs[rewrite[1]]]


def _as_the_executor_runs(order, rewrites):
    """`order`'s ops in the order the dataflow executor (and TF's) runs them (dataflow.executor_order):
    a variable read nothing orders against a write of it still comes first."""
    position = {op: i for i, op in enumerate(order)}
    waits_on = []
    for op in order:
        inputs = _read(op, rewrites.get(op))
        if op.op_def.control_flow == "merge":  # a loop's back edge is not waited for
            inputs = [t for t in inputs if t.op.op_def.control_flow != "next_iteration"]
        waits_on.append({position[t.op] for t in inputs if t.op in position}
                        | {position[c] for c in op.control_inputs if c in position})
    indices = dataflow.executor_order(waits_on)
    return [order[i] for i in indices] if len(indices) == len(order) else order


class Branches:
    """A plan's variants by its root predicates' values: `select(feed values)` runs the predicates'
    plan and gives the variant for their values, built by `build(values)` on first need (`values`
    None: the unspecialised dataflow plan)."""

    __slots__ = ("predicates", "decide", "build", "variants", "lock")

    def __init__(self, predicates, decide, build):
        self.predicates = predicates
        self.decide = decide  # the plan computing the predicates from the same feeds
        self.build = build
        self.variants = {}
        self.lock = threading.Lock()

    def select(self, args):
        decide = self.decide.select(args) if self.decide.guarded else self.decide
        try:
            values = decide.fn(*args)
        except Exception:  # noqa: BLE001 - the dataflow plan meets the same error and names its op
            values = (None,)
        # The executor takes a Switch's predicate as `bool(np.asarray(p))`; one that is not a scalar
        # goes to it, to fail (or not) as it does.
        key = tuple([bool(v) if v is not None and np.ndim(v) == 0 else None for v in values])
        if None in key:
            key = None
        plan = self.variants.get(key)
        if plan is None:
            with self.lock:
                plan = self.variants.get(key)
                if plan is None:
                    values = None if key is None else dict(zip(self.predicates, key, strict=True))
                    plan = self.variants[key] = self.build(values)
        return plan
