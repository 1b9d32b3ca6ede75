"""Plain while frames compiled to one generated Python function each, for the dataflow executor.

The dataflow executor (dataflow.py) interprets a loop one op per iteration at a time: every value of
every iteration is queued, tagged and matched to its consumers, several microseconds per op -- most of
an LSTM training step's time (bench/rnn_step.py).  A *plain* frame needs none of that: its iterations
run one after the other, and which of its ops run in an iteration depends only on whether the loop goes
on.  This module finds such frames among a dataflow plan's steps and makes each one step of the root
frame, whose kernel runs the whole loop as straight-line code:

    def _frame(<values read from outside>):
        <Consts of the loop>; <Enters>; <Merges from their Enter inputs>
        while True:
            <what the predicate needs>          # its ancestors in the frame
            if not <predicate>: break
            <what runs when the loop goes on>   # Switches' true outputs, the body, NextIterations
            <Merges from their NextIteration inputs>
        <what runs in the last iteration>       # Switches' false outputs, Exits
        return <the Exits' values>

The two sets are the ops the executor finds live in such an iteration (`_Frame._live`: a Switch's
output 1 is live when the loop goes on, its output 0 when it ends, its control signal always; a
ControlTrigger always runs), each in an order that respects the edges among them.  Iterations run in
order, so the gradient loop's StackPopV2s meet the forward loop's StackPushV2s in reverse and TensorArray
ops keep their order.  Ops whose kernel passes input 0 on (Identity, Enter, Switch, NextIteration, Exit,
LoopCond) are assignments, NoOps and ControlTriggers are left out (the order is fixed), a Const of the
loop is computed once, and a pure op only control edges wait for is left out (`_Frame._needed`).

A frame is plain when (`_Frame.check`):
* it holds no other frame's Enter, and its ops read nothing produced outside it but through its Enters
  (bound values and feeds belong to every frame) and take no control input from outside but at Enters;
* each Merge has one input from a non-constant Enter of the frame and one from a NextIteration, and the
  non-constant Enters feed only Merges; every Switch reads one predicate, the loop's (a cond inside
  the loop has its own);
* when the loop goes on, every NextIteration runs and no Exit; in the last iteration every Exit runs and
  no NextIteration;
* no input of its Enters can be dead (no Switch outside a compiled frame upstream of them), so the
  frame's step never sees a dead input.  A loop inside a cond branch or inside another loop, or with a
  cond inside, stays with the executor, dead tensors and all.

A loop variable that only accumulates products, `acc = acc + MatMul(A, B, transpose_a=True)` with
nothing else reading `acc` or the product in the loop (an RNN's kernel gradient in its gradient loop),
has its products summed as one GEMM when the loop ends, and `acc + BiasAddGrad(B)` as one row sum
(`_Frame._deferred_products`, deferred_products.py; the plan pass `deferred_products`).  A product read
only by a Split along its columns, some of whose outputs nothing reads, computes the columns read alone
(`_Frame._narrowed_products`, narrowed_products.py; the plan pass `narrowed_products`).  An op of
scalar output whose type declares numpy-scalar operators (a counter's add or compare) calls them when
its inputs are numpy scalars, the loop's invariant inputs converted once before it (scalar_operators.py;
the plan pass `scalar_operators`).
"""

from __future__ import annotations

import collections
import heapq

from engine.runtime import passes
from engine.runtime.deferred_products import DeferredProducts
from engine.runtime.narrowed_products import narrowed_product
from engine.runtime.prune import is_weak_control_input
from engine.runtime.scalar_operators import as_scalar, scalar_first
from engine.runtime.state import read

FILENAME = "<frame>"
PASSES_ON = ("enter", "exit", "next_iteration", "switch")


def _passes_on(op):
    """Whether `op`'s kernel returns its input 0 as it is: Identity, LoopCond and the like, and the frame
    ops (the frame's code does what the executor does with them; a Merge is handled on its own)."""
    definition = op.op_def
    return definition.pass_through or definition.control_flow in PASSES_ON


