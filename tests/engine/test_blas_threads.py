"""A session sets BLAS's thread count: `intra_op_parallelism_threads` when positive, else the idle cores."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import engine as tf
from engine.runtime import blas_threads


def _blas_threads():
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


@pytest.fixture
def load_average_only(monkeypatch):
    """The policy without /proc/stat: the 1-minute load average less this process's own use."""
    monkeypatch.setattr(blas_threads, "_busy_seconds", lambda cpus: None)


@pytest.fixture
def restore_blas():
    before = _blas_threads()
    yield
    if before:
        blas_threads.PROCESS.set(None, max(before))


def _matmul_session(config=None):
    graph = tf.Graph()
    with graph.as_default():
        a = tf.constant(np.eye(3, dtype=np.float32))
        product = tf.matmul(a, a)
    return tf.Session(graph=graph, config=config), product


def test_intra_op_parallelism_threads_sets_blas_threads(restore_blas):
    sess, product = _matmul_session(tf.ConfigProto(intra_op_parallelism_threads=1))
    np.testing.assert_array_equal(sess.run(product), np.eye(3))
    assert _blas_threads() == {1}


def test_each_session_runs_with_its_own_count(restore_blas, load_average_only, monkeypatch):
    monkeypatch.setattr(blas_threads, "_cores", lambda: 2)
    monkeypatch.setattr(blas_threads.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    one, p1 = _matmul_session(tf.ConfigProto(intra_op_parallelism_threads=1))
    auto, p2 = _matmul_session()
    one.run(p1)
    assert _blas_threads() == {1}
    auto.run(p2)  # a quiet machine: every core
    assert _blas_threads() == {2}
    one.run(p1)
    assert _blas_threads() == {1}


def test_a_busy_machine_gets_one_thread(restore_blas, load_average_only, monkeypatch):
    monkeypatch.setattr(blas_threads, "_cores", lambda: 2)
    load = [0.0]
    monkeypatch.setattr(blas_threads.os, "getloadavg", lambda: (load[0], 0.0, 0.0))
    monkeypatch.setattr(blas_threads, "_cpu_seconds", lambda: 0.0)  # this process idle
    now = [100.0]
    monkeypatch.setattr(blas_threads.time, "monotonic", lambda: now[0])
    policy = blas_threads.BlasThreads()
    policy.apply()
    assert policy.threads == 2
    load[0] = 1.2  # one competing process: one core left
    now[0] += 0.5
    policy.apply()
    assert policy.threads == 2, "re-estimated at most once a second"
    now[0] += 0.6
    policy.apply()
    assert policy.threads == 1 and _blas_threads() == {1}
    load[0] = 15.0
    now[0] += 1.1
    policy.apply()
    assert policy.threads == 1


def test_own_cpu_use_is_not_counted_as_load(load_average_only, monkeypatch):
    monkeypatch.setattr(blas_threads, "_cores", lambda: 2)
    monkeypatch.setattr(blas_threads.os, "getloadavg", lambda: (2.0, 0.0, 0.0))
    cpu, now = [0.0], [100.0]
    monkeypatch.setattr(blas_threads, "_cpu_seconds", lambda: cpu[0])
    monkeypatch.setattr(blas_threads.time, "monotonic", lambda: now[0])
    policy = blas_threads.BlasThreads()
    assert policy._idle_cores(now[0]) == 0.0  # no time has passed: all the load is others'
    cpu[0], now[0] = 2.0, 101.0  # this process kept both cores busy: the load is its own
    assert policy._idle_cores(now[0]) == 2.0


def test_other_processes_cpu_time_since_the_last_estimate(monkeypatch):
    """With /proc/stat: the cores' busy time over the interval less this process's, no minute's lag."""
    monkeypatch.setattr(blas_threads, "_cores", lambda: 2)
    monkeypatch.setattr(blas_threads.os, "getloadavg", lambda: (1.9, 0.0, 0.0))  # a job that just ended
    cpu, busy, now = [0.0], [500.0], [100.0]
    monkeypatch.setattr(blas_threads, "_cpu_seconds", lambda: cpu[0])
    monkeypatch.setattr(blas_threads, "_busy_seconds", lambda cpus: busy[0])
    monkeypatch.setattr(blas_threads.time, "monotonic", lambda: now[0])
    policy = blas_threads.BlasThreads()
    now[0] += 0.1  # too short to measure: the load average stands in
    assert policy._idle_cores(now[0]) == pytest.approx(0.1)
    now[0] += 1.0  # the machine idle since
    assert policy._idle_cores(now[0]) == pytest.approx(2.0)
    busy[0] += 1.0  # another process on one core for the next second
    now[0] += 1.0
    assert policy._idle_cores(now[0]) == pytest.approx(1.0)
    busy[0] += 2.0  # both cores busy, but with this process's threads
    cpu[0] += 2.0
    now[0] += 1.0
    assert policy._idle_cores(now[0]) == pytest.approx(2.0)


def test_busy_seconds_read_the_cpus_asked_for():
    cpus = blas_threads._cpu_set()
    total = blas_threads._busy_seconds(cpus)
    if total is None:
        pytest.skip("no /proc/stat here")
    assert 0 < total
    assert blas_threads._busy_seconds(set()) == 0


@pytest.mark.parametrize(("load", "blas", "free"), [(0.0, 2, 2), (0.6, 1, 2), (1.0, 1, 1), (1.8, 1, 1)])
def test_work_without_blas_takes_a_mostly_idle_core(monkeypatch, restore_blas, load_average_only, load, blas,
                                                    free):
    """BLAS gets the wholly idle cores; chunked work without barriers (map_chunks(uses_blas=False))
    also takes a core three-quarters idle."""
    monkeypatch.setattr(blas_threads, "_cores", lambda: 2)
    monkeypatch.setattr(blas_threads.os, "getloadavg", lambda: (load, 0.0, 0.0))
    policy = blas_threads.BlasThreads()
    policy.apply()
    assert (policy.threads, policy.free_threads) == (blas, free)
    assert (blas_threads.PROCESS.threads, blas_threads.PROCESS.free_threads) == (blas, free)


def test_intra_op_threads_are_capped_at_the_cores():
    assert blas_threads.BlasThreads(10_000).threads == blas_threads._cores()
    assert blas_threads.BlasThreads(0).fixed is None
