"""The sorted-string table (LevelDB's table format) that holds a V2 checkpoint's `.index`.

Layout of a table file, all fixed-width integers little-endian, varints LEB128:

    data block 0 .. data block N-1     sorted key/value entries, each block followed by a trailer
    metaindex block + trailer          empty here (no filter blocks)
    index block + trailer              one entry per data block: separator key -> BlockHandle
    footer (48 bytes)                  metaindex BlockHandle, index BlockHandle, zero padding to
                                       40 bytes, u64 magic 0xdb4775248b80fb57

A block is a run of entries `varint shared | varint non_shared | varint value_len | key[shared:] |
value`, where `shared` is the length of the prefix the key has in common with the previous key;
every `restart_interval`-th entry stores its whole key (shared = 0) and its offset goes into the
restart array that ends the block: `u32 restart_offset * n | u32 n`. A BlockHandle is
`varint offset | varint size`. A trailer is `u8 compression_type (0 = none) | u32 masked crc32c of
(block contents + type byte)`.

The writer makes the same choices as TensorFlow's table builder (blocks of about 256 KiB, a restart
every 16 keys, one restart per index entry, shortest separator keys), so an index we write is
byte-identical to TensorFlow's for the same entries. The reader checks every checksum and the shape
of the whole file and raises `DataLossError` naming the file on any damage.
"""

from __future__ import annotations

import struct

from engine.framework.errors import DataLossError
from tfformat.records import decode_varint, encode_varint, masked_crc32c

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
_HANDLES_SIZE = 40  # two BlockHandles of at most 10 + 10 varint bytes each, zero-padded
TRAILER_SIZE = 5
NO_COMPRESSION = 0
DEFAULT_BLOCK_SIZE = 262144
DEFAULT_RESTART_INTERVAL = 16

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


def shortest_separator(start: bytes, limit: bytes) -> bytes:
    """A short key k with start <= k < limit (LevelDB's bytewise FindShortestSeparator)."""
    common = 0
    for a, b in zip(start, limit, strict=False):
        if a != b:
            break
        common += 1
    if common >= min(len(start), len(limit)):
        return start  # one key is a prefix of the other: nothing shorter is safe
    byte = start[common]
    if byte < 0xFF and byte + 1 < limit[common]:
        return start[:common] + bytes([byte + 1])
    return start


