"""Encodes many scalar events at once into framed TFRecords, with numpy.

A scalar event is ``Event(wall_time, step, summary=Summary(value=[Value(tag, simple_value)]))``. For one
tag, every such record has the same bytes except the wall time, the step varint and the float, so a batch
of them is a ``(n, record_length)`` byte array filled from one template, column by column. The record's
data CRC is computed the same way: CRC32C is affine over GF(2) for a fixed length, so

    crc(template ^ delta) == crc(template) ^ XOR over positions p of T_p[delta[p]]

where ``T_p[b] = crc(zeros with b at p) ^ crc(zeros)``. The tables cost 8 real CRCs per varying byte and are
cached per record length; a batch then costs one table lookup per varying byte per record.

The bytes equal what protobuf serializes for the same Event (fields in number order, proto3 zero step
left out), so readers cannot tell the two paths apart; ``tests/engine/test_summary_records.py`` checks
that byte for byte against ``Event.SerializeToString()`` + ``encode_record``.

Record layout (see engine/io/tfrecord.py), with the Event's bytes in the middle:

    u64 length | u32 masked crc(length) |
    09 f64 wall_time | [10 varint step] | 2a varint len(summary) | summary |
    u32 masked crc(data)
"""

from __future__ import annotations

import functools
import struct

import google_crc32c
import numpy as np

from engine.io.tfrecord import masked_crc32c

_MASK_DELTA = 0xA282EAD8
_WALL_TIME_TAG = b"\x09"  # Event.wall_time, field 1, fixed64
_STEP_TAG = b"\x10"  # Event.step, field 2, varint
_SUMMARY_TAG = b"\x2a"  # Event.summary, field 5, length-delimited


def varint(value: int) -> bytes:
    """Protobuf base-128 varint; negative int64 values take ten bytes, as protobuf writes them."""
    value &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def summary_event(summary: bytes, step: int, wall_time: float) -> bytes:
    """The bytes of ``Event(wall_time=wall_time, step=step, summary=Summary.FromString(summary))``.

    Framed around the serialized Summary so that no Event object is built and the Summary is not
    parsed again; proto3 leaves step 0 out, as protobuf does.
    """
    head = _WALL_TIME_TAG + struct.pack("<d", wall_time)
    if step:
        head += _STEP_TAG + varint(step)
    return head + _SUMMARY_TAG + varint(len(summary)) + summary


def scalar_summary_prefix(tag: str) -> bytes:
    """The bytes of ``Summary(value=[Value(tag=tag, simple_value=x)])`` that precede the 4 float bytes."""
    tag_bytes = tag.encode("utf-8")
    # Value.tag (proto3 leaves an empty string out), then simple_value's key
    value = (b"\x0a" + varint(len(tag_bytes)) + tag_bytes if tag_bytes else b"") + b"\x15"
    return b"\x0a" + varint(len(value) + 4) + value  # Summary.value


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def is_plain_scalar_prefix(prefix: bytes) -> bool:
    """True when ``prefix + 4 float bytes`` is exactly a one-value, tag + simple_value Summary.

    Such summaries carry no metadata, so a writer may pass them through without parsing them.
    """
    try:
        if prefix[0] != 0x0A:
            return False
        _, pos = _read_varint(prefix, 1)
        if prefix[pos:] == b"\x15":
            return scalar_summary_prefix("") == prefix
        if prefix[pos] != 0x0A:
            return False
        tag_length, pos = _read_varint(prefix, pos + 1)
        tag = prefix[pos : pos + tag_length].decode("utf-8")
    except (IndexError, UnicodeDecodeError):
        return False
    return scalar_summary_prefix(tag) == prefix


@functools.lru_cache(maxsize=256)
def _crc_tables(data_length: int, positions: tuple[int, ...]) -> np.ndarray:
    """One 256-entry table per varying byte position: ``T_p[b] = crc(b at p) ^ crc(zeros)``."""
    zeros = bytes(data_length)
    base = google_crc32c.value(zeros)
    byte_values = np.arange(256, dtype=np.uint32)
    tables = np.zeros((len(positions), 256), dtype=np.uint32)
    for row, position in enumerate(positions):
        for bit in range(8):
            probe = bytearray(zeros)
            probe[position] = 1 << bit
            contribution = np.uint32(google_crc32c.value(bytes(probe)) ^ base)
            tables[row] ^= np.where((byte_values >> bit) & 1, contribution, np.uint32(0))
    return tables


