"""TF1's readers: `tf.TFRecordReader`, `tf.TextLineReader`, `tf.WholeFileReader`,
`tf.FixedLengthRecordReader`, `tf.IdentityReader` (`tf.ReaderBase`), with TF's ops and keys.

A reader op (`TFRecordReaderV2`, ...) outputs a `resource`: the session's reader state, made on first
use.  `ReaderReadV2(reader, queue)` gives the next (key, value) record; when the reader has no work
item (file name) or finished one, it dequeues the next from the queue (blocking; OutOfRangeError with
the queue's text once it is closed and empty).  `ReaderReadUpToV2` gives up to n records of one work
item.  Keys are TF's: "file:byte offset" of a TFRecord, "file:line number" (from 1, header lines
counted) of a text line, "file:record index" of a fixed-length record, the file name for a whole file,
the work item itself for the IdentityReader.  One lock per reader serialises its reads, as TF's
ReaderBase mutex does.
"""

from __future__ import annotations

import collections
import threading

import numpy as np

from engine.framework import dtypes as _dtypes
from engine.framework import errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.io.tfrecord import FOOTER_SIZE, HEADER_SIZE, open_record_stream, stream_records
from engine.ops import queues
from engine.ops.op_util import make_op, make_tensor

__all__ = [
    "FixedLengthRecordReader", "IdentityReader", "ReaderBase", "TFRecordReader", "TextLineReader",
    "WholeFileReader",
]


def _text(value):
    value = value[()] if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


# --- what a reader op holds in a session --------------------------------------------------------------
class _ReaderState:
    """A reader in one session: its current work item's records and its counters."""

    def __init__(self, name, records):
        self.name = name
        self.records_of = records  # work item (str) -> iterator of (key bytes, value bytes)
        self.lock = threading.Lock()
        self.work = None
        self.produced = 0
        self.completed = 0

    def _next_work(self, queue):
        work = queue.dequeue()[0]
        self.work = self.records_of(_text(work))

    def _finish_work(self):
        self.work = None
        self.completed += 1

    def read(self, queue):
        with self.lock:
            while True:
                if self.work is None:
                    self._next_work(queue)
                record = next(self.work, None)
                if record is not None:
                    self.produced += 1
                    return record
                self._finish_work()

    def read_up_to(self, queue, n):
        """Up to n records, all of one work item (the next ones, once the current item is exhausted)."""
        n = int(n)
        if n <= 0:
            raise errors.InvalidArgumentError(None, None, f"num_records must be > 0, got {n}")
        with self.lock:
            while True:
                if self.work is None:
                    self._next_work(queue)
                batch = []
                for record in self.work:
                    batch.append(record)
                    if len(batch) == n:
                        break
                else:
                    self._finish_work()
                if batch:
                    self.produced += len(batch)
                    keys = np.empty(len(batch), dtype=object)
                    values = np.empty(len(batch), dtype=object)
                    keys[:], values[:] = [k for k, _ in batch], [v for _, v in batch]
                    return keys, values

    def reset(self):
        with self.lock:
            self.work, self.produced, self.completed = None, 0, 0

    def cancel(self):
        """The session closed; a read waiting on its queue is cancelled by the queue itself."""


def _tfrecords(op):
    compression = _text(op._get_attr_or("compression_type", b""))

    def records(path):
        offset = 0
        for record in stream_records(open_record_stream(path, compression)):
            yield f"{path}:{offset}".encode(), record
            offset += HEADER_SIZE + len(record) + FOOTER_SIZE

    return records


def _opened(path, compression=""):
    try:
        return open_record_stream(path, compression)
    except errors.NotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None


def _text_lines(op):
    skip = int(op._get_attr_or("skip_header_lines", 0))

    def records(path):
        with _opened(path) as stream:
            for number, line in enumerate(stream, start=1):
                if number <= skip:
                    continue
                if line.endswith(b"\n"):
                    line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                yield f"{path}:{number}".encode(), line

    return records


def _whole_files(op):
    def records(path):
        with _opened(path) as stream:
            yield path.encode(), stream.read()

    return records


def _fixed_length(op):
    header, record = int(op.get_attr("header_bytes")), int(op.get_attr("record_bytes"))
    footer, hop = int(op.get_attr("footer_bytes")), int(op.get_attr("hop_bytes"))
    encoding = _text(op._get_attr_or("encoding", b""))

    def records(path):
        with _opened(path, encoding) as stream:
            data = stream.read()
        limit, start, index = len(data) - footer, header, 0
        while start + record <= limit:  # a partial record at the end is dropped, as TF's reader does
            yield f"{path}:{index}".encode(), data[start:start + record]
            start += hop or record
            index += 1

    return records


def _identity(op):
    def records(work):
        yield work.encode(), work.encode()

    return records


def _reader_compiler(records_for):
    def compile_reader(op, runtime):
        shared = op._get_attr_or("shared_name", b"")
        key = ("reader", shared) if shared else op

        def kernel():
            return runtime.resource(key, lambda: _ReaderState(queues.resource_name(op), records_for(op)))

        return kernel

    return compile_reader


def _infer_handle(op):
    return [(_dtypes.resource, _ts.TensorShape([]))]


_READER_ATTRS = {"container": "", "shared_name": ""}
for _type, _records in (("TFRecordReaderV2", _tfrecords), ("TextLineReaderV2", _text_lines),
                        ("WholeFileReaderV2", _whole_files), ("FixedLengthRecordReaderV2", _fixed_length),
                        ("IdentityReaderV2", _identity)):
    registry.register_op(_type, infer=_infer_handle, compile=_reader_compiler(_records), stateful=True,
                         attrs=_READER_ATTRS)