def short_successor(key: bytes) -> bytes:
    """A short key k >= key (LevelDB's bytewise FindShortSuccessor)."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


class _BlockBuilder:
    def __init__(self, restart_interval: int):
        self._interval = restart_interval
        self._buffer = bytearray()
        self._restarts = [0]
        self._counter = 0
        self._last_key = b""

    def empty(self) -> bool:
        return not self._buffer

    def size_estimate(self) -> int:
        return len(self._buffer) + 4 * len(self._restarts) + 4

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self._counter < self._interval:
            limit = min(len(key), len(self._last_key))
            while shared < limit and key[shared] == self._last_key[shared]:
                shared += 1
        else:
            self._restarts.append(len(self._buffer))
            self._counter = 0
        self._buffer += encode_varint(shared)
        self._buffer += encode_varint(len(key) - shared)
        self._buffer += encode_varint(len(value))
        self._buffer += key[shared:]
        self._buffer += value
        self._last_key = key
        self._counter += 1

    def finish(self) -> bytes:
        tail = b"".join(_U32.pack(r) for r in self._restarts) + _U32.pack(len(self._restarts))
        return bytes(self._buffer) + tail


class TableWriter:
    """Writes a table to a binary file object; keys must be added in strictly increasing order."""

    def __init__(self, fileobj, block_size=DEFAULT_BLOCK_SIZE, restart_interval=DEFAULT_RESTART_INTERVAL):
        self._file = fileobj
        self._block_size = block_size
        self._restart_interval = restart_interval
        self._offset = 0
        self._data_block = _BlockBuilder(restart_interval)
        self._index_block = _BlockBuilder(1)
        self._last_key: bytes | None = None
        self._pending_handle: bytes | None = None  # handle of a flushed block not yet indexed
        self._finished = False

    def add(self, key: bytes, value: bytes) -> None:
        if self._finished:
            raise ValueError("TableWriter.add after finish")
        if self._last_key is not None and key <= self._last_key:
            raise ValueError(f"table keys must be strictly increasing: {key!r} after {self._last_key!r}")
        if self._pending_handle is not None and self._last_key is not None:  # a flushed block has keys
            self._index_block.add(shortest_separator(self._last_key, key), self._pending_handle)
            self._pending_handle = None
        self._data_block.add(key, value)
        self._last_key = key
        if self._data_block.size_estimate() >= self._block_size:
            self._flush()

    def _flush(self) -> None:
        if self._data_block.empty():
            return
        self._pending_handle = self._write_block(self._data_block)
        self._data_block = _BlockBuilder(self._restart_interval)

    def _write_block(self, block: _BlockBuilder) -> bytes:
        contents = block.finish()
        handle = encode_varint(self._offset) + encode_varint(len(contents))
        type_byte = bytes([NO_COMPRESSION])
        self._file.write(contents + type_byte + _U32.pack(masked_crc32c(contents + type_byte)))
        self._offset += len(contents) + TRAILER_SIZE
        return handle

    def finish(self) -> None:
        self._flush()
        self._finished = True
        metaindex_handle = self._write_block(_BlockBuilder(self._restart_interval))
        if self._pending_handle is not None and self._last_key is not None:
            self._index_block.add(short_successor(self._last_key), self._pending_handle)
            self._pending_handle = None
        index_handle = self._write_block(self._index_block)
        handles = metaindex_handle + index_handle
        self._file.write(handles + bytes(_HANDLES_SIZE - len(handles)) + _U64.pack(MAGIC))
        self._offset += FOOTER_SIZE


class TableReader:
    """Reads a whole table held in memory: `.items()` in key order, `.get(key)`.

    Every block's checksum is verified when the table is opened, and the blocks must tile the file
    exactly (data blocks from offset 0, then metaindex, index, footer), so any damaged byte —
    including the footer's padding — is reported as `DataLossError` naming `filename`.
    """

    def __init__(self, data: bytes, filename: str):
        self._data = data
        self._filename = filename
        self._entries: dict[bytes, bytes] = {}
        try:
            self._load()
        except (ValueError, IndexError, struct.error) as exc:
            raise self._error(str(exc)) from None

    def _error(self, detail: str) -> DataLossError:
        return DataLossError(
            None, None, f"Unable to read checkpoint index file {self._filename}: it is corrupt ({detail})"
        )

    def _load(self) -> None:
        data = self._data
        if len(data) < FOOTER_SIZE:
            raise ValueError(f"file is {len(data)} bytes, shorter than a table footer")
        footer_at = len(data) - FOOTER_SIZE
        if _U64.unpack_from(data, footer_at + _HANDLES_SIZE)[0] != MAGIC:
            raise ValueError("bad magic number")
        handles_end = footer_at + _HANDLES_SIZE
        meta_offset, pos = decode_varint(data, footer_at, handles_end)
        meta_size, pos = decode_varint(data, pos, handles_end)
        index_offset, pos = decode_varint(data, pos, handles_end)
        index_size, pos = decode_varint(data, pos, handles_end)
        if any(data[pos:handles_end]):
            raise ValueError("footer padding is not zero")
        if index_offset + index_size + TRAILER_SIZE != footer_at:
            raise ValueError("index block does not end at the footer")
        if meta_offset + meta_size + TRAILER_SIZE != index_offset:
            raise ValueError("metaindex block does not end at the index block")
        if list(self._block_entries(meta_offset, meta_size)):
            raise ValueError("unexpected metaindex entries (filters are not supported)")
        expected_offset = 0
        previous_key = None
        for _separator, handle in self._block_entries(index_offset, index_size):
            offset, hpos = decode_varint(handle, 0, len(handle))
            size, hpos = decode_varint(handle, hpos, len(handle))
            if hpos != len(handle) or offset != expected_offset:
                raise ValueError("data blocks are not contiguous")
            for key, value in self._block_entries(offset, size):
                if previous_key is not None and key <= previous_key:
                    raise ValueError("keys are out of order")
                self._entries[key] = value
                previous_key = key
            expected_offset = offset + size + TRAILER_SIZE
        if expected_offset != meta_offset:
            raise ValueError("data blocks do not end at the metaindex block")

    def _block_entries(self, offset: int, size: int):
        data = self._data
        end = offset + size
        if end + TRAILER_SIZE > len(data):
            raise ValueError(f"block at {offset} runs past the end of the file")
        if data[end] != NO_COMPRESSION:
            raise ValueError(f"block at {offset} has compression type {data[end]}; only none is supported")
        stored_crc = _U32.unpack_from(data, end + 1)[0]
        if masked_crc32c(data[offset : end + 1]) != stored_crc:
            raise ValueError(f"block checksum mismatch at offset {offset}")
        if size < 4:
            raise ValueError(f"block at {offset} is too small")
        num_restarts = _U32.unpack_from(data, end - 4)[0]
        restarts_at = end - 4 - 4 * num_restarts
        if num_restarts < 1 or restarts_at < offset:
            raise ValueError(f"bad restart array in block at {offset}")
        restarts = {offset + _U32.unpack_from(data, restarts_at + 4 * i)[0] for i in range(num_restarts)}
        pos = offset
        key = b""
        while pos < restarts_at:
            entry_at = pos
            shared, pos = decode_varint(data, pos, restarts_at)
            non_shared, pos = decode_varint(data, pos, restarts_at)
            value_len, pos = decode_varint(data, pos, restarts_at)
            if shared > len(key) or pos + non_shared + value_len > restarts_at:
                raise ValueError(f"bad entry at offset {entry_at}")
            if entry_at in restarts and shared:
                raise ValueError(f"restart entry at offset {entry_at} shares a prefix")
            key = key[:shared] + data[pos : pos + non_shared]
            pos += non_shared
            yield key, data[pos : pos + value_len]
            pos += value_len

    def items(self):
        return iter(self._entries.items())

    def get(self, key: bytes) -> bytes | None:
        return self._entries.get(key)

    def __contains__(self, key: bytes) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
