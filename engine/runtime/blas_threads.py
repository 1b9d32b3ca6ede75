"""How many threads BLAS (numpy's OpenBLAS) may use while a session runs, set through threadpoolctl.

OpenBLAS runs a product on one thread per core and makes them meet at barriers.  When other processes
hold the cores, a descheduled thread stalls the others: on the shared 2-core machine a matmul ran ~20x
slower on two threads than on one (issue 24).  TensorFlow sizes its intra-op pool from
`ConfigProto.intra_op_parallelism_threads`, 0 meaning "one per core"; a session here honours a positive
value as the BLAS thread count, and for 0 (or no config) gives BLAS the cores other processes leave idle:
the cores available to this process less the 1-minute load average, from which this process's own CPU
use over the last interval is taken out (its threads are in the load too).  The estimate is refreshed
at most once a second, so a run pays a clock read and two comparisons.

BLAS threads belong to the process, not the session: a run sets them (one C call) only when the last
session to set them was another one or the count changed.  Measured in bench/train_step.py --load.
"""

from __future__ import annotations

import os
import resource
import time

from threadpoolctl import ThreadpoolController

REFRESH_SECONDS = 1.0


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Process:
    """The process's BLAS libraries (found once: scanning the loaded libraries takes milliseconds) and
    the thread count last set, with the policy that set it."""

    def __init__(self):
        self.libraries = None
        self.threads = None
        self.owner = None

    def set(self, owner, threads):
        if self.libraries is None:
            self.libraries = ThreadpoolController().select(user_api="blas").lib_controllers
        if threads != self.threads:
            for library in self.libraries:
                library.set_num_threads(threads)
            self.threads = threads
        self.owner = owner


PROCESS = _Process()


class BlasThreads:
    """One session's policy: `intra_op` threads when positive, else the idle cores (at least one)."""

    def __init__(self, intra_op=0):
        self.cores = _cores()
        self.fixed = min(int(intra_op), self.cores) if intra_op and int(intra_op) > 0 else None
        self.threads = self.fixed or self.cores
        self.due = 0.0  # when to re-estimate (time.monotonic)
        self._last = None  # (monotonic time, process CPU seconds) at the last estimate

    @classmethod
    def from_config(cls, config):
        return cls(getattr(config, "intra_op_parallelism_threads", 0) or 0)

    def apply(self):
        """Sets the process's BLAS threads to this session's count.  A run calls it only when another
        session set them last or `due` has passed (Session.run inlines that check)."""
        now = time.monotonic()
        if now >= self.due:
            self.due = now + REFRESH_SECONDS
            if self.fixed is None:
                self.threads = self._idle_cores(now)
        if PROCESS.owner is not self or PROCESS.threads != self.threads:
            PROCESS.set(self, self.threads)

    def _idle_cores(self, now):
        cpu = _cpu_seconds()
        last, self._last = self._last, (now, cpu)
        own = 0.0 if last is None else (cpu - last[1]) / max(now - last[0], 1e-3)
        others = max(0.0, os.getloadavg()[0] - own)
        return max(1, min(self.cores, round(self.cores - others)))
