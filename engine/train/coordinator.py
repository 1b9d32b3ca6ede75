"""`tf.train.Coordinator`: lets threads ask each other to stop, and reports the first error to `join`.

Worker threads loop ``while not coord.should_stop()``; any thread calls ``request_stop(ex)`` (or runs inside
``with coord.stop_on_exception():``); the main thread's ``coord.join(threads)`` waits for them, then
re-raises the first reported exception. Exceptions of ``clean_stop_exception_types`` (by default
``tf.errors.OutOfRangeError``, i.e. an input queue ran dry) stop the threads without being an error.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time

from engine import logging
from engine.framework import errors


class Coordinator:
    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None  # (type, value, traceback) of the first error reported
        self._joined = False
        self._registered_threads = set()

    def _exception_value(self, ex):
        return ex[1] if isinstance(ex, tuple) else ex

    def request_stop(self, ex=None):
        """Asks every thread to stop. `ex` (an exception, or a `sys.exc_info()` tuple) is kept for `join`
        unless it is a clean stop; after `join`, a new error is raised right away."""
        with self._lock:
            if ex is not None and isinstance(self._exception_value(ex), self._clean_stop_exception_types):
                ex = None
            if self._joined and ex is not None:
                exc_info = ex if isinstance(ex, tuple) else (type(ex), ex, ex.__traceback__)
                raise exc_info[1].with_traceback(exc_info[2])
            if self._stop_event.is_set():
                return
            if ex is not None and self._exc_info_to_raise is None:
                value = self._exception_value(ex)
                logging.info("Error reported to Coordinator: %s", value)
                if isinstance(ex, tuple):
                    self._exc_info_to_raise = ex
                else:
                    self._exc_info_to_raise = (type(ex), ex, ex.__traceback__)
            self._stop_event.set()

    def clear_stop(self):
        """Forgets a stop request and its error, so threads can run again."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            self._stop_event.clear()

    def should_stop(self):
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """Reports any exception raised in the block with `request_stop` instead of propagating it."""
        try:
            yield
        except Exception:  # noqa: BLE001 - every error is handed to join(), as TF does
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None):
        """Blocks until a stop is requested (or `timeout` seconds pass); True if it was."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits until the threads end or a stop is requested, then gives the threads
        `stop_grace_period_secs` to end. Re-raises the first reported error; otherwise threads still alive
        are a RuntimeError (logged instead with `ignore_live_threads`)."""
        with self._lock:
            threads = list(self._registered_threads.union(threads or ()))
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        pause = 0.001
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(2 * pause, max(deadline - time.monotonic(), 0.001))
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info_to_raise:
                raise self._exc_info_to_raise[1].with_traceback(self._exc_info_to_raise[2])
            if stragglers:
                message = "Coordinator stopped with threads still running: " + " ".join(stragglers)
                if not ignore_live_threads:
                    raise RuntimeError(message)
                logging.info(message)

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        """Raises the reported error now, if there is one."""
        with self._lock:
            if self._exc_info_to_raise:
                raise self._exc_info_to_raise[1].with_traceback(self._exc_info_to_raise[2])
