"""Kernels bound to what a plan knows (pass `bound_kernels`).

An op type with a `bind` (see engine/framework/registry.py) gets the input values the plan already
knows and may return a kernel specialised to them, which takes only the other inputs: `ApplyAdam`
converts its hyper-parameters once, reductions normalise their axes once.  Otherwise (or if binding
fails, so that the general kernel raises at run time, naming the node) every input is passed to the
session's compiled kernel.
"""

from __future__ import annotations


def bind(runtime, op, known, fed):
    """The op's kernel for this plan, the indices of the inputs the plan passes to it, and the known
    input values it was bound to."""
    inputs = op.inputs
    bind_fn = op.op_def.bind
    if bind_fn is not None:
        consts = {i: known[t] for i, t in enumerate(inputs) if t in known and t not in fed}
        if consts:
            kernel = try_bind(bind_fn, op, runtime, consts, None)
            if kernel is not None:
                return kernel, [i for i in range(len(inputs)) if i not in consts], consts
    return unbound(runtime, op)


def unbound(runtime, op):
    """`bind`'s answer with the pass off: the compiled kernel, given every input."""
    return runtime.kernel(op), range(len(op.inputs)), {}


def try_bind(bind_fn, op, runtime, consts, donated):
    """`bind_fn(op, runtime, consts, donated)`, or None when it fails (the general kernel then reports
    the problem when the plan runs)."""
    try:
        return bind_fn(op, runtime, consts, donated)
    except Exception:  # noqa: BLE001 - the general kernel reports the problem when the plan runs
        return None
