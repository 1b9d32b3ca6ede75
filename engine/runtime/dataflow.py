"""The dataflow executor: plans holding TF1 control flow (Switch/Merge/Enter/Exit/NextIteration).

A step runs when its inputs have arrived, as in TF's executor, and every value travels with a *tag*:
the frames it lives in, as a tuple of (frame name, iteration) pairs from the outermost (`()` is the
root).  What the frame ops (registry flag `control_flow`) do to values and tags:

* a Switch passes its data on to one output; the other output is *dead*;
* a step with a dead input (data or control) does not run and its outputs are dead, so only the taken
  branch of a cond runs; a Merge takes the first live input and is dead only when all of its inputs of
  this iteration are dead (iteration 0 of a loop counts its Enter inputs, later ones its NextIteration
  inputs);
* an Enter moves a value into iteration 0 of a child frame (tag + ((frame, 0),)); a constant Enter
  (`is_constant`, the loop invariants) into every iteration of it, including ones started later;
* a ControlTrigger is never dead: it runs once all its inputs have arrived, dead or live;
* a NextIteration moves a live value to the next iteration (a dead one ends there, as in TF); an Exit
  moves a live value out to the parent.  A dead Exit is passed on only when the frame can do nothing
  more and the Exit never had a live value (a loop inside an untaken cond branch).

Values bound before the run (and feeds) belong to every frame.  The executor runs the program as
lowered with no passes (each op one kernel call, every control edge kept), since the passes assume
straight-line code: the planner hands it only plans with frame ops, so other graphs keep the
straight-line executor.  The one pass here is `frame_compilation` (frame_compile.py): a loop that needs
no dead tensors becomes one step of the root frame running the whole loop as generated code.  When that
leaves no frame op in the root frame (every loop compiled, no cond), nothing can be dead and the root's
steps run as straight-line code (straight_line.py) rather than through this executor.
"""

from __future__ import annotations

import collections

import numpy as np

from engine.framework import errors
from engine.runtime import frame_compile, lowering, passes, straight_line
from engine.runtime.state import VariableCell, read, to_output

_DEAD = object()


class _Step:
    __slots__ = (
        "index",
        "op",
        "kernel",
        "kind",
        "args",
        "outs",
        "refs",
        "n_wait",
        "n_data",  # how many arguments steps produce
        "frame",
        "constant",
        "next_iter_inputs",
        "reads_refs",  # some argument is a variable cell to read first (never for a Merge)
        "returned",  # some output is a value the plan returns
        # Precomputed so that an arrival costs no lookups by name (the per-op overhead of a loop):
        "template",  # the arguments no step produces, bound ones filled in, produced ones _DEAD
        "fed_slots",  # (position, name) of the arguments read from the run's feeds
        "lone",  # one argument, produced by a step: an arrival's value is the whole argument list
        "direct",  # one wait and not a Merge: an arrival makes it ready, with no pending entry
        "out_edges",  # per output: ((consumer step, argument position), ...)
        "control_edges",  # the steps this one is a control input of
        "dead_outs",  # what a dead run of it emits
    )


class Compiled:
    """A dataflow plan: `fn(*feeds)` runs it; `failing_op(exc)` names the op whose kernel raised."""

    __slots__ = (
        "fn",
        "steps",
        "results",
        "single",
        "bound",
        "fed_refs",
        "initial",
        "frame_steps",  # the loops compiled to one step each (frame_compile.py)
        "line_plan",  # the straight-line plan running the root frame, when nothing in it can be dead
    )

    @property
    def frames(self):
        """The names of the frames compiled to one step each."""
        return tuple(s.name for s in self.frame_steps)

    @property
    def code(self):
        """The generated source of the compiled frames ("" when every op is interpreted)."""
        return "".join(s.code for s in self.frame_steps)

    def failing_op(self, exc):
        if self.line_plan is not None:  # the innermost compiled loop's line, else the root's
            return frame_compile.failing_op(exc) or self.line_plan.failing_op(exc)
        return getattr(exc, "_engine_failing_op", None)