_SCALAR_STRING = (_dtypes.string, _ts.TensorShape([]))
_VECTOR_STRING = (_dtypes.string, _ts.TensorShape([None]))
_SCALAR_INT64 = (_dtypes.int64, _ts.TensorShape([]))
registry.register_op("ReaderReadV2", infer=lambda op: [_SCALAR_STRING, _SCALAR_STRING],
                     kernel=lambda reader, queue: reader.read(queue), stateful=True,
                     inputs=("reader_handle", "queue_handle"))
registry.register_op("ReaderReadUpToV2", infer=lambda op: [_VECTOR_STRING, _VECTOR_STRING],
                     kernel=lambda reader, queue, n: reader.read_up_to(queue, n), stateful=True,
                     inputs=("reader_handle", "queue_handle", "num_records"))
registry.register_op("ReaderNumRecordsProducedV2", infer=lambda op: [_SCALAR_INT64],
                     kernel=lambda reader: np.int64(reader.produced), stateful=True,
                     inputs=("reader_handle",))
registry.register_op("ReaderNumWorkUnitsCompletedV2", infer=lambda op: [_SCALAR_INT64],
                     kernel=lambda reader: np.int64(reader.completed), stateful=True,
                     inputs=("reader_handle",))
registry.register_op("ReaderResetV2", infer=lambda op: [], kernel=lambda reader: reader.reset(),
                     stateful=True, inputs=("reader_handle",))

# TF's ops return namedtuples of their outputs.
ReaderReadV2 = collections.namedtuple("ReaderReadV2", ["key", "value"])
ReaderReadUpToV2 = collections.namedtuple("ReaderReadUpToV2", ["keys", "values"])


def _queue_ref(queue):
    return queue if isinstance(queue, ops.Tensor) else queue.queue_ref


# --- tf.ReaderBase and its kinds ---------------------------------------------------------------------------
class ReaderBase:
    """``tf.ReaderBase``: reads records from the work items (file names) a queue holds."""

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        return self._reader_ref

    @property
    def supports_serialize(self):
        """False: the engine's readers cannot save and restore their position (TF's own say False too)."""
        return self._supports_serialize

    def read(self, queue, name=None):
        """The next record as (key, value) string scalars, dequeuing work items from `queue` as needed."""
        op = make_op("ReaderReadV2", [self._reader_ref, _queue_ref(queue)], name=name or "ReaderReadV2")
        return ReaderReadV2(*op.outputs)

    def read_up_to(self, queue, num_records, name=None):
        """Up to `num_records` records of one work item, as (keys, values) string vectors."""
        with ops.name_scope(name, "ReaderReadUpToV2", [self._reader_ref]) as scope:
            n = ops.convert_to_tensor(num_records, dtype=_dtypes.int64, name="num_records")
            op = make_op("ReaderReadUpToV2", [self._reader_ref, _queue_ref(queue), n], name=scope)
        return ReaderReadUpToV2(*op.outputs)

    def num_records_produced(self, name=None):
        """How many records this reader has produced in the session (an int64 scalar)."""
        return make_tensor("ReaderNumRecordsProducedV2", [self._reader_ref],
                           name=name or "ReaderNumRecordsProducedV2")

    def num_work_units_completed(self, name=None):
        """How many work items this reader has finished in the session (an int64 scalar)."""
        return make_tensor("ReaderNumWorkUnitsCompletedV2", [self._reader_ref],
                           name=name or "ReaderNumWorkUnitsCompletedV2")

    def reset(self, name=None):
        """An op restoring the reader to its initial clean state."""
        return make_op("ReaderResetV2", [self._reader_ref], name=name or "ReaderResetV2")


def _reader(op_type, name, attrs=None):
    return make_tensor(op_type, [], name=name or op_type, attrs={"container": "", "shared_name": "",
                                                                  **(attrs or {})})


class TFRecordReader(ReaderBase):
    """``tf.TFRecordReader(name=None, options=None)``: the records of TFRecord files (GZIP/ZLIB too)."""

    def __init__(self, name=None, options=None):
        from engine.io.tfrecord import TFRecordOptions

        compression = TFRecordOptions.get_compression_type_string(options) or ""
        super().__init__(_reader("TFRecordReaderV2", name, {"compression_type": compression}))


class TextLineReader(ReaderBase):
    """``tf.TextLineReader(skip_header_lines=None, name=None)``: the lines of text files, without "\\n"."""

    def __init__(self, skip_header_lines=None, name=None):
        skip = int(skip_header_lines or 0)
        super().__init__(_reader("TextLineReaderV2", name, {"skip_header_lines": skip}))


class WholeFileReader(ReaderBase):
    """``tf.WholeFileReader(name=None)``: each file whole, keyed by its name."""

    def __init__(self, name=None):
        super().__init__(_reader("WholeFileReaderV2", name))


class FixedLengthRecordReader(ReaderBase):
    """``tf.FixedLengthRecordReader(record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None,
    name=None, encoding=None)``: records of `record_bytes` between a header and a footer, every
    `hop_bytes` bytes (default: back to back)."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None, name=None,
                 encoding=None):
        super().__init__(_reader("FixedLengthRecordReaderV2", name, {
            "header_bytes": int(header_bytes or 0), "record_bytes": int(record_bytes),
            "footer_bytes": int(footer_bytes or 0), "hop_bytes": int(hop_bytes or 0),
            "encoding": encoding or ""}))


class IdentityReader(ReaderBase):
    """``tf.IdentityReader(name=None)``: each work item as both key and value."""

    def __init__(self, name=None):
        super().__init__(_reader("IdentityReaderV2", name))
