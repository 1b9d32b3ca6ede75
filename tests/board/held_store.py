"""A local logdir whose loading a test holds back at a chosen point, to look at board meanwhile.

    store = HeldStore(tmp_path, hold_run="slow")      # reading run "slow" waits...
    app = create_app(tmp_path, provider=LogdirProvider(store, reload_interval=0))
    ...                                                # ...the test asks the app things...
    store.release()                                    # ...then lets the loader go on

`hold_run`: opening any file of that run (to read it) waits; `hold_after_runs=N`: the walk of the
logdir waits after finding N runs (a walk of a logdir of many folders is slow). `reached` is set when
the loader arrives at the hold; `held` tells whether it is still there. The hold ends on `release()`
or after `HOLD_LIMIT` seconds, then `timed_out` is True: a test that got its answers only after
that waited for the loader.
"""

from __future__ import annotations

import threading
from pathlib import Path

from board.data.storage import LocalStore
from engine.proto import event_pb2

from .conftest import WALL0, event_file, file_version_event, scalar_event, write_events

HOLD_LIMIT = 20.0


def write_run(root: Path, name: str, start: float, graph: bool = False, steps: int = 3) -> None:
    """A run `name` started at WALL0 + `start`: a `loss` scalar per step, and (`graph`) the
    lecture's MyAdd graph, written by engine's FileWriter protobufs."""
    events = [file_version_event(WALL0 + start)]
    if graph:
        import engine as tf

        g = tf.Graph()
        with g.as_default():
            tf.add(tf.constant(1.0, name="MyConst1"), tf.constant(2.0, name="MyConst2"), name="MyAdd")
        graph_def = g.as_graph_def().SerializeToString()
        events.append(event_pb2.Event(wall_time=WALL0 + start, graph_def=graph_def))
    events += [scalar_event("loss", step, 1.0 / (step + 1), WALL0 + start + step) for step in range(steps)]
    write_events(event_file(root / name), events)


class HeldStore:
    def __init__(self, root: Path, hold_run: str | None = None, hold_after_runs: int | None = None):
        self._local = LocalStore(Path(root))
        self.root = self._local.root  # LogdirProvider.local_root reads it
        self.hold_run = hold_run
        self.hold_after_runs = hold_after_runs
        self.reached = threading.Event()
        self.released = threading.Event()
        self.timed_out = False

    @property
    def held(self) -> bool:
        return self.reached.is_set() and not self.released.is_set()

    def release(self) -> None:
        self.released.set()

    def _hold(self) -> None:
        self.reached.set()
        if not self.released.wait(HOLD_LIMIT):
            self.timed_out = True

    def describe(self) -> str:
        return self._local.describe()

    def discover(self, on_error):
        for count, (name, paths) in enumerate(self._local.discover(on_error)):
            if count == self.hold_after_runs and not self.released.is_set():
                self._hold()
            yield name, paths

    def size(self, key: Path) -> int:
        return self._local.size(key)

    def exists(self, key: Path) -> bool:
        return self._local.exists(key)

    def sniff(self, key: Path):
        return self._local.sniff(key)

    def open(self, key: Path):
        held_run = self.hold_run is not None and key.parent == self.root / self.hold_run
        if held_run and not self.released.is_set():
            self._hold()
        return self._local.open(key)
