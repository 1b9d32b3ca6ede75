"""``tf.summary.FileWriter`` and ``tf.summary.FileWriterCache`` (TensorFlow 1.x).

A FileWriter turns summaries, graphs and session logs into ``Event`` records in a new
``events.out.tfevents.{seconds}.{hostname}{suffix}`` file of ``logdir``; the writing itself happens on a
background thread (engine/summary/event_file_writer.py explains the queue and when data reaches the file).

Differences from TF, on purpose:
- There is no ``session=`` argument (TF's writer through summary ops in a session's graph): a FileWriter
  here always writes to its own file, so passing one is a TypeError.
- ``max_queue`` bounds batches of events rather than single events (see event_file_writer.py).
- Events reach the OS within ``min(flush_secs, 1 s)``, and a SIGTERM writes them before the process ends
  (TF waits up to ``flush_secs`` and loses them on a kill); see docs/reliability.md.
- The ``meta_graph_def`` event (written, as in TF, only when the constructor is given a graph) comes from
  engine/train/meta_graph.py (``stripped_op_list`` with TF's full OpDefs); its collections come from the
  written graph rather than the default graph.

A ``logdir`` that is a URL (``s3://bucket/run``, ``gs://``, ``az://``, ``memory://``: any fsspec
filesystem) is written as TF's S3 and GCS filesystems write one: object stores cannot append, so the
records are staged in a local file and the whole object is uploaded again on every ``flush()``, every
``flush_secs`` while it grew, and on ``close()`` (each upload replaces the object at once, so a reader
never sees a torn upload; see docs/remote-logdirs.md).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import weakref

from engine.gfile import is_remote_path, remote_filesystem
from engine.proto import event_pb2, graph_pb2, meta_graph_pb2, summary_pb2
from tfformat.records import encode_record

from .event_file_writer import EventFileWriter
from .scalar_records import is_plain_scalar_prefix, summary_event

logger = logging.getLogger(__name__)


def _is_graph(obj) -> bool:
    """An engine Graph (or anything that serializes itself like one), as opposed to a GraphDef."""
    return hasattr(obj, "as_graph_def") and not isinstance(obj, graph_pb2.GraphDef)


def _meta_graph_def(graph, graph_def):
    """The MetaGraphDef TF's FileWriter writes: ``create_meta_graph_def(graph_def=...)``.

    TF takes the collections from the *default* graph even when the writer was given another one; we
    take them from the graph being written (the same graph in every usual program). A bare GraphDef
    comes without collections.
    """
    from engine.train.meta_graph import create_meta_graph_def  # the Saver's exporter; imported late

    if graph is None:
        return create_meta_graph_def(graph_def=graph_def, collection_list=[])
    return create_meta_graph_def(graph=graph, graph_def=graph_def)


class _ObjectStoreEventWriter(EventFileWriter):
    """An `EventFileWriter` whose file lives on object storage (see the module docstring): the
    writer thread fills a staged local file, and `_upload` puts the whole file as the object."""

    def __init__(self, url: str, max_queue: int, flush_secs: float, filename_suffix):
        self._url = url.rstrip("/")
        self._fs, self._root = remote_filesystem(self._url)
        self._root = self._root.rstrip("/")
        self._staging = tempfile.mkdtemp(prefix="engine-events-")
        self._upload_lock = threading.Lock()
        super().__init__(self._staging, max_queue, flush_secs, filename_suffix)
        weakref.finalize(self, shutil.rmtree, self._staging, ignore_errors=True)
        self._start_uploads()

    def _start_uploads(self) -> None:
        self._uploaded_size = -1
        self._stop = threading.Event()
        # the thread holds the writer weakly, so an unclosed writer can still be collected
        threading.Thread(target=_upload_every, args=(weakref.ref(self), self._stop, self._flush_secs),
                         name="engine-event-upload", daemon=True).start()
        # uploads what is left when the writer is collected or at interpreter exit
        self._final = weakref.finalize(self, _final_upload, self._sink, self._upload_target(), self._fs)

    def _upload_target(self) -> str:
        return f"{self._root}/{os.path.basename(self._sink.path)}"

    def _upload(self) -> None:
        with self._upload_lock:
            size = os.path.getsize(self._sink.path)
            if size != self._uploaded_size:
                self._fs.put_file(self._sink.path, self._upload_target())
                self._uploaded_size = size

    def get_logdir(self) -> str:
        return self._url

    @property
    def path(self) -> str:
        return f"{self._url}/{os.path.basename(self._sink.path)}"

    def flush(self) -> None:
        super().flush()
        self._upload()

    def close(self) -> None:
        if self._sink.closed:
            return
        self._stop.set()
        super().close()
        self._upload()  # errors reach the caller here, unlike at exit
        self._final.detach()
        # the staged copy is emptied but keeps its name, so that a reopen() in the same second
        # picks the next name (engine/summary/event_file_writer.py) instead of overwriting the object
        os.truncate(self._sink.path, 0)

    def reopen(self) -> None:
        if self._sink.closed:
            super().reopen()  # a new staged file, so a new object
            self._start_uploads()


def _upload_every(ref, stop: threading.Event, seconds: float) -> None:
    while not stop.wait(max(seconds, 1.0)):
        writer = ref()
        if writer is None:
            return
        try:
            writer._upload()
        except (OSError, ValueError) as error:  # tried again at the next tick, and on flush/close
            logger.warning("could not upload %s: %s", writer.path, error)
        del writer


def _final_upload(sink, target: str, fs) -> None:
    try:
        sink.close()
        fs.put_file(sink.path, target)
    except Exception as error:  # noqa: BLE001 - at exit there is no caller left to raise to
        logger.warning("could not upload %s: %s", target, error)


class FileWriter:
    """Writes ``Event`` protos to an event file in ``logdir`` (``tf.summary.FileWriter``).

    ``FileWriter(logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None, filename_suffix=None)``.
    With a graph, the file starts with its ``graph_def`` and a ``meta_graph_def`` event, as TF writes them.
    Use as a context manager, or call ``close()``; a writer left open is flushed when it is
    garbage-collected or when the interpreter exits.
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None):
        if is_remote_path(logdir):
            self.event_writer = _ObjectStoreEventWriter(logdir, max_queue, flush_secs, filename_suffix)
        else:
            self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._closed = False
        self._lock = threading.Lock()
        self._seen_summary_tags: set[str] = set()
        self._plain_scalar_prefixes: set[bytes] = set()
        self._session_run_tags: set[str] = set()
        if graph is not None or graph_def is not None:
            written = self.add_graph(graph=graph, graph_def=graph_def)
            # TF's FileWriter also exports the meta graph here (and only here, not in add_graph)
            source = graph if graph is not None else graph_def
            self.add_meta_graph(_meta_graph_def(source if _is_graph(source) else None, written))

    def _remember_plain_scalar_prefix(self, prefix: bytes) -> bool:
        if len(prefix) > 1 and prefix[-1] == 0x15 and is_plain_scalar_prefix(prefix):
            if len(self._plain_scalar_prefixes) < 10_000:  # bounded: tags are few, values are not
                self._plain_scalar_prefixes.add(prefix)
            return True
        return False

    # ----------------------------------------------------------------------------------------------
    def get_logdir(self) -> str:
        """The directory the event file is written to."""
        return self.event_writer.get_logdir()

    def _warn_if_closed(self) -> bool:
        if self._closed:
            logger.warning("Attempting to use a closed FileWriter. The operation will be a noop unless the "
                           "FileWriter is explicitly reopened.")
        return self._closed

    def _add_event(self, event, step) -> None:
        event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_event(self, event) -> None:
        """Adds an ``Event`` as it is (its wall_time and step are not touched)."""
        if not self._warn_if_closed():
            self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None) -> None:
        """Adds a ``Summary`` protobuf or its serialized bytes (what running a summary op returns).

        As in TF, a value's ``metadata`` is kept only the first time its tag appears in this writer.
        The Summary is serialized once and the Event's few bytes are framed around it (no Event object
        is built); plain scalars (one tag + simple_value, no metadata: the common case) are queued
        without even that, for the writer thread to encode in bulk.
        """
        kind = type(summary)
        if not self._closed and (kind is bytes or kind is summary_pb2.Summary):
            data = summary if kind is bytes else summary.SerializeToString()
            prefix = data[:-4]  # the hot path, inlined: plain scalars skip the rest
            if prefix in self._plain_scalar_prefixes or self._remember_plain_scalar_prefix(prefix):
                if type(global_step) is not int:
                    global_step = 0 if global_step is None else int(global_step)
                self.event_writer.add_scalar_entry(prefix, global_step, time.time(), data)
                return
        if self._warn_if_closed():
            return
        if isinstance(summary, summary_pb2.Summary):
            data = summary.SerializeToString()
        elif isinstance(summary, bytes | bytearray | memoryview):
            data = bytes(summary)
            summary = summary_pb2.Summary.FromString(data)  # also refuses bytes that are no Summary
        else:
            raise TypeError(f"add_summary expects a Summary protobuf or its serialized bytes, got "
                            f"{type(summary).__name__}")
        if any(value.HasField("metadata") for value in summary.value):
            data = self._strip_repeated_metadata(summary)
        step = 0 if global_step is None else int(global_step)
        self.event_writer.add_record(encode_record(summary_event(data, step, time.time())))

    def _strip_repeated_metadata(self, summary) -> bytes:
        """The Summary's bytes with metadata dropped from values whose tag this writer has seen."""
        copy = summary_pb2.Summary()
        copy.CopyFrom(summary)  # the caller's proto is not modified
        with self._lock:
            for value in copy.value:
                if not value.HasField("metadata"):
                    continue
                if value.tag in self._seen_summary_tags:
                    value.ClearField("metadata")
                else:
                    self._seen_summary_tags.add(value.tag)
        return copy.SerializeToString()

    def add_session_log(self, session_log, global_step=None) -> None:
        """Adds a ``SessionLog`` (START, STOP, CHECKPOINT) event."""
        if not self._warn_if_closed():
            self._add_event(event_pb2.Event(session_log=session_log), global_step)

    def add_graph(self, graph=None, global_step=None, graph_def=None):
        """Adds a ``graph_def`` event for a Graph (with ``_output_shapes``, as TF) or a GraphDef.

        A GraphDef may also be TensorFlow's or TensorBoard's own message class. Returns the GraphDef
        written (None when the writer is closed).
        """
        if self._warn_if_closed():
            return None
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        source = graph if graph is not None else graph_def
        if _is_graph(source):
            written = source.as_graph_def(add_shapes=True)
        elif isinstance(source, graph_pb2.GraphDef):
            written = source
        elif _looks_like_foreign_graph_def(source):
            written = graph_pb2.GraphDef.FromString(source.SerializeToString())
        else:
            raise TypeError("The passed graph must be an instance of `Graph` or the deprecated `GraphDef`")
        self._add_event(event_pb2.Event(graph_def=written.SerializeToString()), global_step)
        return written

    def add_meta_graph(self, meta_graph_def, global_step=None) -> None:
        """Adds a ``meta_graph_def`` event."""
        if self._warn_if_closed():
            return
        if not isinstance(meta_graph_def, meta_graph_pb2.MetaGraphDef):
            raise TypeError(f"meta_graph_def must be type MetaGraphDef, saw type: {type(meta_graph_def)}")
        serialized = meta_graph_def.SerializeToString(deterministic=True)
        self._add_event(event_pb2.Event(meta_graph_def=serialized), global_step)

    def add_run_metadata(self, run_metadata, tag, global_step=None) -> None:
        """Adds a ``RunMetadata`` under ``tag`` (a ``tagged_run_metadata`` event); each tag only once."""
        if self._warn_if_closed():
            return
        with self._lock:
            if tag in self._session_run_tags:
                raise ValueError("The provided tag was already used for this event type")
            self._session_run_tags.add(tag)
        tagged = event_pb2.TaggedRunMetadata(tag=tag, run_metadata=run_metadata.SerializeToString())
        self._add_event(event_pb2.Event(tagged_run_metadata=tagged), global_step)

    def flush(self) -> None:
        """Writes everything added so far to the file and hands it to the OS."""
        if not self._warn_if_closed():
            self.event_writer.flush()

    def close(self) -> None:
        """Flushes and closes the file; later calls are no-ops until ``reopen()``."""
        self.event_writer.close()
        self._closed = True

    def reopen(self) -> None:
        """After ``close()``, continues in a new event file in the same logdir; no-op while open."""
        if self._closed:
            self.event_writer.reopen()
            self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _looks_like_foreign_graph_def(obj) -> bool:
    """A GraphDef message from another package (TensorFlow's, TensorBoard's copy)."""
    descriptor = getattr(obj, "DESCRIPTOR", None)
    return descriptor is not None and descriptor.name == "GraphDef" and hasattr(obj, "SerializeToString")


class FileWriterCache:
    """One FileWriter per logdir, shared (``tf.summary.FileWriterCache``)."""

    _cache: dict[str, FileWriter] = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir) -> FileWriter:
        """The cached FileWriter for ``logdir``, created with the default graph on first use."""
        from engine.framework.ops import get_default_graph

        with FileWriterCache._lock:
            key = str(logdir)
            if key not in FileWriterCache._cache:
                FileWriterCache._cache[key] = FileWriter(logdir, graph=get_default_graph())
            return FileWriterCache._cache[key]

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()
