"""Reading and writing TFRecord files, the container of event files (and of TF's tf.data record files).

The record layout, its masked CRC and `encode_record` are in tfformat/records.py (the format layer).
The writer works over any binary file object. The reader remembers its byte offset, so that a file
still being written can be read again later from where the last read stopped: a truncated last
record ends a read quietly, and the next read retries it from the same offset.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib

from engine.framework.errors import DataLossError, FailedPreconditionError, NotFoundError
from tfformat.records import CRC, FOOTER_SIZE, HEADER_SIZE, LENGTH, crc32c, encode_record, mask

__all__ = [
    "TFRecordCompressionType", "TFRecordOptions", "TFRecordReader", "TFRecordWriter", "encode_record",
    "open_record_stream", "read_records", "stream_records", "tf_record_iterator",
]


class TFRecordCompressionType:
    """``tf.io.TFRecordCompressionType``: the compression of a whole TFRecord file."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """``tf.io.TFRecordOptions``: a file's compression and zlib's settings for writing it.

    None leaves zlib's setting at TensorFlow's default (level 6, window 15 bits, memory level 9).
    ``input_buffer_size``/``output_buffer_size``/``flush_mode`` are accepted for TF's signature; Python's
    zlib picks its own buffers and `flush()` only pushes out what zlib has already produced, as TF's does.
    """

    compression_type_map = {
        TFRecordCompressionType.ZLIB: "ZLIB",
        TFRecordCompressionType.GZIP: "GZIP",
        TFRecordCompressionType.NONE: "",
    }

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None, compression_method=None,
                 mem_level=None, compression_strategy=None):
        self.get_compression_type_string(compression_type)  # ValueError now rather than at first use
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """"ZLIB", "GZIP" or "" from TFRecordOptions, a TFRecordCompressionType value or a string."""
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if options in cls.compression_type_map:
            return cls.compression_type_map[options]
        if options in cls.compression_type_map.values():
            return options
        raise ValueError(f'Not a valid compression_type: "{options}"')

    def _compressor(self):
        """A zlib compressobj writing this file's stream (None for no compression)."""
        kind = self.get_compression_type_string(self)
        if not kind:
            return None
        bits = self.window_bits if self.window_bits is not None else zlib.MAX_WBITS
        return zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION if self.compression_level is None else self.compression_level,
            zlib.DEFLATED if self.compression_method is None else self.compression_method,
            bits + 16 if kind == "GZIP" else bits,  # +16: a gzip header and trailer, as zlib spells it
            9 if self.mem_level is None else self.mem_level,  # TF's default; zlib's own is 8
            zlib.Z_DEFAULT_STRATEGY if self.compression_strategy is None else self.compression_strategy,
        )


def _as_options(options) -> TFRecordOptions:
    if isinstance(options, TFRecordOptions):
        return options
    return TFRecordOptions(TFRecordOptions.get_compression_type_string(options))


def _not_found(path, error: OSError) -> NotFoundError:
    return NotFoundError(None, None, f"{path}; {error.strerror or 'No such file or directory'}")


class TFRecordWriter:
    """``tf.io.TFRecordWriter(path, options=None)``: writes framed records to a file, optionally compressed.

    `path` may also be an open binary file object (a real file, or io.BytesIO in tests); the writer then
    does not own it until `close()`. `options`: a TFRecordOptions, "GZIP", "ZLIB" or "" (none). The
    compressed stream is zlib's with TF's settings, so a file is byte for byte what TensorFlow writes.
    """

    def __init__(self, path, options=None):
        options = _as_options(options)
        if hasattr(path, "write"):
            self._file = path
        else:
            try:
                self._file = open(os.fspath(path), "wb")  # noqa: SIM115 - closed by close()
            except FileNotFoundError as error:
                raise _not_found(os.fspath(path), error) from None
        self._compressor = options._compressor()
        self._closed = False

    def _put(self, data: bytes) -> None:
        if self._closed:
            raise FailedPreconditionError(None, None, "Writer is closed.")
        if self._compressor is not None:
            data = self._compressor.compress(data)
        self._file.write(data)

    def write(self, record) -> None:
        """Appends one record (bytes; a str is written as its UTF-8 bytes, as TF's binding does)."""
        self._put(encode_record(record.encode() if isinstance(record, str) else bytes(record)))

    def write_many(self, records) -> None:
        """Frames several records and writes them with one call (fewer syscalls)."""
        self._put(b"".join(encode_record(r) for r in records))

    def flush(self) -> None:
        if self._closed:
            raise FailedPreconditionError(None, None, "Writer is closed.")
        self._file.flush()

    def close(self) -> None:
        if self._closed:
            return
        if self._compressor is not None:
            self._file.write(self._compressor.flush(zlib.Z_FINISH))
        self._file.close()
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


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


