"""Graph- and op-level random seeds (`tf.set_random_seed`), with TF 1.x's rules.

* graph seed set, op seed None  -> op seed = the graph's op counter at creation (deterministic per program)
* graph seed None, op seed set  -> graph seed = 87654321 (TF's DEFAULT_GRAPH_SEED)
* both None                     -> (None, None): the kernel draws fresh entropy

Ops then carry `seed`/`seed2` attrs; the session seeds one numpy Generator per (session, op) from them, so
runs are repeatable with seeds set.  The numbers are numpy's, not TensorFlow's Philox stream.
"""

from __future__ import annotations

from engine.framework import ops

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


def _truncate_seed(seed):
    return seed % _MAXINT32


def get_seed(op_seed):
    """(graph_seed, op_seed) for a new random op, following TF 1.x."""
    graph = ops.get_default_graph()
    graph_seed = graph.seed
    if graph_seed is not None:
        if op_seed is None:
            op_seed = graph._last_id
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
