"""Freed array memory kept in the process (glibc's malloc), as TensorFlow's BFC allocator keeps its own.

A loop step allocates and frees arrays of the same sizes every iteration: an LSTM's gradient loop makes
a 192x512 weight gradient and its running sum (384 KiB each) fifty times a step (bench/rnn_step.py).
glibc serves blocks of at least its mmap threshold (128 KiB at start, raised to the size of each mmap'd
block freed, up to 32 MiB) by mmap, and gives the top of its heap back to the system when more than its
trim threshold (twice that) is free there; each later block of that size is then fresh zeroed pages, one
page fault per 4 KiB.  The LSTM step took ~1,900 page faults, 5-7 ms of system time in ~40 ms of CPU.

`keep_freed_memory()` fixes both thresholds at the values the dynamic rule converges to (mmap for blocks
of 32 MiB and more, trim beyond 64 MiB free), once per process, when the first session is made: the
step then takes no page faults.  The cost is the process's heap staying at its high-water mark, up to
64 MiB more than it would.  Under another C library or allocator (no glibc `mallopt`) it does nothing.
"""

from __future__ import annotations

import ctypes
import platform
import threading

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD

_kept = None  # whether the thresholds are set, once tried
_lock = threading.Lock()


def keep_freed_memory():
    """Sets glibc's mmap and trim thresholds once per process (module docstring); True when set."""
    global _kept
    with _lock:
        if _kept is None:
            _kept = _set_thresholds()
        return _kept


def _set_thresholds():
    if platform.libc_ver()[0] != "glibc":
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