class FrameStep:
    """A compiled frame as one step of its parent: `outs = kernel(*args)`, args as a lowering Step's
    ((index, name, is_ref), ...); `members` the ops it replaces, `control_inputs` those of its Enters
    from outside, `code` its generated source."""

    __slots__ = ("name", "kernel", "args", "outs", "members", "control_inputs", "code", "line_ops")


def failing_op(exc):
    """The op of the innermost compiled frame line in `exc`'s traceback, or None."""
    op = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            op = tb.tb_frame.f_globals["_frame_step"].line_ops.get(tb.tb_lineno, op)
        tb = tb.tb_next
    return op


def compile_frames(steps, args_of, enabled=passes.ALL):
    """Replaces the plain frames among `steps` (lowering Steps, after dataflow's elision) by FrameSteps,
    with the loop passes among the `enabled` ones (module docstring).

    `args_of(step)` gives a step's argument names with aliases resolved.  The compiled code takes every
    value its frame reads from outside as an argument (bound values and feeds too, as the executor's
    steps do).  Returns the new step list: each FrameStep where its frame's first op was."""
    graph = _Graph(steps, args_of)
    frames = {}
    for i, s in enumerate(steps):
        if s.op.op_def.control_flow == "enter":
            name = s.op._get_attr_or("frame_name", "")
            frames.setdefault(name, _Frame(name, graph)).enters.append(i)
    for frame in frames.values():
        frame.collect()
    owner = collections.Counter(m for frame in frames.values() for m in frame.members)
    plain = {name: f for name, f in frames.items() if all(owner[m] == 1 for m in f.members) and f.check()}
    # Which frames' inputs can be dead depends on which frames upstream are compiled: drop until stable.
    while True:
        dead = graph.may_be_dead(frames, plain)
        dropped = [name for name, f in plain.items() if any(dead[p] for p in f.outside_inputs())]
        if not dropped:
            break
        for name in dropped:
            del plain[name]
    if not plain:
        return steps
    replaced = {}
    for frame in plain.values():
        first = min(frame.members)
        replaced[first] = frame.compile(enabled)
        for m in frame.members:
            replaced.setdefault(m, None)
    return [replaced.get(i, s) for i, s in enumerate(steps) if replaced.get(i, s) is not None]


