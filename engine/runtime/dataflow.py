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
straight-line executor.
"""

from __future__ import annotations

import collections

import numpy as np

from engine.framework import errors
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
        "data_waits",
        "frame",
        "constant",
        "next_iter_inputs",
        "reads_refs",  # some argument is a variable cell to read first
        "returned",  # some output is a value the plan returns
    )


class Compiled:
    """A dataflow plan: `fn(*feeds)` runs it; `failing_op(exc)` names the op whose kernel raised."""

    __slots__ = (
        "fn",
        "steps",
        "consumers",
        "control_consumers",
        "results",
        "single",
        "bound",
        "fed_refs",
        "initial",
    )

    @property
    def code(self):
        raise AttributeError("a dataflow plan has no generated code (it holds control-flow ops)")

    def failing_op(self, exc):
        return getattr(exc, "_engine_failing_op", None)


def compile_program(program):
    """The Program (lowered with no passes) as a `Compiled` dataflow plan."""
    c = Compiled()
    c.bound = dict(program.bound)
    c.fed_refs = list(program.fed_refs)
    c.results = list(program.results)
    c.single = program.single
    producer = {}  # value name -> (step index, output index)
    step_of_op = {}
    steps = []
    kept, alias = _elide(program.steps, c.bound)
    c.results = [None if name is None else _resolve(alias, name) for name in c.results]
    returned = set(c.results)
    for i, s in enumerate(kept):
        st = _Step()
        st.index = i
        st.op = s.op
        st.kind = s.op.op_def.control_flow
        st.outs = s.outs
        st.args = [_resolve(alias, name) for _, name, _ in s.args]
        if s.kernel is None:  # a variable read: one ref argument
            st.kernel = read
            st.refs = [False]
        else:
            st.kernel = s.kernel
            st.refs = [is_ref for _, _, is_ref in s.args]
        st.reads_refs = any(st.refs)
        st.returned = any(name in returned for name in s.outs)
        st.frame = s.op._get_attr_or("frame_name", "") if st.kind == "enter" else ""
        st.constant = bool(s.op._get_attr_or("is_constant", False)) if st.kind == "enter" else False
        for j, name in enumerate(s.outs):
            producer[name] = (i, j)
        step_of_op[s.op] = i
        steps.append(st)
    consumers = collections.defaultdict(list)  # (step, output) -> [(step, arg position)]
    control_consumers = collections.defaultdict(list)  # step -> [steps it is a control input of]
    for st in steps:
        waits = 0
        data_waits = []
        for pos, name in enumerate(st.args):
            src = producer.get(name)
            if src is not None:
                consumers[src].append((st.index, pos))
                waits += 1
                data_waits.append(pos)
        controls = [step_of_op[c] for c in st.op.control_inputs if c in step_of_op]
        for c_index in controls:
            control_consumers[c_index].append(st.index)
        st.n_wait = waits + len(controls)
        st.data_waits = data_waits
        st.next_iter_inputs = 0
        if st.kind == "merge":
            st.next_iter_inputs = sum(
                1 for pos in data_waits if steps[producer[st.args[pos]][0]].kind == "next_iteration"
            )
    c.steps = steps
    c.consumers = dict(consumers)
    c.control_consumers = dict(control_consumers)
    c.initial = [st.index for st in steps if st.n_wait == 0]
    c.fn = np.errstate(all="ignore")(lambda *feeds: _Run(c, feeds).run())
    return c


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
    """One run of a dataflow plan."""

    def __init__(self, plan, feeds):
        self.plan = plan
        env = dict(plan.bound)
        for i, value in enumerate(feeds):
            env[f"f{i}"] = value
        for name, i, var_name in plan.fed_refs:
            env[name] = VariableCell(var_name, feeds[i])
        self.env = env
        self.pending = {}  # (step, tag) -> [waits left, args, any dead, dead data inputs]
        self.ready = collections.deque()
        self.results = {}
        self.invariants = collections.defaultdict(list)  # (parent tag, frame) -> [(step, output, value)]
        self.iterations = collections.defaultdict(int)  # (parent tag, frame) -> newest iteration started
        self.dead_exits = {}  # (step, parent tag) -> True when still dead (no live value came)
        self.merged = set()  # (merge step, tag) that fired

    def run(self):
        plan = self.plan
        for i in plan.initial:
            self._start(i, ())
        while True:
            while self.ready:
                index, tag, args, dead = self.ready.popleft()
                self._execute(plan.steps[index], tag, args, dead)
            late = [key for key, still in self.dead_exits.items() if still]
            if not late:
                break
            for key in late:
                del self.dead_exits[key]
                index, parent = key
                self._send(plan.steps[index], parent, [_DEAD], True)
        out = []
        for name in plan.results:
            if name is None:
                out.append(None)
                continue
            if name in self.env:
                out.append(to_output(self.env[name]))
                continue
            value = self.results.get(name, _DEAD)
            if value is _DEAD:
                raise errors.InvalidArgumentError(
                    None, None, f"Retval[{plan.results.index(name)}] does not have value"
                )
            out.append(to_output(value))
        return out[0] if plan.single else tuple(out)

    # --- arrivals ----------------------------------------------------------------------------------------
    def _entry(self, st, tag):
        key = (st.index, tag)
        entry = self.pending.get(key)
        if entry is None:
            env = self.env
            args = [
                env.get(name, _DEAD) if pos not in st.data_waits else _DEAD
                for pos, name in enumerate(st.args)
            ]
            entry = self.pending[key] = [self._waits(st, tag), args, False, 0]
        return key, entry

    def _waits(self, st, tag):
        if st.kind == "merge":  # the data inputs of this iteration; control inputs only order a Merge
            if not st.next_iter_inputs:
                return len(st.data_waits)
            first = not tag or tag[-1][1] == 0
            return len(st.data_waits) - st.next_iter_inputs if first else st.next_iter_inputs
        return st.n_wait

    def _start(self, index, tag):
        st = self.plan.steps[index]
        args = [self.env[name] for name in st.args]
        self.ready.append((index, tag, args, False))

    def _deliver(self, index, pos, tag, value, dead):
        st = self.plan.steps[index]
        if st.kind == "merge":
            self._deliver_merge(st, pos, tag, value, dead)
            return
        key, entry = self._entry(st, tag)
        if pos is not None:
            entry[1][pos] = value
        if dead:
            entry[2] = True
        entry[0] -= 1
        if entry[0] == 0:
            del self.pending[key]
            self.ready.append((index, tag, entry[1], entry[2]))

    def _deliver_merge(self, st, pos, tag, value, dead):
        key = (st.index, tag)
        if key in self.merged or pos is None:  # control inputs of a Merge only order it
            return
        if not dead:
            self.merged.add(key)
            self.pending.pop(key, None)
            self.ready.append((st.index, tag, (value, pos), False))
            return
        _, entry = self._entry(st, tag)
        entry[3] += 1
        if entry[3] >= entry[0]:
            self.merged.add(key)
            del self.pending[key]
            self.ready.append((st.index, tag, None, True))

    # --- running a step ----------------------------------------------------------------------------------
    def _execute(self, st, tag, args, dead):
        if dead and st.kind != "control_trigger":  # a ControlTrigger runs whatever its inputs
            self._emit(st, tag, [_DEAD] * max(len(st.outs), 1), True)
            return
        kind = st.kind
        try:
            if kind == "merge":
                values = st.kernel(*args)
            elif st.reads_refs:
                call = [read(a) if is_ref else a for a, is_ref in zip(args, st.refs, strict=True)]
                values = st.kernel(*call)
            else:
                values = st.kernel(*args)
        except Exception as e:
            try:
                e._engine_failing_op = st.op
            except AttributeError:
                pass
            raise
        if kind == "switch":
            taken = bool(np.asarray(args[1]))
            data = values
            self._emit(st, tag, [_DEAD, data] if taken else [data, _DEAD], False)
            return
        if len(st.outs) == 1:
            values = [values]
        elif not st.outs:
            values = [None]
        self._emit(st, tag, list(values), False)

    def _emit(self, st, tag, values, dead):
        """Sends the step's outputs (and its control signal) to its consumers, in the right frame."""
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
                    self._send(enter, tag, [value], enter_dead)
        elif kind == "exit" and tag:
            key = (st.index, tag[:-1])
            if dead:
                self.dead_exits.setdefault(key, True)
                return
            self.dead_exits[key] = False
            tag = tag[:-1]
        self._send(st, tag, values, dead)

    def _send(self, st, tag, values, dead):
        plan = self.plan
        index = st.index
        if not tag and st.returned:
            for name, value in zip(st.outs, values, strict=False):
                if value is not _DEAD:
                    self.results[name] = value
        consumers = plan.consumers
        for j, value in enumerate(values):
            for target, pos in consumers.get((index, j), ()):
                self._deliver(target, pos, tag, value, value is _DEAD)
        for target in plan.control_consumers.get(index, ()):
            self._deliver(target, None, tag, None, dead)
