"""`tf.train.LooperThread`: a Coordinator-registered thread that calls `target` in a loop, every
`timer_interval_secs` seconds (or back to back when it is None), until a stop is requested."""

from __future__ import annotations

import threading
import time


class LooperThread(threading.Thread):
    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        super().__init__(daemon=True)
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target_fn = target
        self._args = args or ()
        self._kwargs = kwargs or {}
        coord.register_thread(self)

    @classmethod
    def loop(cls, coord, timer_interval_secs, target, args=None, kwargs=None):
        """Starts a LooperThread calling `target(*args, **kwargs)` and returns it."""
        looper = cls(coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper

    def run(self):
        # An exception in the loop is reported to the coordinator (and re-raised by its join).
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_time = time.time()
                while not self._coord.wait_for_stop(max(next_time - time.time(), 0)):
                    next_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self):
        """Called once when the thread starts."""

    def stop_loop(self):
        """Called once when the loop ends."""

    def run_loop(self):
        if self._target_fn:
            self._target_fn(*self._args, **self._kwargs)
