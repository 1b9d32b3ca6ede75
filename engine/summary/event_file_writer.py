"""Writes Event records to an ``events.out.tfevents.*`` file through a background thread.

How an event travels:

1. ``add_event`` (any thread) encodes a generic Event into a framed record right away, or, for a plain
   scalar, only notes ``(tag prefix, step, wall_time, value)``; either is appended to the *pending* list
   (an atomic append, so records from several threads never interleave).
2. A full pending list (``BATCH_EVENTS`` events or ``BATCH_BYTES`` of encoded records) is handed to the
   writer thread through a queue bounded at ``max_queue`` batches; a producer that outruns the disk waits
   there (TF's queue holds ``max_queue`` single events; batching is what makes 500k+ events/s possible).
3. The thread encodes scalar batches with numpy (engine/summary/scalar_records.py), appends to the file,
   and pushes the file to the OS every ``flush_secs`` (taking the pending list too, so nothing waits longer
   than that), on ``flush()``, on ``close()``, and when the interpreter exits or the writer is collected.

After ``flush()`` returns, everything added before it is in the OS's hands: a process killed with SIGKILL
right after still leaves it readable.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import weakref

import numpy as np

from engine.io.tfrecord import encode_record
from engine.proto import event_pb2

from .scalar_records import encode_scalar_events, float32_bytes

logger = logging.getLogger(__name__)

BATCH_EVENTS = 4096
BATCH_BYTES = 1 << 20
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
            return open(path, "xb"), path, seconds  # noqa: SIM115 - owned and closed by the writer thread
        except FileExistsError:
            seconds += 1


class _Flush:
    """A request for the thread: write ``batch``, push the file to the OS, then set ``done``."""

    def __init__(self, batch):
        self.batch = batch
        self.done = threading.Event()


class _Close(_Flush):
    """Like _Flush, then close the file and end the thread."""


class _Sink:
    """Everything one open event file needs: pending list, queue, thread, file.

    Kept apart from EventFileWriter so that the thread and the exit hook hold no reference to the writer
    object itself; a writer dropped without close() is then collected, and closing its sink flushes it.
    """

    def __init__(self, logdir: str, max_queue: int, flush_secs: float, filename_suffix: str):
        self.file, self.path, seconds = create_event_file(logdir, filename_suffix)
        self.flush_secs = flush_secs
        self.take_lock = threading.Lock()
        self.pending: list = []
        self.pending_bytes = 0
        self.closed = False
        self.error: BaseException | None = None
        self.queue: queue.Queue = queue.Queue(maxsize=max(1, max_queue))
        first = event_pb2.Event(wall_time=float(seconds), file_version=FILE_VERSION)
        first.source_metadata.writer = WRITER_NAME
        self.file.write(encode_record(first.SerializeToString()))
        self.file.flush()
        self.thread = threading.Thread(target=self._run, name=f"EventFileWriter({self.path})", daemon=True)
        self.thread.start()

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

    def _raise_error(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise OSError(f"writing events to {self.path} failed: {error}") from error

    # ----------------------------------------------------------------- the writer thread
    def _run(self) -> None:
        next_flush = time.monotonic() + self.flush_secs
        while True:
            try:
                item = self.queue.get(timeout=max(0.0, next_flush - time.monotonic()))
            except queue.Empty:
                item = None
            try:
                if item is None:  # flush_secs passed: write what producers still hold, then flush
                    # never wait for take_lock here: a producer may hold it while waiting for queue room,
                    # which only this thread can make; its events reach the file with its batch instead
                    if self.take_lock.acquire(blocking=False):
                        try:
                            batch = self._take_pending()
                        finally:
                            self.take_lock.release()
                        self._write(batch)
                    self.file.flush()
                elif isinstance(item, _Flush):
                    try:
                        self._write(item.batch)
                        self.file.flush()
                    finally:
                        if isinstance(item, _Close):
                            self.file.close()
                else:
                    self._write(item)
            except Exception as error:  # kept for the next flush()/close() to raise in the caller's thread
                logger.error("event writer for %s failed: %s", self.path, error)
                self.error = error
            if isinstance(item, _Flush):
                item.done.set()
                if isinstance(item, _Close):
                    return
            if item is None or isinstance(item, _Flush):
                next_flush = time.monotonic() + self.flush_secs

    def _write(self, batch: list) -> None:
        if batch:
            self.file.write(encode_batch(batch))


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