class _ZlibReader(io.RawIOBase):
    """A raw binary stream of the inflated bytes of a ZLIB-compressed file (io.BufferedReader wraps it)."""

    def __init__(self, raw, chunk_size: int = 1 << 16):
        self._raw = raw
        self._inflate = zlib.decompressobj()
        self._pending = b""
        self._chunk_size = chunk_size

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._pending:
            chunk = self._raw.read(self._chunk_size)
            if not chunk:
                self._pending = self._inflate.flush()
                if not self._pending:
                    return 0
                break
            self._pending = self._inflate.decompress(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self):
        self._raw.close()
        super().close()


def _inflate_error(error: Exception) -> DataLossError:
    """zlib's and gzip's errors as TF's record reader words them (`inflate() failed with error -3: ...`)."""
    match = re.match(r"Error (-?\d+) while decompressing data: (.*)", str(error))
    text = f"inflate() failed with error {match[1]}: {match[2]}" if match else str(error)
    return DataLossError(None, None, text)


def _framed_records(stream):
    """The records of a binary stream of TFRecord framing, with TF's DataLossError texts."""
    offset = 0
    unpack_length, unpack_crc = LENGTH.unpack_from, CRC.unpack_from
    while True:
        header = stream.read(HEADER_SIZE)
        if not header:
            return
        if len(header) < HEADER_SIZE:
            raise _truncated(offset)
        if mask(crc32c(header[:8])) != unpack_crc(header, 8)[0]:
            raise DataLossError(None, None, f"corrupted record at {offset}")
        (length,) = unpack_length(header, 0)
        body = stream.read(length + FOOTER_SIZE)
        if len(body) < length + FOOTER_SIZE:
            raise _truncated(offset)
        data = body[:length]
        if mask(crc32c(data)) != unpack_crc(body, length)[0]:
            raise DataLossError(None, None, f"corrupted record at {offset + HEADER_SIZE}")
        offset += HEADER_SIZE + length + FOOTER_SIZE
        yield data


def _truncated(offset: int) -> DataLossError:
    # TF's text, stray quote included (its reader wraps a status message it quotes only half of).
    text = f"truncated record at {offset}' failed with Read less bytes than requested"
    return DataLossError(None, None, text)


def open_record_stream(path, compression_type: str = ""):
    """A binary stream of the framed bytes of a TFRecord file, inflated for "ZLIB" and "GZIP"."""
    path = os.fspath(path)
    try:
        if compression_type == "GZIP":
            return gzip.GzipFile(path, "rb")  # it closes the file it opens
        raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except FileNotFoundError as error:
        raise _not_found(path, error) from None
    if compression_type == "ZLIB":
        return io.BufferedReader(_ZlibReader(raw))
    return raw


def stream_records(stream):
    """Each record of an open stream from `open_record_stream`, which it closes at the end."""
    with stream:
        try:
            yield from _framed_records(stream)
        except (zlib.error, gzip.BadGzipFile, EOFError) as error:
            raise _inflate_error(error) from None


def tf_record_iterator(path, options=None):
    """``tf.io.tf_record_iterator(path, options=None)``: an iterator of a TFRecord file's records (bytes).

    The file is opened at once (TF's NotFoundError when it is missing); records are read as iterated.
    """
    return stream_records(open_record_stream(path, TFRecordOptions.get_compression_type_string(options)))