class _Graph:
    """The steps' edges by index: producers of names, data and control consumers."""

    def __init__(self, steps, args_of):
        self.steps = steps
        self.args = [args_of(s) for s in steps]
        self.producer = {}  # name -> (step, output)
        index_of = {}
        for i, s in enumerate(steps):
            index_of[s.op] = i
            for j, name in enumerate(s.outs):
                self.producer[name] = (i, j)
        self.consumers = collections.defaultdict(list)  # step -> [(consumer, arg position, output)]
        self.controls = [[index_of[c] for c in s.op.control_inputs if c in index_of] for s in steps]
        self.control_consumers = collections.defaultdict(list)
        for i, names in enumerate(self.args):
            for pos, name in enumerate(names):
                src = self.producer.get(name)
                if src is not None:
                    self.consumers[src[0]].append((i, pos, src[1]))
        for i, controls in enumerate(self.controls):
            for c in controls:
                self.control_consumers[c].append(i)

    def kind(self, i):
        return self.steps[i].op.op_def.control_flow

    def passes_on(self, i):
        """Whether step i is a one-output op that passes input 0 on (not a frame op)."""
        return not self.kind(i) and _passes_on(self.steps[i].op) and len(self.steps[i].outs) == 1

    def sole_reader(self, i, out=0):
        """The one step reading output `out` of step i, when only it does (NoOps waiting on i aside),
        else None."""
        readers = [c for c, _, o in self.consumers[i] if o == out]
        waiting = self.control_consumers[i]
        if len(readers) != 1 or any(not self.steps[c].op.op_def.control_only for c in waiting):
            return None
        return readers[0]

    def back_through_pass_through(self, i):
        """[i, its producer, ...]: back from step i through pass-through ops read once each (a gradient's
        `tuple` Identity), to the first step that is not one."""
        chain = [i]
        while self.passes_on(i) and self.sole_reader(i) is not None and self.data_inputs(i):
            i = self.data_inputs(i)[0][0]
            chain.append(i)
        return chain

    def data_inputs(self, i):
        """[(producer step, output, arg position)] of step i's produced arguments."""
        out = []
        for pos, name in enumerate(self.args[i]):
            src = self.producer.get(name)
            if src is not None:
                out.append((src[0], src[1], pos))
        return out

    def order(self, part):
        """The steps in `part` in an order respecting the edges among them but the loops' back edges (the
        lowest index first among the ready ones); a trailing None when they have another cycle."""
        g = self
        part = set(part)

        def back(p, c):  # a loop's back edge, into the next iteration
            return g.kind(p) == "next_iteration" and g.kind(c) == "merge"

        waits = {}
        for i in part:
            waits[i] = sum(1 for p, _, _ in g.data_inputs(i) if p in part and not back(p, i)) + sum(
                1 for p in g.controls[i] if p in part)
        ready = [i for i, w in waits.items() if not w]
        heapq.heapify(ready)
        order = []
        while ready:
            i = heapq.heappop(ready)
            order.append(i)
            for c in [c for c, _, _ in g.consumers[i]] + g.control_consumers[i]:
                if c in waits and not back(i, c):
                    waits[c] -= 1
                    if not waits[c]:
                        heapq.heappush(ready, c)
        if len(order) != len(part):
            order.append(None)
        return order

    def may_be_dead(self, frames, plain):
        """{step: whether a run can make it dead} with the frames in `plain` compiled: a Switch outside
        them can, so can any op of an interpreted frame, and anything downstream of such steps (a
        compiled frame's Exit is downstream of all that its Enters read)."""
        interpreted = {m for name, f in frames.items() if name not in plain for m in f.members}
        switches = {i for i in range(len(self.steps)) if self.kind(i) == "switch"}
        switches -= {m for f in plain.values() for m in f.members}
        exit_of = {m: f for f in plain.values() for m in f.exits}
        dead = {}
        visiting = set()
        for start in range(len(self.steps)):
            todo = [start]
            while todo:
                i = todo[-1]
                if i in dead:
                    todo.pop()
                    continue
                if i in interpreted or i in switches:
                    dead[i] = True
                    continue
                if i in exit_of:
                    sources = exit_of[i].outside_inputs()
                else:
                    sources = [p for p, _, _ in self.data_inputs(i)] + self.controls[i]
                waiting = [p for p in sources if p not in dead]
                if not waiting:
                    dead[i] = any(dead[p] for p in sources)
                    visiting.discard(i)
                elif i in visiting or any(p in visiting for p in waiting):  # a cycle outside loops
                    dead[i] = True
                    visiting.discard(i)
                else:
                    visiting.add(i)
                    todo.extend(waiting)
        return dead


