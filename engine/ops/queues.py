"""What a TF1 queue holds at run time: one object per queue op per session, shared by every thread.

The queue ops (engine/ops/data_flow_ops.py) call these objects.  Each is a buffer of elements (a tuple
of arrays, one per component) under one `threading.Condition`: an enqueue waits while the queue is full,
a dequeue while it has too few elements, and both wake on every change, as TF's queue kernels park
their attempts and retry them whenever the queue changes.

* `close()` lets pending and later dequeues drain what is left; a dequeue that asks for more than is left
  raises OutOfRangeError ("... is closed and has insufficient elements ..."); enqueues raise
  CancelledError ("... is closed.").  `close(cancel_pending_enqueues=True)` also fails the enqueues
  already waiting.
* A wait ends at the run's deadline (`RunOptions(timeout_in_ms=...)`, engine/runtime/deadline.py) with
  DeadlineExceededError("Timed out waiting for notification"), or when the session closes
  (CancelledError), so a queue-runner thread blocked here never outlives its session.
* A dequeue of n elements takes them as they arrive (several dequeuers share a trickle fairly).  If it
  then fails (closed, deadline, session closed), the elements it took go back to the front of the
  queue.  Deviation: TF restores them only when the queue is closed, and loses them on a timeout.

`RandomShuffleQueue` picks each dequeued element as TF's kernel does -- index = next 32-bit word of a
Philox stream keyed by (seed, seed2), modulo the size, and the last element moves into the hole -- so a
seeded queue dequeues in TF's order whenever the enqueues and dequeues interleave as they did in TF
(always, for a queue filled before it is read).
"""

from __future__ import annotations

import collections
import heapq
import itertools
import threading
import time

import numpy as np

from engine.framework import errors
from engine.ops.philox import Philox, SingleSample
from engine.runtime import deadline

# TF names a queue without a shared_name "_<n>_<node name>", n counting resources in the process.
_resource_ids = itertools.count()


def resource_name(op):
    shared = op._get_attr_or("shared_name", b"")
    shared = shared.decode() if isinstance(shared, bytes) else shared
    return shared or f"_{next(_resource_ids)}_{op.name}"


def _fits(shape, actual):
    return len(shape) == len(actual) and all(d is None or d == a for d, a in zip(shape, actual, strict=True))


def _dims(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class Queue:
    """A FIFO queue (`FIFOQueueV2`); the other kinds override how elements are stored and taken."""

    kind = "FIFOQueue"

    def __init__(self, name, dtypes, shapes, capacity):
        self.name = name
        self.dtypes = [np.dtype(object if d.name == "string" else d.as_numpy_dtype) for d in dtypes]
        self.shapes = shapes  # per component: a tuple of dims (None unknown), or None for any shape
        self.capacity = capacity if capacity >= 0 else None
        self.closed = False
        self.cancelled = False  # the session closed: every wait fails
        self.cancel_enqueues = False
        self.cond = threading.Condition()
        self.items = collections.deque()

    # --- storage (overridden) ---------------------------------------------------------------------------
    def _put(self, element):
        self.items.append(element)

    def _take(self):
        return self.items.popleft()

    def _restore(self, taken):
        self.items.extendleft(reversed(taken))

    def _takeable(self):
        """How many elements a dequeue may take now."""
        return len(self.items)

    def size(self):
        return len(self.items)

    # --- checks ---------------------------------------------------------------------------------------------
    def _element(self, values, batched):
        """The components as arrays of the queue's dtypes, checked against its shapes."""
        if len(values) != len(self.dtypes):
            raise errors.InvalidArgumentError(
                None, None,
                f"Expected {len(self.dtypes)} components in the tuple to enqueue, got {len(values)}")
        out = []
        for i, (value, dtype, shape) in enumerate(zip(values, self.dtypes, self.shapes, strict=True)):
            value = np.array(value, dtype=dtype)  # a copy: a fed array may change after the run
            actual = value.shape[1:] if batched else value.shape
            if shape is not None and not _fits(shape, actual):
                expected = ((value.shape[0],) if batched and value.ndim else ()) + tuple(shape)
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch in tuple component {i}. Expected {_dims(expected)}, got "
                    f"{_dims(value.shape)}")
            out.append(value)
        return out

    # --- waiting --------------------------------------------------------------------------------------------
    def _wait(self, until):
        """Waits for a change (the condition is held); raises when the session closed or time is up."""
        self._check_cancelled()
        if until is None:
            self.cond.wait()
        else:
            left = until - time.monotonic()
            if left <= 0 or not self.cond.wait(left) and time.monotonic() >= until:
                raise errors.DeadlineExceededError(None, None, "Timed out waiting for notification")
        self._check_cancelled()

    def _check_cancelled(self):
        if self.cancelled:
            raise errors.CancelledError(
                None, None, f"{self.kind} '{self.name}' was cancelled: its session closed.")

    def _closed_error(self):
        return errors.CancelledError(None, None, f"{self.kind} '{self.name}' is closed.")

    # --- operations -----------------------------------------------------------------------------------------
    def enqueue(self, values):
        element = tuple(self._element(values, batched=False))
        self._enqueue_all([element])

    def enqueue_many(self, values):
        batch = self._element(values, batched=True)
        sizes = {len(v) if v.ndim else None for v in batch}
        if None in sizes:
            raise errors.InvalidArgumentError(
                None, None, "Shape mismatch in tuple component 0. Expected [?], got []: EnqueueMany needs "
                "components of rank >= 1")
        if len(sizes) > 1:
            raise errors.InvalidArgumentError(
                None, None, f"EnqueueMany: all components must have the same batch size, got {sorted(sizes)}")
        n = sizes.pop() if sizes else 0
        self._enqueue_all([tuple(np.asarray(v[i], dtype=v.dtype) for v in batch) for i in range(n)])

    def _enqueue_all(self, elements):
        until = deadline.current()
        with self.cond:
            if self.closed:
                raise self._closed_error()
            for element in elements:
                # An enqueue already waiting when the queue closes waits on, unless the close cancels it.
                while self.capacity is not None and self.size() >= self.capacity:
                    self._wait(until)
                    if self.cancel_enqueues:
                        raise self._closed_error()
                self._put(element)
                self.cond.notify_all()

    def dequeue(self):
        (element,) = self._dequeue(1, allow_smaller=False)
        return element

    def dequeue_many(self, n, allow_smaller=False):
        """n elements as a batch per component (fewer only with `allow_smaller`, after close)."""
        n = int(n)
        if n < 0:
            raise errors.InvalidArgumentError(
                None, None, f"Dequeue requested {n} elements; n must be >= 0")
        taken = self._dequeue(n, allow_smaller)
        return self._batch(taken)

    def _batch(self, taken):
        out = []
        for i, (dtype, shape) in enumerate(zip(self.dtypes, self.shapes, strict=True)):
            if taken:
                out.append(np.stack([element[i] for element in taken]))
            else:
                dims = tuple(0 if d is None else d for d in (shape or ()))
                out.append(np.zeros((0,) + dims, dtype=dtype))
        return tuple(out)

    def _dequeue(self, n, allow_smaller):
        until = deadline.current()
        taken = []
        with self.cond:
            try:
                while len(taken) < n:
                    ready = self._takeable()
                    if ready > 0:
                        for _ in range(min(ready, n - len(taken))):
                            taken.append(self._take())
                        self.cond.notify_all()
                        continue
                    if self.closed:
                        if allow_smaller and (taken or self.size()):
                            taken.extend(self._take() for _ in range(min(self.size(), n - len(taken))))
                            break
                        self._restore(taken)
                        taken = []
                        raise errors.OutOfRangeError(
                            None, None, f"{self.kind} '{self.name}' is closed and has insufficient elements "
                            f"(requested {n}, current size {self.size()})")
                    self._wait(until)
            except errors.OpError:
                if taken:
                    self._restore(taken)
                    self.cond.notify_all()
                raise
        return taken

    def close(self, cancel_pending_enqueues=False):
        with self.cond:
            self.closed = True
            self.cancel_enqueues = self.cancel_enqueues or cancel_pending_enqueues
            self.cond.notify_all()

    def cancel(self):
        """The session closed: every waiting and later operation raises CancelledError."""
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()


