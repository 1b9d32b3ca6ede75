"""Writes Event records to an ``events.out.tfevents.*`` file through a background thread.

How an event travels:

1. ``add_event`` (any thread) encodes a generic Event into a framed record right away, or, for a plain
   scalar, only notes ``(tag prefix, step, wall_time, value)``; either is appended to the *pending* list
   (an atomic append, so records from several threads never interleave).
2. A full pending list (``BATCH_EVENTS`` events or ``BATCH_BYTES`` of encoded records) is handed to the
   writer thread through a queue bounded at ``max_queue`` batches; a producer that outruns the disk waits
   there (TF's queue holds ``max_queue`` single events; batching is what makes 500k+ events/s possible).
3. The thread encodes scalar batches with numpy (engine/summary/scalar_records.py) and appends them to
   the file with one ``write`` call per batch (the file is unbuffered, so a written batch is in the OS's
   hands). Every ``min(flush_secs, PUSH_SECS)`` seconds it also takes the pending list, so nothing waits
   longer than that; and it writes everything on ``flush()``, on ``close()``, when the interpreter exits
   or the writer is collected, and on SIGTERM (below).

What a kill loses:
- SIGKILL (the OOM killer): at most the last ``PUSH_SECS`` (1 s) of events, or ``flush_secs`` if shorter;
  after ``flush()`` returns, nothing added before it.
- SIGTERM (schedulers, preemption): nothing. The first writer made in the main thread installs a handler
  that writes every open writer's pending events, then hands the signal on: to the handler that was
  installed before (a Python callable), or, if that was the default action, by re-sending SIGTERM with the
  default action restored, so the process still ends as it would have. An ignored SIGTERM stays ignored
  (nothing is installed). A handler installed later replaces ours (Python keeps one per signal).
- A failed write (ENOSPC, EIO): the file is cut back to the end of its last whole record before the error
  is raised (by the next ``flush()``/``close()``), so readers never meet a torn record, and later batches
  start on that clean boundary (or fail again). The batch that failed is lost.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import threading
import time
import weakref

import numpy as np

from engine.proto import event_pb2
from tfformat.records import encode_record

from .scalar_records import encode_scalar_events, float32_bytes

logger = logging.getLogger(__name__)

BATCH_EVENTS = 4096
BATCH_BYTES = 1 << 20
_TICK_SECS = 0.1  # how often the idle thread looks for a SIGTERM request
PUSH_SECS = 1.0  # the longest an added event waits before the thread writes it, whatever flush_secs says
_SIGNAL_FLUSH_SECS = 10.0  # how long a SIGTERM waits for the writers before handing the signal on
FILE_VERSION = "brain.Event:2"
WRITER_NAME = "engine.summary"


def create_event_file(logdir: str, filename_suffix: str = ""):
    """Opens a new ``events.out.tfevents.{seconds}.{hostname}{suffix}`` file in ``logdir``.

    Returns ``(file object, path, seconds)``. If a file of that name exists (two writers started in the
    same second), the next second is tried instead, so no writer ever truncates another's file.
    """
    os.makedirs(logdir, exist_ok=True)
    seconds = int(time.time())
    hostname = socket.gethostname()
    while True:
        path = os.path.join(logdir, f"events.out.tfevents.{seconds}.{hostname}{filename_suffix}")
        try:
            # unbuffered: every write is one whole batch, so Python's buffer would only add a copy and
            # hide from us how much of a failed write reached the file
            return open(path, "xb", buffering=0), path, seconds  # noqa: SIM115 - closed by the writer thread
        except FileExistsError:
            seconds += 1


class _Flush:
    """A request for the thread: write ``batch``, push the file to the OS, then set ``done``."""

    def __init__(self, batch):
        self.batch = batch
        self.done = threading.Event()


class _Close(_Flush):
    """Like _Flush, then close the file and end the thread."""


_SIGNALLED = object()  # the thread's own marker: the queue is drained after a SIGTERM


# ---------------------------------------------------------------------------------------- SIGTERM
_open_sinks: weakref.WeakSet = weakref.WeakSet()
_previous_sigterm = None  # the handler ours replaced; None while ours is not installed


def _install_sigterm_handler() -> None:
    """Installs `_on_sigterm` once, from the main thread (the only one Python lets set handlers)."""
    global _previous_sigterm
    if _previous_sigterm is not None or threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_IGN or previous is None:  # ignored, or set outside Python: leave it alone
        return
    _previous_sigterm = previous
    signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum, frame) -> None:
    deadline = time.monotonic() + _SIGNAL_FLUSH_SECS
    for sink in list(_open_sinks):
        sink.flush_from_signal(deadline)
    previous = _previous_sigterm
    if callable(previous):
        previous(signum, frame)
        return
    # the default action (ends the process): restore it and deliver the signal again
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


class _Sink:
    """Everything one open event file needs: pending list, queue, thread, file.

    Kept apart from EventFileWriter so that the thread and the exit hook hold no reference to the writer
    object itself; a writer dropped without close() is then collected, and closing its sink flushes it.
    """

    def __init__(self, logdir: str, max_queue: int, flush_secs: float, filename_suffix: str):
        self.file, self.path, seconds = create_event_file(logdir, filename_suffix)
        self.push_secs = min(float(flush_secs), PUSH_SECS)
        self.size = 0  # end of the last whole record in the file
        self.take_lock = threading.Lock()
        self.pending: list = []
        self.pending_bytes = 0
        self.closed = False
        self.error: BaseException | None = None
        self.queue: queue.Queue = queue.Queue(maxsize=max(1, max_queue))
        # set by the SIGTERM handler, which must not touch the queue or the locks (it may have interrupted
        # the main thread while that held them); the thread sees it within a tick and sets signal_done
        self.signal_flush = threading.Event()
        self.signal_done = threading.Event()
        first = event_pb2.Event(wall_time=float(seconds), file_version=FILE_VERSION)
        first.source_metadata.writer = WRITER_NAME
        self._append(encode_record(first.SerializeToString()))
        self.thread = threading.Thread(target=self._run, name=f"EventFileWriter({self.path})", daemon=True)
        self.thread.start()
        _open_sinks.add(self)
        _install_sigterm_handler()

    # ----------------------------------------------------------------- producer side (any thread)
    # Producers only ever append to ``pending`` (one atomic list operation, so no lock is needed and
    # nothing two threads add can interleave); whoever hands events to the thread cuts them from the
    # front under ``take_lock``. The list object itself is never replaced, so no append can land in a
    # list that was already handed over. An add racing with close() may be dropped, as in TF.
    def add(self, entry, size: int) -> bool:
        """Queues one entry; returns False (and drops it) when the sink is closed."""
        if self.closed:
            return False
        pending = self.pending
        pending.append(entry)
        self.pending_bytes += size  # only a hint for when to hand over; races merely delay that
        if len(pending) >= BATCH_EVENTS or self.pending_bytes >= BATCH_BYTES:
            self._hand_over()
        return True

    def add_scalar(self, prefix: bytes, step: int, wall_time: float, value) -> bool:
        """``add`` for a plain scalar entry, kept separate because it is the hot path."""
        if self.closed:
            return False
        pending = self.pending
        pending.append((prefix, step, wall_time, value))
        if len(pending) >= BATCH_EVENTS:
            self._hand_over()
        return True

    def _hand_over(self) -> None:
        with self.take_lock:
            # put() under the lock keeps batches in the order their events were added; when the queue
            # is full this waits for the thread (back-pressure), which never needs take_lock to go on
            if self.pending:
                self.queue.put(self._take_pending())

    def _take_pending(self) -> list:
        """Cuts every pending entry (caller holds take_lock)."""
        pending = self.pending
        count = len(pending)
        batch = pending[:count]
        del pending[:count]
        self.pending_bytes = 0
        return batch

    def flush(self) -> None:
        with self.take_lock:
            if self.closed:
                self._raise_error()
                return
            request = _Flush(self._take_pending())
            self.queue.put(request)
        request.done.wait()
        self._raise_error()

    def close(self) -> None:
        with self.take_lock:
            if self.closed:
                return
            self.closed = True
            request = _Close(self._take_pending())
            self.queue.put(request)
        request.done.wait()
        self.thread.join()
        self._raise_error()

    def flush_from_signal(self, deadline: float) -> None:
        """Asks the thread to write everything now and waits for it until ``deadline`` (monotonic).

        A close() under way counts too: its batch is written before the thread ends and reports back.
        """
        if not self.thread.is_alive():
            return
        self.signal_done.clear()
        self.signal_flush.set()
        self.signal_done.wait(max(0.0, deadline - time.monotonic()))

    def _raise_error(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise OSError(f"writing events to {self.path} failed: {error}") from error

    # ----------------------------------------------------------------- the writer thread
    def _run(self) -> None:
        next_push = time.monotonic() + self.push_secs
        while True:
            if self.signal_flush.is_set():  # SIGTERM: drain the queue without waiting, then the pending list
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    item = _SIGNALLED
            else:  # short ticks so that a SIGTERM's request is seen at once; pushes every push_secs
                try:
                    item = self.queue.get(timeout=min(_TICK_SECS, max(0.0, next_push - time.monotonic())))
                except queue.Empty:
                    item = None
            try:
                if item is None:
                    if time.monotonic() >= next_push:
                        self._write(self._take_pending_if_free())
                        next_push = time.monotonic() + self.push_secs
                elif item is _SIGNALLED:
                    self._write(self._take_pending_if_free())
                elif isinstance(item, _Flush):
                    try:
                        self._write(item.batch)
                    finally:
                        if isinstance(item, _Close):
                            self.file.close()
                    next_push = time.monotonic() + self.push_secs
                else:
                    self._write(item)
            except Exception as error:  # kept for the next flush()/close() to raise in the caller's thread
                logger.error("event writer for %s failed: %s", self.path, error)
                self.error = error
            if item is _SIGNALLED:
                self.signal_flush.clear()
                self.signal_done.set()
            elif isinstance(item, _Flush):
                item.done.set()
                if isinstance(item, _Close):
                    self.signal_done.set()  # a SIGTERM waiting on this sink need not wait any longer
                    return

    def _take_pending_if_free(self) -> list:
        """The pending list, unless a producer holds take_lock (then its events come with its batch).

        Never waits for take_lock: a producer may hold it while waiting for queue room, which only this
        thread can make.
        """
        if not self.take_lock.acquire(blocking=False):
            return []
        try:
            return self._take_pending()
        finally:
            self.take_lock.release()

    def _write(self, batch: list) -> None:
        if batch:
            self._append(encode_batch(batch))

    def _append(self, data: bytes) -> None:
        """Writes whole records; on failure cuts the file back to its last whole record, then raises."""
        view = memoryview(data)
        try:
            while view:
                written = self.file.write(view)
                view = view[written:]
        except OSError:
            try:
                os.ftruncate(self.file.fileno(), self.size)
                self.file.seek(self.size)
            except OSError as cleanup_error:
                logger.error("could not cut %s back to its last whole record: %s", self.path, cleanup_error)
            raise
        self.size += len(data)


def encode_batch(batch: list) -> bytes:
    """Framed records of a batch: bytes entries are records already, tuples are plain scalars."""
    chunks: list[bytes] = []
    run: list[tuple] = []
    for entry in batch:
        if type(entry) is tuple:
            run.append(entry)
            continue
        if run:
            chunks.append(_encode_scalar_run(run))
            run = []
        chunks.append(entry)
    if run:
        chunks.append(_encode_scalar_run(run))
    return b"".join(chunks)


def _encode_scalar_run(run: list[tuple]) -> bytes:
    prefixes, steps, wall_times, values = zip(*run, strict=True)
    if all(type(v) is bytes for v in values):
        floats = _bytes_to_rows(values)
    elif all(type(v) is float for v in values):
        floats = float32_bytes(values)
    else:  # both kinds in one run
        floats = _bytes_to_rows([v if type(v) is bytes else float32_bytes([v]).tobytes() for v in values])
    return encode_scalar_events(list(prefixes), list(steps), list(wall_times), floats)


def _bytes_to_rows(values) -> np.ndarray:
    """(n, 4) array of the last 4 bytes of each value: a float32, alone or ending a scalar Summary."""
    joined = np.frombuffer(b"".join(values), dtype=np.uint8)
    ends = np.cumsum(np.fromiter(map(len, values), dtype=np.int64, count=len(values)))
    return joined[ends[:, None] + np.arange(-4, 0)]


class EventFileWriter:
    """An event file plus the thread that fills it; FileWriter and SummaryWriter are built on it.

    ``add_event(event)`` takes an ``Event`` proto as is (wall_time and step included); ``add_scalar_entry``
    is the fast path for a plain scalar, given the bytes of ``scalar_summary_prefix(tag)``. After
    ``close()``, adding does nothing (like TF) and ``reopen()`` starts a new file in the same directory.
    """

    def __init__(self, logdir, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str | None = None):
        self._logdir = os.fspath(logdir)
        self._max_queue = max_queue
        self._flush_secs = flush_secs
        self._suffix = filename_suffix or ""
        self._open()

    def _open(self) -> None:
        self._sink = _Sink(self._logdir, self._max_queue, self._flush_secs, self._suffix)
        #: ``add_scalar_entry(prefix, step, wall_time, value)`` queues a plain scalar: ``prefix`` is
        #: ``scalar_summary_prefix(tag)``, value a float, or bytes ending in its little-endian float32
        #: (the 4 bytes alone, or the whole serialized Summary).
        self.add_scalar_entry = self._sink.add_scalar
        # closes (and so flushes) the file when this writer is collected or at interpreter exit
        self._finalizer = weakref.finalize(self, self._sink.close)

    def get_logdir(self) -> str:
        return self._logdir

    @property
    def path(self) -> str:
        """Path of the file being written."""
        return self._sink.path

    @property
    def closed(self) -> bool:
        return self._sink.closed

    def add_event(self, event) -> bool:
        """Queues an Event; returns False when the writer is closed (the event is dropped)."""
        record = encode_record(event.SerializeToString())
        return self._sink.add(record, len(record))

    def add_record(self, record: bytes) -> bool:
        """Queues an already framed record (encode_record of a serialized Event)."""
        return self._sink.add(record, len(record))

    def flush(self) -> None:
        self._sink.flush()

    def close(self) -> None:
        self._sink.close()

    def reopen(self) -> None:
        """Starts a new event file after close(); does nothing while open."""
        if self._sink.closed:
            self._finalizer.detach()
            self._open()