def _varint_lengths(steps: np.ndarray) -> np.ndarray:
    """Bytes each step's varint takes; 0 for step 0, which proto3 leaves out of the Event."""
    lengths = np.zeros(steps.shape, dtype=np.int64)
    for k in range(10):
        lengths += steps >= np.uint64(1) << np.uint64(7 * k)
    return lengths


def _encode_group(prefix: bytes, step_length: int, steps, wall_times, floats) -> np.ndarray:
    """Records of one (tag, step varint length) group as an (n, record_length) uint8 array."""
    summary_length = len(prefix) + 4
    head = _WALL_TIME_TAG + bytes(8)
    if step_length:
        head += _STEP_TAG + bytes(step_length)
    data_template = head + _SUMMARY_TAG + varint(summary_length) + prefix + bytes(4)
    data_length = len(data_template)
    length_field = struct.pack("<Q", data_length)
    record_template = length_field + struct.pack("<I", masked_crc32c(length_field)) + data_template + bytes(4)
    n = len(steps)
    rows = np.empty((n, len(record_template)), dtype=np.uint8)
    rows[:] = np.frombuffer(record_template, dtype=np.uint8)

    data_start = 12
    rows[:, data_start + 1 : data_start + 9] = wall_times.view(np.uint8).reshape(n, 8)
    positions = list(range(1, 9))
    for k in range(step_length):
        byte = (steps >> np.uint64(7 * k)) & np.uint64(0x7F)
        if k < step_length - 1:
            byte |= np.uint64(0x80)
        rows[:, data_start + 10 + k] = byte.astype(np.uint8)
        positions.append(10 + k)
    value_at = data_length - 4
    rows[:, data_start + value_at : data_start + data_length] = floats
    positions.extend(range(value_at, data_length))

    tables = _crc_tables(data_length, tuple(positions))
    # the template has zeros where records vary: start from its CRC, add each varying byte's share
    crc = np.full(n, google_crc32c.value(data_template), dtype=np.uint32)
    for row, position in enumerate(positions):
        crc ^= tables[row][rows[:, data_start + position]]
    wide = crc.astype(np.uint64)
    rotated = (wide >> np.uint64(15)) | (wide << np.uint64(17))
    masked = (rotated + np.uint64(_MASK_DELTA)) & np.uint64(0xFFFFFFFF)
    rows[:, -4:] = masked.astype("<u4").view(np.uint8).reshape(n, 4)
    return rows


def float32_bytes(values) -> np.ndarray:
    """(n, 4) little-endian float32 bytes of Python floats; out-of-range values become +/-inf (C cast)."""
    with np.errstate(over="ignore"):
        return np.asarray(values, dtype=np.float64).astype("<f4").view(np.uint8).reshape(-1, 4)


def encode_scalar_events(prefixes: list[bytes], steps: list[int], wall_times: list[float], floats) -> bytes:
    """Framed records, in input order, for scalar events.

    ``prefixes[i]`` is ``scalar_summary_prefix(tag)`` of event i, ``floats`` an (n, 4) uint8 array of the
    little-endian float32 values. Steps are int64 (negative steps are written as protobuf does).
    """
    n = len(steps)
    if n == 0:
        return b""
    steps_u64 = np.asarray(steps, dtype=np.int64).view(np.uint64)
    walls = np.asarray(wall_times, dtype="<f8")
    step_lengths = _varint_lengths(steps_u64)
    first = prefixes[0]
    if prefixes.count(first) == n:
        prefix_ids = np.zeros(n, dtype=np.int64)
        distinct = [first]
    else:
        ids: dict[bytes, int] = {}
        prefix_ids = np.fromiter((ids.setdefault(p, len(ids)) for p in prefixes), dtype=np.int64, count=n)
        distinct = list(ids)
    group_keys = prefix_ids * 11 + step_lengths
    keys = np.unique(group_keys)
    if len(keys) == 1:
        return _encode_group(distinct[0] if len(distinct) == 1 else distinct[int(keys[0]) // 11],
                             int(keys[0]) % 11, steps_u64, walls, floats).tobytes()
    # several groups: encode each, then scatter their rows back into input order
    groups = []
    record_lengths = np.empty(n, dtype=np.int64)
    for key in keys:
        members = np.flatnonzero(group_keys == key)
        rows = _encode_group(distinct[int(key) // 11], int(key) % 11,
                             steps_u64[members], walls[members], floats[members])
        record_lengths[members] = rows.shape[1]
        groups.append((members, rows))
    starts = np.concatenate(([0], np.cumsum(record_lengths)[:-1]))
    out = np.empty(int(record_lengths.sum()), dtype=np.uint8)
    for members, rows in groups:
        out[starts[members][:, None] + np.arange(rows.shape[1])] = rows
    return out.tobytes()
