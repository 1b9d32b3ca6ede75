"""Which ops a run needs: the session's pruning, with Grappler's rule for control edges to unneeded
pure ops.

TensorFlow's gradient code gates each op's input gradients with ``tuple/group_deps`` (a NoOp with a
control edge to every gradient op).  For a first dense layer that includes ``d loss / d input``, a
matrix product whose value nothing reads: taken literally, a control edge makes it run on every
training step.  TensorFlow's Grappler dependency optimizer drops such edges; so does this pruning:

* a control input is *weak* when it is a pure computation (not stateful, has outputs, not a
  Placeholder, whose "must feed" error must still surface);
* an op is needed when a fetch reaches it through data edges or non-weak control edges;
* a weak control edge to a needed op still orders the two; one to an op nothing else needs is dropped
  (running the op could change nothing but the time taken).

`prune(targets, fed)` has the signature and result of ``engine.session._prune``: the needed ops in
dependency order, stopping at fed tensors.  Integration is a one-line change in the session.
"""

from __future__ import annotations

from engine.framework import errors, ops


def is_weak_control_input(op) -> bool:
    """A pure op: running it only for a control edge has no effect beyond its (unread) outputs."""
    return bool(op._outputs) and not op._op_def.stateful and op._type != "Placeholder"


def _roots(targets, fed):
    for target in targets:
        if isinstance(target, ops.Tensor):
            if target not in fed:
                yield target.op
        else:
            yield target


def needed_ops(targets, fed):
    """Ops reached from `targets` through data edges and non-weak control edges."""
    fed_ops = {t.op for t in fed if all(o in fed for o in t.op._outputs)}
    needed = set()
    stack = list(_roots(targets, fed))
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        stack.extend(t.op for t in op._inputs if t not in fed)
        stack.extend(c for c in op._control_inputs if c not in fed_ops and not is_weak_control_input(c))
    return needed, fed_ops


def prune(targets, fed):
    """The needed ops for `targets` (Tensors/Operations), in dependency order, stopping at fed tensors."""
    needed, fed_ops = needed_ops(targets, fed)
    order = []
    state = {}  # op -> 1 while visiting, 2 when done
    for root in _roots(targets, fed):
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
            deps = [t.op for t in op._inputs if t not in fed]
            deps.extend(c for c in op._control_inputs
                        if c not in fed_ops and (c in needed or not is_weak_control_input(c)))
            for dep in reversed(deps):
                s = state.get(dep)
                if s is None:
                    stack.append((dep, False))
                elif s == 1 and dep is not op:
                    raise errors.InvalidArgumentError(None, op, f"Graph has a cycle through node '{op.name}'")
    return order
