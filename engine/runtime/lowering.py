"""From ordered ops to a `Program`: the executor-independent form of a plan.

A Program is a list of `Step`s (one kernel call, or one variable read, each naming the values it reads
and defines), the values bound before the run (constants, cells, kernels) and the names it returns.
The passes that decide what a step is run here, per op, in dependency order:

* `kernel_elision`: a Const's value and a VariableV2's cell (flags `constant`, `variable`) are bound
  directly, a `pass_through` output is its input's name (the `read` of a variable becomes a read step,
  which raises for an uninitialized one, naming the read), and `control_only` ops (NoOp hubs, already
  ordered by the pruning) are left out;
* `constant_folding` (constant_folding.py), `shape_specialisation` (shape_specialisation.py),
  `bound_kernels` (binding.py), then on the whole program `buffer_forwarding` (forwarding.py, which
  needs known shapes) and `last_use_frees` (frees.py).

With every pass off each op is one kernel call with all its inputs.  An executor (straight_line.py)
turns the Program into something to call.
"""

from __future__ import annotations

import numpy as np

from engine.framework import ops
from engine.runtime import binding, constant_folding, forwarding, frees, passes
from engine.runtime import shape_specialisation as shapes


class Step:
    """One step of a program: `outs = kernel(args)`, or with no kernel `outs[0] = read(args[0])`.

    `args` holds (input index, value name, whether the value is a variable cell to read first);
    `consts` the known inputs the kernel is bound to (forwarding binds again with them)."""

    __slots__ = ("op", "kernel", "kernel_name", "args", "outs", "consts")

    def __init__(self, op, kernel, kernel_name, args, outs, consts):
        self.op = op
        self.kernel = kernel
        self.kernel_name = kernel_name
        self.args = args
        self.outs = outs
        self.consts = consts


class Program:
    """A plan before an executor makes it callable."""

    __slots__ = ("n_feeds", "fed_refs", "steps", "bound", "results", "single", "frees", "forwarded")

    def __init__(self):
        self.n_feeds = 0
        self.fed_refs = []  # (name, feed index, variable name): a fed ref becomes a cell holding the feed
        self.steps = []
        self.bound = {}  # name -> value bound before the run (constants, cells)
        self.results = []  # per target: the name of its value, or None for an Operation
        self.single = False
        self.frees = {}  # step index -> names released after it
        self.forwarded = {}  # step index -> name of the value whose buffer it reuses