def compile_program(program, enabled=passes.ALL, elide=True):
    """The Program (lowered with no passes) as a `Compiled` dataflow plan.  Of the `enabled` passes,
    `frame_compilation` makes each plain while loop one step (frame_compile.py), else every op of every
    iteration is interpreted; the loop passes (`deferred_products`, `narrowed_products`,
    `scalar_operators`) apply to the compiled loops.  `elide` binds Consts and variables and aliases
    pass-through ops rather than running them; a traced plan keeps them, as TF's step stats list every
    node its executor ran."""
    c = Compiled()
    c.bound = dict(program.bound)
    c.fed_refs = list(program.fed_refs)
    c.results = list(program.results)
    c.single = program.single
    producer = {}  # value name -> (step index, output index)
    step_of_op = {}
    steps = []
    kept, alias = _elide(program.steps, c.bound) if elide else (list(program.steps), {})
    c.results = [None if name is None else _resolve(alias, name) for name in c.results]
    returned = set(c.results)
    if passes.FRAME_COMPILATION in enabled:
        kept = frame_compile.compile_frames(kept, lambda s: [_resolve(alias, name) for _, name, _ in s.args],
                                            enabled)
    c.frame_steps = tuple(s for s in kept if isinstance(s, frame_compile.FrameStep))
    c.line_plan = None
    if not any(not isinstance(s, frame_compile.FrameStep) and s.op.op_def.control_flow for s in kept):
        # Every loop compiled and no cond: nothing can be dead, so the root frame is straight-line code.
        c.line_plan = _straight_line(kept, alias, program, c.bound)
        if c.line_plan is not None:
            c.fn = c.line_plan.fn
            return c
    control_inputs = {}  # step -> the ops it waits for
    for i, s in enumerate(kept):
        st = _Step()
        st.index = i
        st.outs = s.outs
        st.args = [_resolve(alias, name) for _, name, _ in s.args]
        if isinstance(s, frame_compile.FrameStep):  # a whole loop, run as one kernel of the root frame
            st.op = None
            st.kind = ""
            st.kernel = s.kernel
            st.refs = [False] * len(st.args)
            step_of_op.update(dict.fromkeys(s.members, i))
            control_inputs[st] = s.control_inputs
        else:
            st.op = s.op
            st.kind = s.op.op_def.control_flow
            step_of_op[s.op] = i
            control_inputs[st] = s.op.control_inputs
            if s.kernel is None:  # a variable read: one ref argument
                st.kernel = read
                st.refs = [False]
            else:
                st.kernel = s.kernel
                st.refs = [is_ref for _, _, is_ref in s.args]
        st.reads_refs = any(st.refs) and st.kind != "merge"  # a Merge's arguments are (value, index)
        st.returned = any(name in returned for name in s.outs)
        st.frame = s.op._get_attr_or("frame_name", "") if st.kind == "enter" else ""
        st.constant = bool(s.op._get_attr_or("is_constant", False)) if st.kind == "enter" else False
        st.dead_outs = (_DEAD,) * max(len(s.outs), 1)
        for j, name in enumerate(s.outs):
            producer[name] = (i, j)
        steps.append(st)
    consumers = collections.defaultdict(list)  # (step, output) -> [(step, arg position)]
    control_consumers = collections.defaultdict(list)  # step -> [steps it is a control input of]
    for st in steps:
        waits = 0
        data_waits = []
        for pos, name in enumerate(st.args):
            src = producer.get(name)
            if src is not None:
                consumers[src].append((st, pos))
                waits += 1
                data_waits.append(pos)
        controls = [step_of_op[c] for c in control_inputs[st] if c in step_of_op]
        for c_index in controls:
            control_consumers[c_index].append(st)
        st.n_wait = waits + len(controls)
        st.n_data = waits
        st.template = [
            _DEAD if pos in data_waits else c.bound.get(name, _DEAD) for pos, name in enumerate(st.args)
        ]
        st.fed_slots = tuple(
            (pos, name) for pos, name in enumerate(st.args) if pos not in data_waits and name not in c.bound
        )
        st.lone = len(st.args) == 1 and data_waits == [0]
        st.direct = st.n_wait == 1 and st.kind != "merge"
        st.next_iter_inputs = 0
        if st.kind == "merge":
            st.next_iter_inputs = sum(
                1 for pos in data_waits if steps[producer[st.args[pos]][0]].kind == "next_iteration"
            )
    for st in steps:
        st.out_edges = tuple(tuple(consumers.get((st.index, j), ())) for j in range(len(st.outs)))
        st.control_edges = tuple(control_consumers.get(st.index, ()))
    c.steps = steps
    c.initial = [st for st in steps if st.n_wait == 0]
    c.fn = np.errstate(all="ignore")(lambda *feeds: _Run(c, feeds).run())
    return c


