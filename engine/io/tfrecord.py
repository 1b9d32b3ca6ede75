"""TFRecord framing, the container of event files (and of TF's tf.data record files).

One record on disk, all integers little-endian:

    uint64  length
    uint32  masked_crc32c(length bytes)
    byte    data[length]
    uint32  masked_crc32c(data)

The writer works over any binary file object. The reader remembers its byte offset, so that a file
still being written can be read again later from where the last read stopped: a truncated last
record ends a read quietly, and the next read retries it from the same offset.
"""

from __future__ import annotations

import os
import struct

import google_crc32c

from engine.framework.errors import DataLossError

_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
HEADER_SIZE = _LENGTH.size + _CRC.size  # length + its CRC
FOOTER_SIZE = _CRC.size  # CRC of the data
_MASK_DELTA = 0xA282EAD8


def masked_crc32c(data: bytes) -> int:
    """CRC32C rotated right by 15 bits plus a constant, as TFRecord stores it.

    Masking keeps a CRC computed over data that itself contains CRCs from being degenerate.
    """
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One framed record, ready to append to a file."""
    length = _LENGTH.pack(len(data))
    return b"".join(
        (length, _CRC.pack(masked_crc32c(length)), data, _CRC.pack(masked_crc32c(data)))
    )


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
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            buffer = b""
            start = 0  # position in `buffer` that corresponds to self.offset
            while True:
                if len(buffer) - start < HEADER_SIZE:
                    more = f.read(self._chunk_size)
                    if not more:
                        return
                    buffer = buffer[start:] + more
                    start = 0
                    continue
                header = buffer[start : start + HEADER_SIZE]
                length_bytes = header[: _LENGTH.size]
                (length,) = _LENGTH.unpack(length_bytes)
                (length_crc,) = _CRC.unpack_from(header, _LENGTH.size)
                if masked_crc32c(length_bytes) != length_crc:
                    self._bad_length = None
                    raise DataLossError(
                        None, None,
                        f"corrupted record at byte offset {self.offset} of {self.path}: "
                        "the CRC of its length field does not match",
                    )
                end = start + HEADER_SIZE + length + FOOTER_SIZE
                while len(buffer) < end:
                    more = f.read(max(self._chunk_size, end - len(buffer)))
                    if not more:
                        return  # truncated tail: retried from self.offset next time
                    buffer = buffer[start:] + more
                    end -= start
                    start = 0
                data = buffer[start + HEADER_SIZE : end - FOOTER_SIZE]
                (data_crc,) = _CRC.unpack_from(buffer, end - FOOTER_SIZE)
                if masked_crc32c(data) != data_crc:
                    self._bad_length = length
                    raise DataLossError(
                        None, None,
                        f"corrupted record at byte offset {self.offset} of {self.path}: "
                        "the CRC of its data does not match",
                    )
                self.offset += end - start
                start = end
                yield data

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
