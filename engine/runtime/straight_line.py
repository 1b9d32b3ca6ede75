"""The straight-line executor: a Program as one generated Python function.

Each step becomes one line (`v3 = k0(c0, v1)`, `v5 = _read(var2)`), the values bound before the run
are the closure of a factory function, and the function returns the targets' values.  Calling it
costs one Python call per kernel and nothing per op beyond that (see `bench/session_run.py`).  The
line number of a failing kernel call names its op (`failing_op`), so errors name their node.  This
executor needs a program without cycles or frames: plans with control flow (Switch/Merge/Enter/Exit/
NextIteration) go to the dataflow executor beside this one (dataflow.py).
"""

from __future__ import annotations

import numpy as np

from engine.runtime.state import VariableCell, read, to_output

FILENAME = "<plan>"


class Compiled:
    """A straight-line plan: `fn(*feeds)`, its `code` and {line number: op}."""

    __slots__ = ("fn", "code", "line_ops")

    def failing_op(self, exc):
        """The op whose line raised `exc` (the innermost plan line in its traceback), or None."""
        op = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == FILENAME:
                op = self.line_ops.get(tb.tb_lineno)
            tb = tb.tb_next
        return op


def compile_program(program):
    """The Program as a `Compiled` function of its feeds."""
    bound = dict(program.bound)
    prelude = []
    for name, i, var_name in program.fed_refs:
        bound[f"_Cell{i}"] = VariableCell
        prelude.append(f"    {name} = _Cell{i}({var_name!r}, f{i})")
    lines = []
    line_ops = {}
    for i, step in enumerate(program.steps):
        if step.kernel is None:
            ((_, name, _),) = step.args
            line = f"    {step.outs[0]} = _read({name})"
        else:
            bound[step.kernel_name] = step.kernel
            args = ", ".join(f"_read({name})" if is_ref else name for _, name, is_ref in step.args)
            call = f"{step.kernel_name}({args})"
            if not step.outs:
                line = f"    {call}"
            elif len(step.outs) == 1:
                line = f"    {step.outs[0]} = {call}"
            else:
                line = f"    {', '.join(step.outs)}, = {call}"
        dead = program.frees.get(i)
        if dead:
            line += f"; del {', '.join(dead)}"
        if i in program.forwarded:
            line += f"  # reuses {program.forwarded[i]}'s buffer"
        lines.append(line)
        line_ops[len(lines)] = step.op
    # A tensor fetched twice is handed out as one array, as TF does (`a, b = sess.run([t, t])`: a is b).
    named = [name for name in program.results if name is not None]
    twice = sorted({name for name in named if named.count(name) > 1})
    lines += [f"    _fetched_{name} = _out({name})" for name in twice]
    results = ["None" if name is None else f"_fetched_{name}" if name in twice else f"_out({name})"
               for name in program.results]
    params = ", ".join(f"f{i}" for i in range(program.n_feeds))
    header = 2 + len(prelude)  # "def _factory", "def _plan" and the prelude precede step line 1
    returned = results[0] if program.single else f"({', '.join(results)},)"
    body = prelude + lines + [f"    return {returned}"]
    source = "def _factory(" + ", ".join(bound) + "):\n" if bound else "def _factory():\n"
    code = source + f" def _plan({params}):\n" + "\n".join(" " + line for line in body) + "\n return _plan\n"
    namespace = {"_read": read, "_out": to_output}
    exec(compile(code, FILENAME, "exec"), namespace)  # noqa: S102 - our own generated straight-line code
    compiled = Compiled()
    # TF computes inf/nan silently; numpy would warn (an error under `-W error`).  errstate as a
    # decorator builds its state once, here, rather than on every run as a `with` block would.
    compiled.fn = np.errstate(all="ignore")(namespace["_factory"](*bound.values()))
    compiled.code = code
    compiled.line_ops = {k + header: v for k, v in line_ops.items()}
    return compiled