class RandomShuffleQueue(Queue):
    """Dequeues a random element, leaving at least `min_after_dequeue` until the queue is closed."""

    kind = "RandomShuffleQueue"

    def __init__(self, name, dtypes, shapes, capacity, min_after_dequeue, seed, seed2):
        super().__init__(name, dtypes, shapes, capacity)
        self.items = []
        self.min_after_dequeue = min_after_dequeue
        self.next_word = SingleSample(Philox.from_attrs(seed, seed2))

    def _take(self):
        items = self.items
        index = self.next_word() % len(items)
        element = items[index]
        items[index] = items[-1]
        items.pop()
        return element

    def _restore(self, taken):
        self.items.extend(taken)

    def _takeable(self):
        if self.closed:
            return len(self.items)
        return max(0, len(self.items) - self.min_after_dequeue)


class PaddingFIFOQueue(Queue):
    """A FIFO queue whose components may vary in shape: `dequeue_many` pads each to the batch's largest
    shape with zeros (empty strings)."""

    kind = "PaddingFIFOQueue"

    def _batch(self, taken):
        out = []
        for i, (dtype, shape) in enumerate(zip(self.dtypes, self.shapes, strict=True)):
            parts = [element[i] for element in taken]
            rank = len(shape)
            dims = tuple(max([p.shape[d] for p in parts], default=0 if shape[d] is None else shape[d])
                         for d in range(rank))
            batch = np.full((len(parts),) + dims, b"" if dtype.kind == "O" else 0, dtype=dtype)
            for j, part in enumerate(parts):
                if part.ndim:
                    batch[(j,) + tuple(slice(0, s) for s in part.shape)] = part
                else:
                    batch[j] = part[()]  # a 0-d object array would be stored as the array itself
            out.append(batch)
        return tuple(out)


class PriorityQueue(Queue):
    """Dequeues the element with the smallest int64 priority (component 0) first; equal priorities leave
    in the order they came (TF leaves their order unspecified)."""

    kind = "PriorityQueue"

    def __init__(self, name, dtypes, shapes, capacity):
        super().__init__(name, dtypes, shapes, capacity)
        self.items = []
        self.arrivals = itertools.count()

    def _element(self, values, batched):
        element = super()._element(values, batched)
        priority = element[0]
        if priority.shape != ((priority.shape[0],) if batched else ()):
            raise errors.InvalidArgumentError(
                None, None, f"Expected the priority component to be a {'vector' if batched else 'scalar'} of "
                f"int64, got shape {_dims(priority.shape)}")
        return element

    def _put(self, element):
        heapq.heappush(self.items, (int(element[0]), next(self.arrivals), element))

    def _take(self):
        return heapq.heappop(self.items)[2]

    def _restore(self, taken):
        for element in taken:
            self._put(element)
