"""Which ops a run needs, in dependency order: the plan's pruning, with Grappler's dependency-optimizer
rule for control edges to unneeded pure ops (pass `dependency_optimizer`).

TensorFlow's gradient code gates each op's input gradients with ``tuple/group_deps`` (a NoOp with a
control edge to every gradient op).  For a first dense layer that includes ``d loss / d input``, a
matrix product whose value nothing reads: taken literally, a control edge makes it run on every
training step.  TensorFlow's Grappler dependency optimizer drops such edges; so does this pruning when
the pass is on:

* a control input is *weak* when it is a pure computation (not stateful, has outputs, not `must_feed`,
  whose "must feed" error must still surface, not a control-flow op, which stands for a branch);
* an op is needed when a fetch reaches it through data edges or non-weak control edges;
* a weak control edge to a needed op still orders the two; one to an op nothing else needs is dropped
  (running the op could change nothing but the time taken).

With the pass off every control edge is followed, as TF's executor does without Grappler.
"""

from __future__ import annotations

from engine.framework import errors, ops


def is_weak_control_input(op) -> bool:
    """A pure op: running it only for a control edge has no effect beyond its (unread) outputs."""
    definition = op.op_def
    # A control-flow op (a Merge guarding an Assert) stands for the branch behind it, as in Grappler.
    return (bool(op.values()) and not definition.stateful and not definition.must_feed
            and not definition.control_flow)


def never_weak(op) -> bool:
    """No control input is weak: every control edge is followed (the pass `dependency_optimizer` off)."""
    return False


def _roots(targets, fed):
    for target in targets:
        if isinstance(target, ops.Tensor):
            if target not in fed:
                yield target.op
        else:
            yield target


def needed_ops(targets, fed, weak=is_weak_control_input):
    """Ops reached from `targets` through data edges and non-`weak` control edges, and the fed ops."""
    fed_ops = {t.op for t in fed if all(o in fed for o in t.op.values())}
    needed = set()
    stack = list(_roots(targets, fed))
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        stack.extend(t.op for t in op.inputs if t not in fed)
        stack.extend(c for c in op.control_inputs if c not in fed_ops and not weak(c))
    return needed, fed_ops


def prune(targets, fed, drop_weak_controls=True):
    """The needed ops for `targets` (Tensors/Operations), in dependency order, stopping at fed tensors.
    `drop_weak_controls` is the dependency-optimizer pass."""
    weak = is_weak_control_input if drop_weak_controls else never_weak
    needed, fed_ops = needed_ops(targets, fed, weak)
    order = []
    state = {}  # op -> 1 while visiting, 2 when done
    # A loop's Merge reads its NextIteration, which is computed from the Merge: that back edge is left
    # out of the order, and the NextIteration (with the loop body) is ordered after the Merge.
    back_edges = []
    roots = list(_roots(targets, fed))
    while roots or back_edges:
        if not roots:  # the loops' bodies, once everything the targets read is ordered
            roots, back_edges = back_edges, []
        root = roots.pop(0)
        if state.get(root):
            continue
        stack = [(root, False)]
        while stack:
            op, expanded = stack.pop()
            if expanded:
                state[op] = 2
                order.append(op)
                continue
            if state.get(op):
                continue
            state[op] = 1
            stack.append((op, True))
            deps = [t.op for t in op.inputs if t not in fed]
            if op.op_def.control_flow == "merge":
                back = [d for d in deps if d.op_def.control_flow == "next_iteration"]
                if back:
                    back_edges.extend(back)
                    deps = [d for d in deps if d.op_def.control_flow != "next_iteration"]
            deps.extend(c for c in op.control_inputs if c not in fed_ops and (c in needed or not weak(c)))
            for dep in reversed(deps):
                s = state.get(dep)
                if s is None:
                    stack.append((dep, False))
                elif s == 1 and dep is not op:
                    raise errors.InvalidArgumentError(None, op, f"Graph has a cycle through node '{op.name}'")
    return order
