"""Encodes many scalar events at once into framed TFRecords, with numpy.

A scalar event is ``Event(wall_time, step, summary=Summary(value=[Value(tag, simple_value)]))``. For one
tag, every such record has the same bytes except the wall time, the step varint and the float, so a batch
of them is a ``(n, record_length)`` byte array filled from one template, column by column. The record's
data CRC is computed the same way: CRC32C is affine over GF(2) for a fixed length, so

    crc(template ^ delta) == crc(template) ^ XOR over positions p of U_(L-1-p)[delta[p]]

where ``U_k[b]`` is what byte ``b`` at distance ``k`` from the end of a message adds to its CRC (the
per-distance tables of tfformat/crc_tables.py, shared with board's scanner); a batch costs one table
lookup per varying byte per record.

The bytes equal what protobuf serializes for the same Event (fields in number order, proto3 zero step
left out), so readers cannot tell the two paths apart; ``tests/engine/test_summary_records.py`` checks
that byte for byte against ``Event.SerializeToString()`` + ``encode_record``.

Record layout (see tfformat/records.py), with the Event's bytes in the middle:

    u64 length | u32 masked crc(length) |
    09 f64 wall_time | [10 varint step] | 2a varint len(summary) | summary |
    u32 masked crc(data)
"""

from __future__ import annotations

import struct

import numpy as np

from tfformat import crc_tables
from tfformat.records import crc32c, decode_varint, encode_record, encode_varint, mask_array

_WALL_TIME_TAG = b"\x09"  # Event.wall_time, field 1, fixed64
_STEP_TAG = b"\x10"  # Event.step, field 2, varint
_SUMMARY_TAG = b"\x2a"  # Event.summary, field 5, length-delimited


def summary_event(summary: bytes, step: int, wall_time: float) -> bytes:
    """The bytes of ``Event(wall_time=wall_time, step=step, summary=Summary.FromString(summary))``.

    Framed around the serialized Summary so that no Event object is built and the Summary is not
    parsed again; proto3 leaves step 0 out, as protobuf does.
    """
    head = _WALL_TIME_TAG + struct.pack("<d", wall_time)
    if step:
        head += _STEP_TAG + encode_varint(step)
    return head + _SUMMARY_TAG + encode_varint(len(summary)) + summary


def scalar_summary_prefix(tag: str) -> bytes:
    """The bytes of ``Summary(value=[Value(tag=tag, simple_value=x)])`` that precede the 4 float bytes."""
    tag_bytes = tag.encode("utf-8")
    # Value.tag (proto3 leaves an empty string out), then simple_value's key
    value = (b"\x0a" + encode_varint(len(tag_bytes)) + tag_bytes if tag_bytes else b"") + b"\x15"
    return b"\x0a" + encode_varint(len(value) + 4) + value  # Summary.value


def is_plain_scalar_prefix(prefix: bytes) -> bool:
    """True when ``prefix + 4 float bytes`` is exactly a one-value, tag + simple_value Summary.

    Such summaries carry no metadata, so a writer may pass them through without parsing them.
    """
    try:
        if prefix[0] != 0x0A:
            return False
        _, pos = decode_varint(prefix, 1)
        if prefix[pos:] == b"\x15":
            return scalar_summary_prefix("") == prefix
        if prefix[pos] != 0x0A:
            return False
        tag_length, pos = decode_varint(prefix, pos + 1)
        tag = prefix[pos : pos + tag_length].decode("utf-8")
    except (IndexError, ValueError, UnicodeDecodeError):  # cut short, or not a tag
        return False
    return scalar_summary_prefix(tag) == prefix


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
    data_template = head + _SUMMARY_TAG + encode_varint(summary_length) + prefix + bytes(4)
    data_length = len(data_template)
    record_template = encode_record(data_template)  # the header is right for every row; the data CRC is not
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

    tables = crc_tables.tables(data_length)
    # the template has zeros where records vary: start from its CRC, add each varying byte's share
    crc = np.full(n, crc32c(data_template), dtype=np.uint32)
    for position in positions:
        crc ^= tables.byte(data_length - 1 - position)[rows[:, data_start + position]]
    rows[:, -4:] = mask_array(crc).astype("<u4").view(np.uint8).reshape(n, 4)
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