class _Frame:
    """One while frame of the plan: its steps by role, and the checks that make it plain."""

    def __init__(self, name, graph):
        self.name = name
        self.graph = graph
        self.enters = []
        self.members = []
        self.member_set = set()
        self.exits = []
        self.nested = False

    def collect(self):
        """The frame's steps: everything downstream of its Enters (data or control) up to its Exits."""
        g = self.graph
        seen = set(self.enters)
        todo = list(self.enters)
        while todo:
            i = todo.pop()
            kind = g.kind(i)
            if kind == "exit":
                self.exits.append(i)
                continue
            if kind == "enter" and i not in self.enters:
                self.nested = True  # another frame inside this one
                continue
            for c, _, _ in g.consumers[i]:
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
            for c in g.control_consumers[i]:
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        self.members = sorted(seen)
        self.member_set = seen
        self.exits.sort()

    def outside_inputs(self):
        """The steps outside the frame its Enters read (data or control)."""
        g = self.graph
        return [p for e in self.enters for p in [q for q, _, _ in g.data_inputs(e)] + g.controls[e]]

    def check(self):
        """Whether the frame is plain (module docstring); works out what each kind of iteration runs."""
        if self.nested:
            return False
        g = self.graph
        members = self.member_set
        enters = set(self.enters)
        kinds = {i: g.kind(i) for i in self.members}
        constant = {e: bool(g.steps[e].op._get_attr_or("is_constant", False)) for e in enters}
        if any(len(g.steps[e].outs) != 1 or len(g.args[e]) != 1 for e in enters):
            return False
        for i in self.members:
            if i not in enters and (any(c not in members for c in g.controls[i])
                                    or any(p not in members for p, _, _ in g.data_inputs(i))):
                return False
            if kinds[i] == "enter" and not constant[i] and (
                    any(kinds[c] != "merge" for c, _, _ in g.consumers[i]) or g.control_consumers[i]):
                return False
        self.merges, self.switches, preds = [], [], set()
        for i in self.members:
            if kinds[i] == "merge":
                inputs = g.data_inputs(i)
                by_kind = {kinds[p]: (p, pos) for p, _, pos in inputs}
                if (len(inputs) != 2 or len(g.args[i]) != 2 or set(by_kind) != {"enter", "next_iteration"}
                        or constant[by_kind["enter"][0]]):
                    return False
                self.merges.append((i, by_kind["enter"], by_kind["next_iteration"]))
            elif kinds[i] == "switch":
                preds.update(p for p, _, pos in g.data_inputs(i) if pos == 1)
                self.switches.append(i)
        if len(preds) != 1 or not self.merges:
            return False
        (self.pred,) = preds  # the LoopCond's input, as the executor passes LoopCond on
        # What an iteration computes before its predicate: the predicate's ancestors in the frame.
        special = enters | {m for m, _, _ in self.merges}
        before = set()
        todo = [self.pred]
        while todo:
            i = todo.pop()
            if i in before or i in special:
                continue
            before.add(i)
            todo.extend(p for p, _, _ in g.data_inputs(i))
            todo.extend(g.controls[i])
        if before & set(self.switches):
            return False
        self.before = self.graph.order(before)
        self.going_on = self.graph.order(self._live(True) - before - special)
        self.ending = self.graph.order(self._live(False) - before - special)
        if None in self.before or None in self.going_on or None in self.ending:
            return False
        going_on, ending = set(self.going_on), set(self.ending)
        next_iterations = {n for _, _, (n, _) in self.merges}
        exits = set(self.exits)
        # A later iteration gets every loop variable; the last one sends them all out, and nothing on.
        return (next_iterations <= going_on and not next_iterations & ending
                and exits <= ending and not exits & going_on)

    def _live(self, going_on):
        """The steps of the frame that run (are not dead) in an iteration whose predicate is `going_on`:
        a Switch's output 1 is live then, its output 0 in the last one, its control signal in both."""
        g = self.graph
        kinds = {i: g.kind(i) for i in self.members}
        live = set()
        live_out = set()  # (step, output) live
        for i in self.graph.order(self.member_set):
            kind = kinds[i]
            if kind in ("enter", "merge", "control_trigger"):
                ok = True
            else:
                ok = (all((p, out) in live_out for p, out, _ in g.data_inputs(i))
                      and all(c in live for c in g.controls[i]))
            if not ok:
                continue
            live.add(i)
            if kind == "switch":
                live_out.add((i, 1 if going_on else 0))
            else:
                live_out.update((i, j) for j in range(len(g.steps[i].outs)))
        return live

    def _needed(self):
        """The steps whose work can be seen: the frame ops, the stateful ones and what they read, through
        data edges and control edges from ops that are not pure (prune.py's rule for the pass
        `dependency_optimizer`).  A pure op only a `tuple/group_deps` NoOp waits for (the gradient of an
        LSTM's forget bias, a Const) would run every iteration for nothing: it is left out."""
        g = self.graph
        todo = [i for i in self.members if not is_weak_control_input(g.steps[i].op)]
        todo.extend(self.before)
        needed = set()
        while todo:
            i = todo.pop()
            if i in needed or i not in self.member_set:
                continue
            needed.add(i)
            todo.extend(p for p, _, _ in g.data_inputs(i))
            todo.extend(c for c in g.controls[i] if not is_weak_control_input(g.steps[c].op))
        return needed

    def _deferred_products(self, needed):
        """{Add step: (Merge step, MatMul step, accumulator argument position, the steps from the MatMul
        to the Add)} for the loop variables that only accumulate products A^T B (module docstring): the
        Merge is read by its Switch alone, whose output 1 reaches the Add (registry flag `adds`) through
        pass-through ops read once each; the Add's other input is a MatMul(transpose_a=True) or a
        BiasAddGrad (flags `row_products`, `row_sums`) reaching it through such ops (the gradient's
        `tuple` Identity); the Add feeds the Merge's NextIteration alone; all of them run in the
        iterations that go on, and only NoOps wait for them."""
        g = self.graph
        going_on = set(self.going_on)
        found = {}
        for m, _, (nxt, _) in self.merges:
            switch = g.sole_reader(m)
            if switch is None or g.kind(switch) != "switch":
                continue
            at = g.sole_reader(switch, 1)
            while at is not None and g.passes_on(at):
                at = g.sole_reader(at)
            add = at
            if (add is None or not g.steps[add].op.op_def.adds or add not in going_on
                    or add not in needed or g.sole_reader(add) != nxt or g.steps[add].kernel is None):
                continue
            inputs = g.data_inputs(add)
            if len(inputs) != 2:
                continue
            for p, _, pos in inputs:
                chain = g.back_through_pass_through(p)
                p = chain[-1]
                op = g.steps[p].op
                row_products, row_sums = op.op_def.row_products, op.op_def.row_sums
                if ((row_products is not None and row_products(op) or row_sums is not None and row_sums(op))
                        and p in going_on
                        and all(g.sole_reader(c) is not None for c in chain) and g.steps[p].kernel is not None
                        and not any(is_ref for _, _, is_ref in g.steps[p].args)):
                    found[add] = (m, p, 1 - pos, chain)
                    break
        return found

    def _narrowed_products(self, needed, skipped):
        """{cutting step: (product step, its input 1's cut axis, the name of the value cut, read outputs,
        bounds)} for the products (registry flag `narrows`) read only by a Split/SplitV along their last
        axis (flag `cuts`) of which some outputs no needed step reads (module docstring).  `skipped` are
        steps another rewrite already replaces."""
        g = self.graph
        read = collections.defaultdict(set)  # step -> its outputs read by needed steps (or sent out)
        for i in needed:
            for p, j, _ in g.data_inputs(i):
                read[p].add(j)
        for x in self.exits:
            for p, j, _ in g.data_inputs(x):
                read[p].add(j)
        parts = {i: n for n, part in enumerate((self.before, self.going_on, self.ending)) for i in part}
        found = {}
        for s in needed:
            op = g.steps[s].op
            cuts = op.op_def.cuts
            if cuts is None or s in skipped or g.steps[s].kernel is None:
                continue
            cut = cuts(op)
            if cut is None:
                continue
            value_index, axis, bounds = cut
            sources = [p for p, _, pos in g.data_inputs(s) if pos == value_index]
            if len(sources) != 1:
                continue
            p = g.back_through_pass_through(sources[0])[-1]
            product = g.steps[p].op
            narrows = product.op_def.narrows
            shape = product.outputs[0].shape
            outs = sorted(read[s])
            if (narrows is None or p in skipped or p not in needed or parts.get(p) != parts.get(s)
                    or g.steps[p].kernel is None or len(g.steps[p].outs) != 1 or shape.ndims != 2
                    or axis != 1 or not outs or len(outs) == len(bounds) - 1 or g.sole_reader(p) is None
                    or any(is_ref for _, _, is_ref in g.steps[p].args) or len(g.args[p]) != 2):
                continue
            found[s] = (p, narrows(product), g.args[s][value_index], outs, bounds)
        return found

    def compile(self, enabled=passes.ALL):
        """The frame as a FrameStep (with the loop passes among the `enabled` ones)."""
        g = self.graph
        step = FrameStep()
        step.name = self.name
        step.members = [g.steps[i].op for i in self.members]
        step.control_inputs = [g.steps[c].op for e in self.enters for c in g.controls[e]]
        step.outs = tuple(name for x in self.exits for name in g.steps[x].outs)
        produced = {name for i in self.members for name in g.steps[i].outs}
        external = []
        for i in self.members:
            for name in g.args[i]:
                if name not in produced and name not in external:
                    external.append(name)
        step.args = [(pos, name, False) for pos, name in enumerate(external)]
        kernels = {}
        lines = []
        line_ops = {}
        used = {(p, j) for i in self.members for p, j, _ in g.data_inputs(i)}
        used.update((x, j) for x in self.exits for j in range(len(g.steps[x].outs)))

        def emit(i, indent, text, outs):
            if not outs:
                line = text
            elif len(outs) == 1:
                line = f"{outs[0]} = {text}"
            else:
                line = f"{', '.join(outs)}, = {text}"
            lines.append(" " * indent + line)
            line_ops[len(lines)] = g.steps[i].op

        def call(i, indent, outs=None, args=None):
            s = g.steps[i]
            if not s.outs and (s.op.op_def.control_only or g.kind(i) == "control_trigger"):
                return  # it only orders, and the order is fixed here
            if args is None:
                args = [f"_read({name})" if is_ref else name
                        for name, (_, _, is_ref) in zip(g.args[i], s.args, strict=True)]
            outs = s.outs if outs is None else outs
            if s.kernel is None:  # a variable read
                emit(i, indent, f"_read({g.args[i][0]})", outs)
            elif _passes_on(s.op):  # the kernel returns input 0: no call
                if (i, s.outs.index(outs[0])) in used:
                    emit(i, indent, args[0], outs)
            else:
                kernels[f"k{i}"] = on_scalars.get(i, s.kernel)
                if i in on_scalars:
                    args = [f"{a}_s" if a in as_scalars else a for a in args]
                emit(i, indent, f"k{i}({', '.join(args)})", outs)

        def merge(m, value, pos, indent):
            """A Merge of its live input `value` (argument `pos`): the value and, when read, its index."""
            out = g.steps[m].outs
            emit(m, indent, value, out[:1])
            if (m, 1) in used:
                kernels[f"k{m}"] = g.steps[m].kernel
                emit(m, indent, f"k{m}({value}, {pos})[1]", out[1:])

        needed = self._needed()
        deferred = self._deferred_products(needed) if passes.DEFERRED_PRODUCTS in enabled else {}
        products = {i for _, _, _, chain in deferred.values() for i in chain}
        narrowed = (self._narrowed_products(needed, products | set(deferred))
                    if passes.NARROWED_PRODUCTS in enabled else {})
        narrowed_by_product = {p: (b_axis, bounds[outs[0]], bounds[outs[-1] + 1])
                               for p, b_axis, _, outs, bounds in narrowed.values()}

        def run(part, indent, going_on):
            for i in part:
                if i not in needed:
                    continue
                if g.kind(i) == "switch":  # its one live output
                    call(i, indent, outs=(g.steps[i].outs[1 if going_on else 0],))
                elif i in hoisted or i in products:
                    continue  # a deferred product is computed by its Add's line
                elif i in deferred:
                    _, p, acc_pos, _ = deferred[i]
                    operands = ", ".join(g.args[p])
                    emit(i, indent, f"_d{i}.add_product({g.args[i][acc_pos]}, {operands})", g.steps[i].outs)
                elif i in narrowed_by_product:  # the product of the columns read
                    b_axis, start, stop = narrowed_by_product[i]
                    kernels[f"k{i}"] = g.steps[i].kernel
                    a, b = g.args[i]
                    emit(i, indent, f"_narrowed_product(k{i}, {a}, {b}, {b_axis}, {start}, {stop})",
                         g.steps[i].outs)
                elif i in narrowed:  # the outputs read, as slices of the narrowed product
                    _, _, value, outs, bounds = narrowed[i]
                    start = bounds[outs[0]]
                    for j in outs:
                        emit(i, indent, f"{value}[:, {bounds[j] - start}:{bounds[j + 1] - start}]",
                             (g.steps[i].outs[j],))
                else:
                    call(i, indent)

        # A Const in the loop (run each iteration for its control edge from the pivot) gives the same value
        # every time: computed once, before the loop.
        hoisted = {i for i in self.going_on + self.before + self.ending
                   if g.steps[i].op.op_def.constant and not g.args[i] and g.steps[i].kernel is not None
                   and i in needed}
        # Ops of scalar output with numpy-scalar operators (pass `scalar_operators`); the values they
        # read that stay the same through the loop, as numpy scalars once before it.
        on_scalars = {}
        if passes.SCALAR_OPERATORS in enabled:
            for i in needed - hoisted - products - set(deferred):
                s, fast = g.steps[i], g.steps[i].op.op_def.on_scalars
                if (fast is not None and s.kernel is s.op.op_def.kernel and len(s.outs) == 1
                        and s.op.outputs[0].shape.ndims == 0 and not any(r for _, _, r in s.args)):
                    on_scalars[i] = scalar_first(s.kernel, fast)
        invariant = set(external) | {name for i in hoisted | set(self.enters) for name in g.steps[i].outs}
        as_scalars = sorted({name for i in on_scalars for name in g.args[i] if name in invariant})
        for i in sorted(hoisted):
            call(i, 4)
        for e in self.enters:
            call(e, 4)
        for m, (enter, pos), _ in self.merges:
            merge(m, g.steps[enter].outs[0], pos, 4)
        for name in as_scalars:
            lines.append(f"    {name}_s = _as_scalar({name})")
        for add, (_, p, _, _) in deferred.items():
            kernels[f"k{p}"], kernels[f"k{add}"] = g.steps[p].kernel, g.steps[add].kernel
            kernels[f"_hint{add}"] = [0]
            emit(add, 4, f"_DeferredProducts(k{p}, k{add}, _hint{add})", (f"_d{add}",))
        lines.append("    while True:")
        run(self.before, 8, True)
        lines.append(f"        if not {g.steps[self.pred].outs[0]}:")
        lines.append("            break")
        run(self.going_on, 8, True)
        for m, _, (nxt, pos) in self.merges:
            merge(m, g.steps[nxt].outs[0], pos, 8)
        for add, (m, _, _, _) in deferred.items():  # the products held, into the value the loop sends out
            value = g.steps[m].outs[0]
            emit(add, 4, f"_d{add}.flush({value})", (value,))
        run(self.ending, 4, False)
        if not step.outs:
            lines.append("    return None")
        elif len(step.outs) == 1:
            lines.append(f"    return {step.outs[0]}")
        else:
            lines.append(f"    return ({', '.join(step.outs)},)")
        code = (f"def _factory({', '.join(kernels)}):\n def _frame({', '.join(external)}):\n"
                + "\n".join(" " + line for line in lines) + "\n return _frame\n")
        namespace = {"_read": read, "_frame_step": step, "_DeferredProducts": DeferredProducts,
                     "_narrowed_product": narrowed_product, "_as_scalar": as_scalar}
        exec(compile(code, FILENAME, "exec"), namespace)  # noqa: S102 - our own generated code
        step.kernel = namespace["_factory"](*kernels.values())
        step.code = code
        step.line_ops = {k + 2: v for k, v in line_ops.items()}
        return step