def _straight_line(kept, alias, program, bound):
    """The root frame's steps (ops and compiled loops, no frame op left) as a straight-line plan
    (straight_line.py), in the order this executor would run them (`executor_order`; a loop's step
    sits where its first op was, which may precede what its later Enters read).  None if they hold a
    cycle."""
    producer = {name: i for i, s in enumerate(kept) for name in s.outs}
    step_of_op = {}
    for i, s in enumerate(kept):
        for op in s.members if isinstance(s, frame_compile.FrameStep) else (s.op,):
            step_of_op[op] = i
    waits_on = []
    for s in kept:
        controls = s.control_inputs if isinstance(s, frame_compile.FrameStep) else s.op.control_inputs
        names = {_resolve(alias, name) for _, name, _ in s.args}
        waits_on.append({producer[name] for name in names if name in producer}
                        | {step_of_op[op] for op in controls if op in step_of_op})
    line = lowering.Program()
    line.n_feeds = program.n_feeds
    line.fed_refs = list(program.fed_refs)
    line.bound = dict(bound)
    line.single = program.single
    line.results = [None if name is None else _resolve(alias, name) for name in program.results]
    order = executor_order(waits_on)
    if len(order) < len(kept):  # a cycle outside the loops: the executor's to report
        return None
    for i in order:
        s = kept[i]
        args = [(pos, _resolve(alias, name), is_ref) for pos, name, is_ref in s.args]
        if isinstance(s, frame_compile.FrameStep):
            line.steps.append(lowering.Step(None, s.kernel, f"_loop{i}", args, s.outs, {}))
        else:
            line.steps.append(lowering.Step(s.op, s.kernel, s.kernel_name, args, s.outs, s.consts))
    return straight_line.compile_program(line)


def executor_order(waits_on):
    """The indices of a DAG's nodes ({node: the nodes it waits on}, a list of sets) in the order this
    executor (as TF's) runs them: each once what it waits on has run, those ready first first, ties by
    index.  A read of a variable that nothing orders against a write of it in the same run comes first
    (a metric's value fetched with its update op), where a depth-first order from the fetches may put it
    after.  Shorter than the nodes when they hold a cycle."""
    consumers = collections.defaultdict(list)
    waits = [len(w) for w in waits_on]
    for i, w in enumerate(waits_on):
        for p in w:
            consumers[p].append(i)
    ready = collections.deque(i for i, n in enumerate(waits) if not n)
    order = []
    while ready:
        i = ready.popleft()
        order.append(i)
        for c in consumers[i]:
            waits[c] -= 1
            if not waits[c]:
                ready.append(c)
    return order


def _elide(program_steps, bound):
    """The steps left to run once the ones with a fixed value are bound (a Const's value, a variable's
    cell) and the pass-through ones (Identity of a value) are aliases of their input, as the straight-line
    plans' `kernel_elision` does -- here only for ops with no control edge in the plan either way, since
    control edges carry deadness.  Returns (steps, {alias: name})."""
    in_plan = {s.op for s in program_steps}
    controlling = {c for s in program_steps for c in s.op.control_inputs if c in in_plan}
    kept, alias = [], {}
    for s in program_steps:
        op = s.op
        definition = op.op_def
        if op in controlling or any(c in in_plan for c in op.control_inputs) or s.kernel is None:
            kept.append(s)
        elif (definition.constant or definition.variable) and not s.args:
            bound[s.outs[0]] = s.kernel()  # the same value (or cell) on every run of this session
        elif definition.pass_through and len(s.args) == 1 and not op.inputs[0].dtype.is_ref_dtype:
            alias[s.outs[0]] = s.args[0][1]
        else:
            kept.append(s)
    return kept, alias