def lower(runtime, order, targets, fed, single, enabled, fed_shapes=None, trust_shapes=True, rewrites=None):
    """The Program computing `targets` from the `fed` tensors ({Tensor: feed index}) with the ops of
    `order`, under the pass names in `enabled`.  `fed_shapes` ({Tensor: shape}) specialises it to the
    feeds' shapes; `trust_shapes` False folds nothing from static shapes.  `rewrites` ({op: ("switch",
    taken output) or ("merge", live input)}, cond_specialisation.py) makes a cond's Switch and Merge
    whose predicate is known pass that value on."""
    elide = passes.KERNEL_ELISION in enabled
    folding = passes.CONSTANT_FOLDING in enabled
    shape_pass = passes.SHAPE_SPECIALISATION in enabled and trust_shapes
    forwarding_pass = passes.BUFFER_FORWARDING in enabled and trust_shapes
    bind = binding.bind if passes.BOUND_KERNELS in enabled else _unbound
    oracle = shapes.ShapeOracle(fed_shapes if shape_pass else None) if shape_pass or forwarding_pass else None

    program = Program()
    program.n_feeds = len(fed)
    program.single = single
    names = {}  # Tensor -> value name
    known = {}  # Tensor -> value known at plan time (Const outputs and folded ops)
    steps, bound = program.steps, program.bound
    for t, i in fed.items():
        if t.dtype.is_ref_dtype:
            names[t] = f"_fedref{i}"
            program.fed_refs.append((names[t], i, t.op.name))
        else:
            names[t] = f"f{i}"
    for n, op in enumerate(order):
        definition = op.op_def
        outs = op.values()
        inputs = op.inputs
        rewrite = rewrites.get(op) if rewrites else None
        if rewrite is not None:
            kind, index = rewrite
            if kind == "merge":
                pairs = [(inputs[index], outs[0])]
            elif kind == "switch":
                pairs = [(inputs[0], outs[index])]
            else:  # "through": both outputs, for predicates computed whichever way a cond goes
                pairs = [(inputs[0], out) for out in outs]
            for t, out in pairs:
                names[out] = names[t]
                if t in known and t not in fed:
                    known[out] = known[t]
                elif oracle is not None:
                    oracle.alias(out, t, known)
            if kind == "merge":  # its value_index: which input was live
                cname = f"c{n}_1"
                bound[cname] = known[outs[1]] = np.int32(index)
                names[outs[1]] = cname
            continue
        if elide:
            if definition.constant:
                cname = f"c{n}"
                bound[cname] = known[outs[0]] = op._get_attr_or("value", None)
                names[outs[0]] = cname
                continue
            if definition.variable:
                cname = f"var{n}"
                bound[cname] = runtime.cell(op)
                names[outs[0]] = cname
                continue
            if definition.control_only:
                continue
            if definition.pass_through:
                t = inputs[0]
                if not t.dtype.is_ref_dtype:
                    names[outs[0]] = names[t]
                    if t in known and t not in fed:
                        known[outs[0]] = known[t]
                    elif oracle is not None:
                        oracle.alias(outs[0], t, known)
                    continue
                names[outs[0]] = f"v{n}"
                steps.append(Step(op, None, None, [(0, names[t], True)], (f"v{n}",), {}))
                continue
        folded = constant_folding.fold(runtime, op, known) if folding else None
        if shape_pass:
            if folded is None and definition.shape_only:
                in_shapes = [oracle.shape(t, known) for t in inputs]
                if None not in in_shapes:
                    folded = shapes.shape_value(runtime, op, in_shapes)
            if folded is None and definition.reshape and shapes.reshape_is_noop(runtime, op, oracle, known):
                names[outs[0]] = names[inputs[0]]
                oracle.alias(outs[0], inputs[0], known)
                continue
            if folded is None and not definition.stateful:
                oracle.add(op, known)
        if folded is not None:
            for j, (t, value) in enumerate(zip(outs, folded, strict=True)):
                cname = f"c{n}_{j}"
                bound[cname] = known[t] = value
                names[t] = cname
            continue
        kernel, passed, consts = bind(runtime, op, known, fed)
        args = [(i, names[inputs[i]] if inputs[i] in names else _later_name(inputs[i], order),
                 inputs[i].dtype.is_ref_dtype and i not in definition.ref_inputs)
                for i in passed]
        if len(outs) == 1:
            defs = (f"v{n}",)
        else:
            defs = tuple(f"v{n}_{j}" for j in range(len(outs)))
        names.update(zip(outs, defs, strict=True))
        steps.append(Step(op, kernel, f"k{n}", args, defs, consts))
    program.results = [None if isinstance(t, ops.Operation) else names[t] for t in targets]
    returned = {name for name in program.results if name is not None}
    if forwarding_pass:
        program.forwarded = forwarding.forward_buffers(runtime, steps, returned, oracle, known)
    if passes.LAST_USE_FREES in enabled:
        program.frees = frees.last_uses(steps, returned)
    return program


def _later_name(t, order):
    """The name a later step will define for `t`: a loop's Merge reads its NextIteration (a back edge)."""
    n = order.index(t.op)
    return f"v{n}" if len(t.op.values()) == 1 else f"v{n}_{t.value_index}"


def _unbound(runtime, op, known, fed):
    return binding.unbound(runtime, op)
