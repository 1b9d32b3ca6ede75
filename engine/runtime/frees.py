"""Last-use frees (pass `last_use_frees`): each intermediate value is released by the step that reads
it last, as TF's executor frees tensors, so the next allocation of that size reuses memory still in
cache: this keeps the working set of a training step close to that of the same step written by hand
with numpy."""

from __future__ import annotations

import collections


def last_uses(steps, returned):
    """{step index: the names of the values nothing reads after that step} (not the `returned` ones)."""
    last = {}
    for i, step in enumerate(steps):
        for name in step.outs:
            last[name] = i
        for _, name, _ in step.args:
            if name in last:
                last[name] = i
    dead = collections.defaultdict(list)
    for name, i in last.items():
        if name not in returned:
            dead[i].append(name)
    return dict(dead)
