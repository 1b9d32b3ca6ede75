"""The deadline of the run a thread is in: `RunOptions(timeout_in_ms=...)` for kernels that wait.

`Session.run` sets it around a run given a timeout; blocking kernels (the queue ops, engine/ops/queues.py)
read `current()` and raise DeadlineExceededError when it passes, as TF's executor cancels a step that
outlives its timeout.  Thread-local, since each thread of a queue-runner pipeline runs steps of its own.
"""

from __future__ import annotations

import contextlib
import threading
import time

_local = threading.local()


def current():
    """The monotonic time by which the current run must end, or None (no timeout)."""
    return getattr(_local, "until", None)


@contextlib.contextmanager
def within(timeout_in_ms):
    """Runs the block with a deadline `timeout_in_ms` from now (restoring the enclosing one after)."""
    outer = current()
    _local.until = time.monotonic() + timeout_in_ms / 1000.0
    try:
        yield
    finally:
        _local.until = outer
