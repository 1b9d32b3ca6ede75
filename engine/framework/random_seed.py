"""Graph- and op-level random seeds (`tf.set_random_seed`), with TF 2.x's rules in v1 graph mode.

* graph seed set, op seed None  -> op seed = how many such ops the graph has seeded before (0, 1, 2, ...)
* graph seed None, op seed set  -> graph seed = 87654321 (TF's DEFAULT_GRAPH_SEED)
* both None                     -> (None, None): the kernel draws a fresh key from the OS
* (0, 0) would mean "unseeded" to the kernels, so it becomes (0, 2**31 - 1)

The pair becomes the op's `seed`/`seed2` attrs, which key its Philox stream (engine/ops/philox.py).
The counter is TF 2.x's per-graph count of seed requests, not TF 1.x's op count: the op count also
moves with every Const an op builds, the request count only with random ops, and TF 2.21 uses the latter.
"""

from __future__ import annotations

import weakref

from engine.framework import ops

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1

# Per-graph count of op seeds handed out without an explicit op seed.
_graph_to_seed_count = weakref.WeakKeyDictionary()


def _truncate_seed(seed):
    return seed % _MAXINT32


def get_seed(op_seed):
    """(graph_seed, op_seed) for a new random op, following TF."""
    graph = ops.get_default_graph()
    graph_seed = graph.seed
    if graph_seed is not None:
        if op_seed is None:
            op_seed = _graph_to_seed_count.setdefault(graph, 0)
            _graph_to_seed_count[graph] += 1
        seeds = _truncate_seed(graph_seed), _truncate_seed(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
    else:
        seeds = None, None
    # (0, 0) means "nondeterministic" to the kernels; TF avoids handing it out for explicit seeds.
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def set_random_seed(seed):
    """Sets the default graph's random seed."""
    ops.get_default_graph().seed = seed
