"""What a session keeps from run to run: variable cells, random generators and compiled kernels."""

from __future__ import annotations

import threading
import weakref

import numpy as np

from engine.framework import errors
from engine.ops.philox import Philox

_ndarray = np.ndarray
_generic = np.generic


class VariableCell:
    """The storage of one variable in one session; ref inputs of kernels receive this object.

    `value` is the current ndarray (None until initialized).  Kernels may update it in place
    (`cell.value -= delta`) or replace it.  `read()` returns it or raises FailedPreconditionError.
    """

    __slots__ = ("value", "name")

    def __init__(self, name, value=None):
        self.name = name
        self.value = value

    def read(self):
        value = self.value
        if value is None:
            raise errors.FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {self.name}"
            )
        return value

    def __repr__(self):
        return f"<VariableCell {self.name!r} initialized={self.value is not None}>"


def read(cell):
    """`cell.read()` as a function: generated plans call it with one global lookup per ref read."""
    value = cell.value
    if value is None:
        raise errors.FailedPreconditionError(None, None, f"Attempting to use uninitialized value {cell.name}")
    return value


def to_output(x):
    """A fetched value as TF returns it: numpy scalars for rank 0, a fresh ndarray otherwise."""
    if type(x) is _ndarray:
        return x.copy() if x.ndim else x[()]
    if isinstance(x, _generic):
        return x
    if isinstance(x, VariableCell):
        return to_output(x.read())
    if isinstance(x, bytes):  # a string scalar: TF returns bytes
        return x
    return np.asarray(x)


class Runtime:
    """Per-session state: variable cells, random generators and compiled kernels.

    Kernels' `compile(op, runtime)` receive this object (see engine/framework/registry.py); kernels that
    run graph functions of their own (tf.data's map/filter) call `runtime.session.make_callable`."""

    def __init__(self, session=None):
        # A proxy: the session owns its runtime, and a kernel's reference must not keep the session alive.
        self.session = weakref.proxy(session) if session is not None else None
        self.cells = {}
        self.rngs = {}
        self.kernels = {}
        self.resources = {}
        self._resources_lock = threading.Lock()

    def cell(self, variable_op):
        """The `VariableCell` of a VariableV2 op (created empty on first use)."""
        cell = self.cells.get(variable_op)
        if cell is None:
            shared = variable_op._get_attr_or("shared_name", "") or variable_op.name
            cell = self.cells[variable_op] = VariableCell(shared)
        return cell

    def rng(self, op):
        """The op's Philox generator (engine/ops/philox.py), keyed by its seed/seed2 attrs (fresh OS
        entropy if both are 0), as TF's GuardedPhiloxRandom.

        Kept here rather than in the compiled kernel, so the stream continues across runs of one session
        (also when `forget_kernels` recompiles) and restarts in a new session, as TF's does.
        """
        gen = self.rngs.get(op)
        if gen is None:
            seed = int(op._get_attr_or("seed", 0))
            seed2 = int(op._get_attr_or("seed2", 0))
            gen = self.rngs[op] = Philox.from_attrs(seed, seed2)
        return gen

    def resource(self, key, make):
        """The session's resource under `key`, made by `make()` once even when threads of a queue-runner
        pipeline compile its op at the same time: a queue (engine/ops/queues.py), or state a kernel keeps
        for the session's life as a TF kernel object does (LearnedUnigramCandidateSampler's counts)."""
        with self._resources_lock:
            found = self.resources.get(key)
            if found is None:
                found = self.resources[key] = make()
            return found

    def close(self):
        """The session closed: resources that threads may be waiting on (queues) cancel their waits."""
        with self._resources_lock:
            for found in self.resources.values():
                cancel = getattr(found, "cancel", None)  # queues; kernel state has nothing to cancel
                if cancel is not None:
                    cancel()

    def kernel(self, op):
        """The op's kernel, compiled once per session (until the graph rewrites ops: `forget_kernels`)."""
        k = self.kernels.get(op)
        if k is None:
            k = self.kernels[op] = op.op_def.make_kernel(op, self)
        return k

    def forget_kernels(self):
        """Drops the compiled kernels: a kernel reads its op's attrs once, when it is compiled."""
        self.kernels.clear()
