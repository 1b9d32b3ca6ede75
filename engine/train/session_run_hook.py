"""`tf.train.SessionRunHook` and the records a `MonitoredSession` passes its hooks around each `run`.

A hook's ``before_run(run_context)`` may return ``SessionRunArgs(fetches, feed_dict)``: its fetches are
run together with the caller's, and ``after_run(run_context, run_values)`` gets their values in
``run_values.results``. ``run_context.request_stop()`` ends the training loop (``should_stop()``).
"""

from __future__ import annotations

import collections


class SessionRunHook:
    """The hook interface; every method does nothing unless a subclass overrides it."""

    def begin(self):
        """Called once before the session is created; the graph can still be changed."""

    def after_create_session(self, session, coord):
        """Called once the session exists and variables are initialized or restored."""

    def before_run(self, run_context):
        """Returns None or the SessionRunArgs to add to this `run`."""
        return None

    def after_run(self, run_context, run_values):
        """Gets the values of what `before_run` asked for."""

    def end(self, session):
        """Called when the monitored session closes without an error."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """What a hook adds to a `run`: fetches (any fetch structure), feeds, RunOptions."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """The `run` call being made (`original_args`), its `session`, and the stop request of the hooks."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self):
        return self._stop_requested

    def request_stop(self):
        """Asks the monitored session to stop after this `run` (its `should_stop()` turns True)."""
        self._stop_requested = True


SessionRunValues = collections.namedtuple("SessionRunValues", ["results", "options", "run_metadata"])
