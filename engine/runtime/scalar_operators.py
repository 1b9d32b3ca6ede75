"""A compiled loop's scalar arithmetic on numpy's scalar operators (the plan pass `scalar_operators`).

A loop's counters are numpy scalars, added to and compared every iteration: an LSTM's training step runs
~400 such ops (`i + 1`, `i < n`, `Less & Less`; bench/rnn_step.py).  A ufunc call on numpy scalars takes
~1.5 us, mostly its setup (finding the loop, wrapping the result); Python's operator on them takes
~0.1 us through numpy's scalar math, which runs the same loops with the same type promotion, so the
values are the same bit for bit.  An op type declares its operator (registry flag `on_scalars`); for an
op of scalar output a compiled loop calls `scalar_first(kernel, operator)`, and hands it the frame's
invariant inputs (a Const, the loop's bound) as numpy scalars rather than 0-d arrays, converted once
per run by `as_scalar`.
"""

from __future__ import annotations

import numpy as np

NUMPY_SCALARS = frozenset((np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                           np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128))


def scalar_first(kernel, operator):
    """kernel(a, b), by `operator` when both are numpy scalars of the types above (not Python's own
    numbers, whose arithmetic differs: unbounded ints, double floats)."""
    scalars = NUMPY_SCALARS

    def on_scalars(a, b):
        if a.__class__ in scalars and b.__class__ in scalars:
            return operator(a, b)
        return kernel(a, b)

    return on_scalars


def as_scalar(value):
    """A 0-d array's value as a numpy scalar; anything else as it is."""
    return value[()] if value.__class__ is np.ndarray and not value.ndim else value
