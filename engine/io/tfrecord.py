"""Reading and writing TFRecord files, the container of event files (and of TF's tf.data record files).

The record layout, its masked CRC and `encode_record` are in tfformat/records.py (the format layer).
The writer works over any binary file object. The reader remembers its byte offset, so that a file
still being written can be read again later from where the last read stopped: a truncated last
record ends a read quietly, and the next read retries it from the same offset.
"""

from __future__ import annotations

import os

from engine.framework.errors import DataLossError
from tfformat.records import CRC, FOOTER_SIZE, HEADER_SIZE, LENGTH, crc32c, encode_record, mask

__all__ = ["TFRecordReader", "TFRecordWriter", "encode_record", "read_records"]


class TFRecordWriter:
    """Appends framed records to a binary file object (a real file, or io.BytesIO in tests)."""

    def __init__(self, fileobj):
        self._file = fileobj

    def write(self, record: bytes) -> None:
        self._file.write(encode_record(record))

    def write_many(self, records) -> None:
        """Frames several records and writes them with one call (fewer syscalls)."""
        self._file.write(b"".join(encode_record(r) for r in records))

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class TFRecordReader:
    """Reads the records of one file incrementally.

    `records()` yields each complete record's data from `offset` onward and advances `offset` past
    it. It stops quietly at end of file or at a truncated last record (a writer may still be adding
    it); call `records()` again later to go on from there. A record whose CRCs do not match raises
    `DataLossError` naming the file and the record's offset; `offset` then still points at that
    record, and `skip_corrupt()` moves past it when its length field is intact.
    """

    def __init__(self, path, offset: int = 0, chunk_size: int = 1 << 20):
        self.path = os.fspath(path)
        self.offset = offset
        self._chunk_size = chunk_size
        self._bad_length: int | None = None  # data length of the corrupt record at `offset`

    def records(self):
        crc, unpack_length, unpack_crc = crc32c, LENGTH.unpack_from, CRC.unpack_from
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            buffer = f.read(self._chunk_size)
            pos = 0  # position in `buffer` that corresponds to self.offset
            while True:
                if len(buffer) - pos < HEADER_SIZE:
                    more = f.read(self._chunk_size)
                    if not more:
                        return
                    buffer, pos = buffer[pos:] + more, 0
                    continue
                (length,) = unpack_length(buffer, pos)
                if mask(crc(buffer[pos : pos + 8])) != unpack_crc(buffer, pos + 8)[0]:
                    self._bad_length = None
                    raise self._corrupt("the CRC of its length field does not match")
                end = pos + HEADER_SIZE + length + FOOTER_SIZE
                if end > len(buffer):
                    more = f.read(max(self._chunk_size, end - len(buffer)))
                    if len(buffer) - pos + len(more) < end - pos:
                        return  # truncated tail: retried from self.offset next time
                    buffer, end, pos = buffer[pos:] + more, end - pos, 0
                    continue
                data = buffer[pos + HEADER_SIZE : end - FOOTER_SIZE]
                if mask(crc(data)) != unpack_crc(buffer, end - FOOTER_SIZE)[0]:
                    self._bad_length = length
                    raise self._corrupt("the CRC of its data does not match")
                self.offset += end - pos
                pos = end
                yield data

    def _corrupt(self, what: str) -> DataLossError:
        return DataLossError(None, None,
                             f"corrupted record at byte offset {self.offset} of {self.path}: {what}")

    def skip_corrupt(self) -> bool:
        """Moves past the corrupt record that `records()` last reported.

        Returns False when that cannot be done safely because the record's own length field is
        the corrupt part; then the rest of the file cannot be framed and reading should stop.
        """
        if self._bad_length is None:
            return False
        self.offset += HEADER_SIZE + self._bad_length + FOOTER_SIZE
        self._bad_length = None
        return True


def read_records(path):
    """All complete records of a file, raising DataLossError at the first corrupt one."""
    yield from TFRecordReader(path).records()
