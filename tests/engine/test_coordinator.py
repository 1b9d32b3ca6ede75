"""tf.train.Coordinator with real threads: stop requests, the first error re-raised by join, clean stops,
and threads that outlive the grace period."""

import threading
import time

import pytest

import engine as tf


def test_threads_stop_when_one_requests_it():
    coord = tf.train.Coordinator()
    steps = []

    def worker(i):
        while not coord.should_stop():
            steps.append(i)
            if len(steps) >= 20:
                coord.request_stop()
            time.sleep(0.001)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    coord.join(threads)
    assert coord.should_stop() and coord.joined and not any(t.is_alive() for t in threads)


def test_join_reraises_the_first_reported_error():
    coord = tf.train.Coordinator()

    def failing():
        with coord.stop_on_exception():
            raise ValueError("bad batch")

    def second():
        coord.wait_for_stop()
        coord.request_stop(RuntimeError("later"))

    threads = [threading.Thread(target=failing), threading.Thread(target=second)]
    for t in threads:
        t.start()
    with pytest.raises(ValueError, match="bad batch"):
        coord.join(threads)


def test_out_of_range_is_a_clean_stop_and_clear_stop_resets():
    coord = tf.train.Coordinator()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "queue closed"))
    assert coord.should_stop()
    coord.join([])
    coord.clear_stop()
    assert not coord.should_stop() and not coord.joined


def test_live_threads_after_the_grace_period():
    coord = tf.train.Coordinator()
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="stuck")
    thread.start()
    coord.register_thread(thread)
    coord.request_stop()
    try:
        with pytest.raises(RuntimeError, match="Coordinator stopped with threads still running: stuck"):
            coord.join(stop_grace_period_secs=0.05)
    finally:
        release.set()
        thread.join()
    coord.clear_stop()
    coord.request_stop()
    coord.join([thread], stop_grace_period_secs=0.05, ignore_live_threads=True)
