"""Freed array memory kept in the process (engine/runtime/heap.py): once a session is made, arrays of a
loop's sizes allocated and freed over and over take no fresh pages from the system."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import resource, sys
import numpy as np
import engine as tf
if sys.argv[1] == "session":
    tf.Session(graph=tf.Graph()).close()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(200):  # a weight gradient and its running sum, as in an LSTM's gradient loop
    a = np.ones((192, 512), np.float32)
    b = a + a
    del a, b
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


# glibc's starting thresholds, fixed: its dynamic rule raises them as blocks are freed, so whether a
# process's first 384 KiB arrays are mmap'd again depends on what it freed before (once, in a loaded
# run, the plain process below took 50 faults).  A session's `mallopt` overrides the environment's.
_GLIBC_DEFAULTS = {"MALLOC_MMAP_THRESHOLD_": str(128 << 10), "MALLOC_TRIM_THRESHOLD_": str(256 << 10)}


def _page_faults(mode):
    out = subprocess.run([sys.executable, "-c", _SCRIPT, mode], capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=120, env={**os.environ, **_GLIBC_DEFAULTS})
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc thresholds")
def test_a_session_keeps_freed_arrays_in_the_process():
    # Without a session glibc hands 384 KiB arrays fresh pages (96 faults each: 19,400-38,800 faults
    # measured for the 400 arrays); with one, next to none (64-192).
    assert _page_faults("plain") > 50 * 96
    assert _page_faults("session") < 1000
