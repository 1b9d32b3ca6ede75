"""Plan-time constant folding (pass `constant_folding`).

A pure op whose inputs are all known when the plan is built (Const values or other folded ops) is
evaluated once, then, and its outputs are bound as constants, like Grappler's constant folding -- in the
plan only; the graph and its GraphDef stay as built.  An op is folded only when its kernel succeeds
without a warning, so an op that would fail keeps its step (and its error, naming the node) in the plan.
Results above TF's 10 MiB folding limit are computed per run.
"""

from __future__ import annotations

import warnings

import numpy as np

FOLD_MAX_BYTES = 10 << 20


def fold(runtime, op, known):
    """The op's output values computed now, or None when it must run with the plan."""
    definition = op.op_def
    outs = op.values()
    if (definition.stateful or definition.ref_inputs or definition.ref_output or not outs
            or definition.must_feed):  # a must_feed kernel is the "must feed" error
        return None
    args = []
    for t in op.inputs:
        if t not in known:
            return None
        args.append(known[t])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="ignore"):
                result = runtime.kernel(op)(*args)
    except Exception:  # noqa: BLE001 - it will raise again, at run time, with the node named
        return None
    if len(outs) == 1:
        values = (result,)
    else:
        try:
            values = tuple(result)
        except TypeError:
            return None
        if len(values) != len(outs):
            return None
    for v in values:
        if not isinstance(v, (np.ndarray, np.generic, bytes)) or getattr(v, "nbytes", 0) > FOLD_MAX_BYTES:
            return None
    return values
