"""How many threads BLAS (numpy's OpenBLAS) may use while a session runs, set through threadpoolctl.

OpenBLAS runs a product on one thread per core and makes them meet at barriers.  When other processes
hold the cores, a descheduled thread stalls the others: on the shared 2-core machine a matmul ran ~20x
slower on two threads than on one (issue 24).  TensorFlow sizes its intra-op pool from
`ConfigProto.intra_op_parallelism_threads`, 0 meaning "one per core"; a session here honours a positive
value as the BLAS thread count, and for 0 (or no config) gives BLAS the cores other processes leave idle:
the cores available to this process less what other processes ran on them since the last estimate --
the cores' busy time in /proc/stat less this process's own CPU time.  Where /proc/stat cannot be read,
or over the first interval when it is too short to measure, the 1-minute load average less this
process's own use stands in; it lags by a minute: a session started right after a heavy job held BLAS
to one thread on the idle machine (a 1M-sample Philox draw 3.2x numpy's generator instead of 1.8x).
The estimate is refreshed at most once a second, so a run pays a clock read and two comparisons.

BLAS threads belong to the process, not the session: a run sets them (one C call) only when the last
session to set them was another one or the count changed.  Measured in bench/train_step.py --load.

When BLAS is held to one thread on a busy machine, kernels that split their work into independent
chunks (the convolutions, engine/ops/conv_ops.py; Adam on a large variable, engine/ops/training_ops.py)
spread them over the session's intra-op threads instead (`map_chunks`): each thread pulls the next chunk
when it is done with its last and blocks, rather than spins, when there is none, so a descheduled thread
delays only its own chunk, as in TF's pools.  The calling thread is one of them.  A second helper beside
it (the calling thread working next to a pool of `intra_op` threads, as Eigen's `parallelFor` does) was
measured and removed: in the deep-MNIST step, 15 interleaved rounds at load 6-10, the calling thread
plus two helpers ran at 0.87 and 0.97 of one thread's steps/s in two runs, plus one helper at 0.92 and
1.13 (bench/cnn_step.py's model).  So was hedging (the calling thread recomputing a chunk a late helper
still held, first result wins): the second convolution's kernels took 0.96-1.05x the time of waiting,
load 6-9 (docs/engine.md, Convolutions).
"""

from __future__ import annotations

import os
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

REFRESH_SECONDS = 1.0


def _cpu_set():
    """The CPUs this process may run on."""
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not on Linux
        return set(range(os.cpu_count() or 1))


def _cores():
    return len(_cpu_set())


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# Shortest interval /proc/stat's ticks (1/100 s) measure CPU use over, to a few percent.
_MIN_INTERVAL = 0.25


def _busy_seconds(cpus):
    """CPU seconds the CPUs in `cpus` have spent not idle since boot (all processes, steal included),
    from /proc/stat; None where it cannot be read."""
    try:
        with open("/proc/stat", "rb") as stat:
            lines = stat.readlines()
    except OSError:
        return None
    busy = 0
    for line in lines:
        if not (line.startswith(b"cpu") and line[3:4].isdigit()):
            continue
        fields = line.split()
        if int(fields[0][3:]) in cpus:
            ticks = [int(f) for f in fields[1:9]]  # user nice system idle iowait irq softirq steal
            busy += sum(ticks) - ticks[3] - ticks[4]
    return busy / _TICKS


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
        self.workers = 1  # threads for `map_chunks`: the intra-op threads of the session that ran last
        self.free_threads = 1  # threads for `map_chunks` of work without BLAS (see BlasThreads)
        self.pool = None

    def set(self, owner, threads, workers=1, free_threads=None):
        self.workers = workers
        self.free_threads = threads if free_threads is None else free_threads
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
        # Work without BLAS (`map_chunks(uses_blas=False)`) has no barriers: a thread that loses its core
        # delays only the chunk it holds, so it takes a core that is three-quarters idle, where BLAS
        # needs a whole one (a 1M-sample Philox draw: 2 threads at load 0.6 took 1.8x numpy's generator
        # against 3.0x on one; with a busy loop beside it, one thread 3.0x, two up to 5x).
        self.free_threads = self.threads
        self.due = 0.0  # when to re-estimate (time.monotonic)
        self._cpus = _cpu_set()
        # (monotonic time, process CPU seconds, the CPUs' busy seconds) at the last estimate
        self._last = (time.monotonic(), _cpu_seconds(), _busy_seconds(self._cpus))

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
                idle = self._idle_cores(now)
                self.threads = max(1, min(self.cores, round(idle)))
                self.free_threads = max(1, min(self.cores, round(idle + 0.25)))
        chosen = (self.threads, self.free_threads)
        if PROCESS.owner is not self or (PROCESS.threads, PROCESS.free_threads) != chosen:
            PROCESS.set(self, self.threads, self.fixed or self.cores, self.free_threads)

    def _idle_cores(self, now):
        """The cores other processes leave idle (a float: 1.4 means one core and 40% of another)."""
        cpu, busy = _cpu_seconds(), _busy_seconds(self._cpus)
        (then, cpu_then, busy_then), self._last = self._last, (now, cpu, busy)
        interval = max(now - then, 1e-3)
        own = (cpu - cpu_then) / interval
        if busy is not None and busy_then is not None and interval >= _MIN_INTERVAL:
            others = (busy - busy_then) / interval - own
        else:
            others = os.getloadavg()[0] - own
        return self.cores - max(0.0, others)


def map_chunks(work, chunks, take, give, uses_blas=True):
    """[work(buffer, *chunk) for chunk in chunks], computed by up to the session's intra-op threads when
    BLAS runs on one thread (else in this thread, BLAS being parallel itself); work that calls no BLAS
    (`uses_blas=False`) is shared by the threads of the cores left mostly idle.  Each thread
    works with one buffer from `take()` and hands it to `give` at the end; results come back in the
    chunks' order, so what is summed from them is summed in the same order whichever thread computed
    it."""
    results = [None] * len(chunks)
    pending = iter(range(len(chunks)))
    lock = threading.Lock()

    def worker():
        buf = take()
        try:
            while True:
                with lock:
                    k = next(pending, None)
                if k is None:
                    return
                results[k] = work(buf, *chunks[k])
        finally:
            give(buf)

    if uses_blas:
        helpers = min(PROCESS.workers, len(chunks)) - 1 if PROCESS.threads == 1 else 0
    else:
        helpers = min(PROCESS.free_threads, len(chunks)) - 1
    if helpers <= 0:
        worker()
        return results
    if PROCESS.pool is None:
        PROCESS.pool = ThreadPoolExecutor(max_workers=_cores(), thread_name_prefix="engine-intra-op")
    futures = [PROCESS.pool.submit(worker) for _ in range(helpers)]
    worker()  # the calling thread works too
    for future in futures:
        future.result()
    return results