def _resolve(alias, name):
    while name in alias:
        name = alias[name]
    return name


class _Run:
    """One run of a dataflow plan.  Queued work is (step, tag, arguments, any input dead)."""

    def __init__(self, plan, feeds):
        self.plan = plan
        env = dict(plan.bound)
        for i, value in enumerate(feeds):
            env[f"f{i}"] = value
        for name, i, var_name in plan.fed_refs:
            env[name] = VariableCell(var_name, feeds[i])
        self.env = env
        self.pending = {}  # (step, tag) -> [waits left, args, any dead]; a Merge's: [waits, dead inputs]
        self.ready = collections.deque()
        self.results = {}
        self.invariants = collections.defaultdict(list)  # (parent tag, frame) -> [(step, output, value)]
        self.iterations = collections.defaultdict(int)  # (parent tag, frame) -> newest iteration started
        self.dead_exits = {}  # (step, parent tag) -> True when still dead (no live value came)
        self.merged = set()  # (merge step, tag) that fired

    def run(self):
        plan = self.plan
        env = self.env
        ready = self.ready
        pop = ready.popleft
        for st in plan.initial:
            ready.append((st, (), [env[name] for name in st.args], False))
        while True:
            while ready:
                st, tag, args, dead = pop()
                kind = st.kind
                if dead and kind != "control_trigger":  # a ControlTrigger runs whatever its inputs
                    if kind:
                        self._emit(st, tag, st.dead_outs, True)
                    else:
                        self._send(st, tag, st.dead_outs, True)
                    continue
                try:
                    if st.reads_refs:
                        refs = st.refs
                        values = st.kernel(*[read(a) if r else a for a, r in zip(args, refs, strict=True)])
                    else:
                        values = st.kernel(*args)
                except Exception as e:
                    try:  # a compiled frame's step names the op of its failing line itself
                        e._engine_failing_op = st.op if st.op is not None else frame_compile.failing_op(e)
                    except AttributeError:
                        pass
                    raise
                if kind == "switch":
                    taken = bool(np.asarray(args[1]))
                    self._emit(st, tag, (_DEAD, values) if taken else (values, _DEAD), False)
                    continue
                n = len(st.outs)
                if n == 1:
                    values = (values,)
                elif not n:
                    values = (None,)
                elif values.__class__ is not tuple and values.__class__ is not list:
                    values = tuple(values)  # an array or an iterator: _send goes over it more than once
                if kind:
                    self._emit(st, tag, values, False)
                else:
                    self._send(st, tag, values, False)
            late = [key for key, still in self.dead_exits.items() if still]
            if not late:
                break
            for key in late:
                del self.dead_exits[key]
                st, parent = key
                self._send(st, parent, (_DEAD,), True)
        out = []
        fetched = {}  # a tensor fetched twice is handed out as one array, as TF does
        for name in plan.results:
            if name is None:
                out.append(None)
            elif name in fetched:
                out.append(fetched[name])
            else:
                value = self.env[name] if name in self.env else self.results.get(name, _DEAD)
                if value is _DEAD:
                    raise errors.InvalidArgumentError(
                        None, None, f"Retval[{plan.results.index(name)}] does not have value"
                    )
                out.append(fetched.setdefault(name, to_output(value)))
        return out[0] if plan.single else tuple(out)

    # --- arrivals ----------------------------------------------------------------------------------------
    def _args(self, st):
        """A fresh argument list for `st`: what no step produces filled in, the rest _DEAD."""
        args = st.template.copy()
        if st.fed_slots:
            self._fill_fed(st, args)
        return args

    def _fill_fed(self, st, args):
        env = self.env
        for pos, name in st.fed_slots:
            args[pos] = env.get(name, _DEAD)

    def _waits(self, st, tag):
        """How many of a Merge's data inputs arrive in this iteration: iteration 0 of a loop counts its
        Enter inputs, later ones its NextIteration inputs (control inputs only order a Merge)."""
        if not st.next_iter_inputs:
            return st.n_data
        first = not tag or tag[-1][1] == 0
        return st.n_data - st.next_iter_inputs if first else st.next_iter_inputs

    def _arrive_merge(self, st, pos, tag, value, dead):
        key = (st, tag)
        if pos is None or key in self.merged:  # control inputs of a Merge only order it
            return
        if not dead:
            self.merged.add(key)
            self.pending.pop(key, None)
            self.ready.append((st, tag, (value, pos), False))
            return
        entry = self.pending.get(key)
        if entry is None:
            entry = self.pending[key] = [self._waits(st, tag), 0]
        entry[1] += 1
        if entry[1] >= entry[0]:
            self.merged.add(key)
            del self.pending[key]
            self.ready.append((st, tag, None, True))

    # --- sending a step's outputs ------------------------------------------------------------------------
    def _emit(self, st, tag, values, dead):
        """Sends a frame op's outputs (and its control signal) to its consumers, in the right frame."""
        kind = st.kind
        if kind == "enter":
            parent = tag
            tag = tag + ((st.frame, 0),)
            if st.constant:
                frame = (parent, st.frame)
                self.invariants[frame].append((st, values[0], dead))
                for it in range(1, self.iterations[frame] + 1):
                    self._send(st, tag[:-1] + ((st.frame, it),), values, dead)
        elif kind == "next_iteration":
            if dead:
                return  # deadness ends at the back edge
            frame_name, it = tag[-1]
            parent = tag[:-1]
            tag = parent + ((frame_name, it + 1),)
            frame = (parent, frame_name)
            if it + 1 > self.iterations[frame]:
                self.iterations[frame] = it + 1
                for enter, value, enter_dead in self.invariants[frame]:
                    self._send(enter, tag, (value,), enter_dead)
        elif kind == "exit" and tag:
            key = (st, tag[:-1])
            if dead:
                self.dead_exits.setdefault(key, True)
                return
            self.dead_exits[key] = False
            tag = tag[:-1]
        self._send(st, tag, values, dead)

    def _send(self, st, tag, values, dead):
        """Delivers `values` (one per output) and the control signal of `st` in frame `tag`: a step with
        one wait is ready at once, others collect their arrivals in a pending entry, a Merge fires on its
        first live input.  This runs once per edge of every executed step, hence all of it inline."""
        if st.returned and not tag:
            for name, value in zip(st.outs, values, strict=False):
                if value is not _DEAD:
                    self.results[name] = value
        ready = self.ready
        pending = self.pending
        for edges, value in zip(st.out_edges, values, strict=False):  # no outputs: values is (None,)
            value_dead = value is _DEAD
            for target, pos in edges:
                if target.direct:
                    if target.lone:
                        args = [value]
                    else:
                        args = target.template.copy()
                        if target.fed_slots:
                            self._fill_fed(target, args)
                        args[pos] = value
                    ready.append((target, tag, args, value_dead))
                elif target.kind == "merge":
                    self._arrive_merge(target, pos, tag, value, value_dead)
                else:
                    key = (target, tag)
                    entry = pending.get(key)
                    if entry is None:
                        entry = pending[key] = [target.n_wait, self._args(target), False]
                    entry[1][pos] = value
                    if value_dead:
                        entry[2] = True
                    entry[0] -= 1
                    if not entry[0]:
                        del pending[key]
                        ready.append((target, tag, entry[1], entry[2]))
        for target in st.control_edges:  # control inputs of a Merge only order it: nothing to do
            if target.direct:
                ready.append((target, tag, self._args(target), dead))
            elif target.kind != "merge":
                key = (target, tag)
                entry = pending.get(key)
                if entry is None:
                    entry = pending[key] = [target.n_wait, self._args(target), False]
                if dead:
                    entry[2] = True
                entry[0] -= 1
                if not entry[0]:
                    del pending[key]
                    ready.append((target, tag, entry[1], entry[2]))
