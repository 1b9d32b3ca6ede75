"""Buffer forwarding (pass `buffer_forwarding`), as TF's kernels do it (`forward_input_or_allocate_output`).

An op whose type lists an input in `forward` (see engine/framework/registry.py) is bound to a kernel
that may write into that input's buffer -- its result, or its scratch -- when nothing can see the buffer
any more.  The input must be

* the output of a `fresh` kernel (its own new array, not a view, a feed, a constant or a variable),
* read by this op last, once, and otherwise only by `fresh` kernels (none of which can have made a
  view of it), and not fetched,
* of the op's output's shape, known now and not a scalar, and of its dtype, a floating one.

A bias add or relu after a MatMul, a gradient's ReluGrad, then allocate nothing, and ApplyAdam uses
its dead gradient as scratch: the step touches the memory of a hand-written numpy step that updates
in place.  Only the kernel bound to the step changes; values are the same (the same ufunc calls).
"""

from __future__ import annotations

import collections

from engine.runtime.binding import try_bind


def forward_buffers(runtime, steps, returned, oracle, known):
    """Rebinds the kernels of the `steps` (lowering.Step) that can reuse a dead input's buffer; returns
    {step index: the name of the value whose buffer that step reuses}.  `returned` holds the names the
    plan returns."""
    readers, owned = collections.defaultdict(list), set()
    for i, step in enumerate(steps):
        for _, name, _ in step.args:
            readers[name].append(i)
        if step.op.op_def.fresh:
            owned.update(step.outs)
    forwarded = {}
    for i, step in enumerate(steps):
        op = step.op
        definition = op.op_def
        outs = op.values()
        if step.kernel_name is None or not definition.forward or len(outs) != 1:
            continue
        out = outs[0]
        out_shape = oracle.shape(out, known)
        if not out_shape or not out.dtype.is_floating:
            continue
        inputs = {index: name for index, name, _ in step.args}
        for index in definition.forward:
            name = inputs.get(index)
            if name not in owned or name in returned or readers[name][-1] != i or readers[name].count(i) != 1:
                continue
            t = op.inputs[index]
            if (t.dtype.base_dtype != out.dtype.base_dtype or oracle.shape(t, known) != out_shape
                    or not all(steps[j].op.op_def.fresh for j in readers[name][:-1])):
                continue
            kernel = try_bind(definition.bind, op, runtime, step.consts, index)
            if kernel is not None:
                step.kernel = kernel
                forwarded[i] = name
                break
    return forwarded
