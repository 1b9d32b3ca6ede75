"""Framing, CRC checking and scalar decoding of a whole chunk of an event file at once.

This is the accelerator of the loader's first two stages (frame, decode); board/data/plain.py is the
plain path it must agree with (tests/board/test_loader_paths.py).

A training log is mostly small scalar events, and handling them one record at a time in Python
costs about a microsecond each. Here a chunk of the file (a few MB, starting at a record boundary)
is handled with a few dozen numpy operations:

1. **Framing.** Record layout (little-endian): ``u64 length | u32 masked_crc32c(length) | data |
   u32 masked_crc32c(data)``. Candidate record starts are the positions whose 8-byte length is small
   and whose length CRC matches; the chain ``start + 16 + length`` from the chunk's first byte picks
   the real ones. Records missing from the candidates (long ones) are framed one at a time.
2. **CRC of the data, all records together.** A copy of the chunk with the headers zeroed and,
   after each record's data, the linear part of the CRC stored there has a linear CRC of zero
   exactly when every record is intact (`crc_tables.linear_crc_is_zero`): one C pass. On a mismatch
   every record is checked on its own to find the bad ones.
3. **Scalar events.** An ``Event`` holding ``wall_time``, ``step`` and a ``Summary`` whose values
   are all ``tag`` + ``simple_value`` has a fixed byte layout (protobuf writes fields in number
   order); those are decoded with vectorized reads. So are the ``file_version`` events that open
   every file. Every other record is returned for protobuf.

Runs of records that all have one length and layout (one tag per event, or tags of one length)
are the common case and take a faster path (`_scan_run`): the run is a records x bytes array,
every field a fixed column read through a strided view, with no index arrays at all.

The result says how many bytes were consumed: a truncated last record is left for the next read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tfformat import crc_tables
from tfformat.records import FRAMING_SIZE as FRAMING
from tfformat.records import HEADER_SIZE as HEADER
from tfformat.records import mask_array, masked_crc32c

_SHORT = 1 << 16  # lengths below this have their header CRC in a lookup table
_PADDING = 16  # readable bytes wanted after a chunk's data

_WALL_TIME_KEY = 0x09  # Event.wall_time: field 1, fixed64
_STEP_KEY = 0x10  # Event.step: field 2, varint
_SUMMARY_KEY = 0x2A  # Event.summary: field 5, length-delimited
_VALUE_KEY = 0x0A  # Summary.value: field 1, length-delimited (and Value.tag: field 1 too)
_SIMPLE_VALUE_KEY = 0x15  # Value.simple_value: field 2, fixed32
_FILE_VERSION_KEY = 0x1A  # Event.file_version: field 3, length-delimited


@dataclass
class Corrupt:
    offset: int  # byte offset of the bad record within the chunk
    reason: str


def no_records() -> np.ndarray:
    """An empty `ChunkScan.other`."""
    return np.zeros((0, 3), dtype=np.int64)


@dataclass
class ChunkScan:
    """What one chunk held. Offsets are relative to the chunk's first byte."""

    consumed: int
    record_count: int
    # scalar points decoded in bulk, in record order
    record: np.ndarray  # index of the record each point came from
    step: np.ndarray  # int64
    wall_time: np.ndarray  # float64
    value: np.ndarray  # float32
    tag_id: np.ndarray  # int32 index into `tags`
    tags: list[str]
    # records left for protobuf: rows of (record index, offset of the data in the chunk, length),
    # an int64 array of shape (n, 3): a chunk of histograms has tens of thousands, which
    # `board.data.summaries.recognize_histograms` sorts out in numpy
    other: np.ndarray = field(default_factory=lambda: no_records())
    # the events holding only wall_time and file_version: (record index, wall_time, file_version)
    file_versions: list[tuple[int, float, str]] = field(default_factory=list)
    corrupt: list[Corrupt] = field(default_factory=list)


def _view(buffer: np.ndarray, dtype: str, width: int) -> np.ndarray:
    """Element i is the little-endian number stored at byte offset i (unaligned reads)."""
    count = max(len(buffer) - width + 1, 0)
    return np.ndarray(shape=(count,), dtype=dtype, buffer=buffer, strides=(1,))


def word_view(buffer: np.ndarray) -> np.ndarray:
    """Element i is the little-endian uint64 at byte offset i (for `varint_in_word`)."""
    return _view(buffer, "<u8", 8)


def float_view(buffer: np.ndarray) -> np.ndarray:
    """Element i is the little-endian float64 at byte offset i."""
    return _view(buffer, "<f8", 8)


_header_crc_table: np.ndarray | None = None


def _header_crcs() -> np.ndarray:
    """masked_crc32c of the 8-byte little-endian length, for every length below 65,536."""
    global _header_crc_table
    if _header_crc_table is None:
        lengths = np.arange(_SHORT, dtype=np.uint64)
        messages = np.zeros((_SHORT, 9), dtype=np.uint8)  # a leading pad byte: starts must be >= 1
        messages[:, 1:] = lengths.view(np.uint8).reshape(-1, 8)
        flat = messages.reshape(-1)
        crcs = crc_tables.crc32c_ranges(flat, np.arange(_SHORT) * 9 + 1, np.full(_SHORT, 8))
        _header_crc_table = mask_array(crcs)
    return _header_crc_table


# --- framing ---------------------------------------------------------------------------------


def frame(buffer: np.ndarray, size: int | None = None) -> tuple[np.ndarray, np.ndarray, int, list[Corrupt]]:
    """Record starts and data lengths of the complete records in `buffer`.

    `buffer` starts at a record boundary; only its first `size` bytes are data (the rest, if any,
    is padding that may be read but never framed). Returns (starts, lengths, consumed, corrupt):
    `consumed` is where the first incomplete record begins (or the end). A record whose length
    field is corrupt cannot be framed; reading resumes at the next position holding a valid header.
    """
    if size is None:
        size = len(buffer)
    u64 = _view(buffer, "<u8", 8)
    u32 = _view(buffer, "<u4", 4)
    header_crcs = _header_crcs()

    # candidate starts: a data byte 0x09 (Event.wall_time) 12 bytes on, short length, valid CRC
    if size > HEADER:
        cand = np.flatnonzero(buffer[HEADER:size] == _WALL_TIME_KEY)
    else:
        cand = np.zeros(0, dtype=np.intp)
    lengths = u64[cand]
    keep = lengths < _SHORT
    cand, lengths = cand[keep], lengths[keep].astype(np.int64)
    keep = header_crcs[lengths] == u32[cand + 8]
    cand, lengths = cand[keep], lengths[keep]
    following = cand + FRAMING + lengths
    # chain_break[i]: candidate i is not followed by candidate i + 1
    breaks = np.flatnonzero(following[:-1] != cand[1:])

    starts: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    corrupt: list[Corrupt] = []
    pos = 0
    while pos + HEADER <= size:
        i = int(np.searchsorted(cand, pos))
        if i < len(cand) and cand[i] == pos:
            # follow the verified chain of candidates from i
            b = int(np.searchsorted(breaks, i))
            last = int(breaks[b]) if b < len(breaks) else len(cand) - 1
            if following[last] > size:  # the chain's last record is incomplete
                last -= 1
                if last < i:
                    break
            starts.append(cand[i : last + 1])
            sizes.append(lengths[i : last + 1])
            pos = int(following[last])
            continue
        # a record that is not a candidate (long, or not an Event with wall_time): frame it alone
        length = int(u64[pos])
        header_ok = masked_crc32c(buffer[pos : pos + 8].tobytes()) == int(u32[pos + 8])
        if header_ok:
            if pos + FRAMING + length > size:
                break
            starts.append(np.array([pos], dtype=np.intp))
            sizes.append(np.array([length], dtype=np.int64))
            pos += FRAMING + length
            continue
        resume = _next_header(buffer, pos + 1, size)
        corrupt.append(Corrupt(pos, "the CRC of its length field does not match"))
        if resume is None:
            # nothing valid later in this chunk; keep the last bytes, a header may start there
            pos = max(pos + 1, size - HEADER + 1)
            break
        pos = resume
    if starts:
        all_starts = np.concatenate(starts)
        all_lengths = np.concatenate(sizes)
    else:
        all_starts = np.zeros(0, dtype=np.intp)
        all_lengths = np.zeros(0, dtype=np.int64)
    return all_starts, all_lengths, min(pos, size), corrupt


def _next_header(buffer: np.ndarray, begin: int, size: int) -> int | None:
    """The first position at or after `begin` holding a header whose CRC checks out."""
    u64 = _view(buffer, "<u8", 8)
    u32 = _view(buffer, "<u4", 4)
    end = size - HEADER + 1
    if begin >= end:
        return None
    positions = np.arange(begin, end)
    lengths = u64[positions]
    positions = positions[lengths < _SHORT]
    ok = _header_crcs()[u64[positions].astype(np.int64)] == u32[positions + 8]
    found = positions[ok]
    if len(found):
        return int(found[0])
    return None


# --- data CRCs -------------------------------------------------------------------------------

def _data_crcs_match(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> bool:
    """True when every record's stored data CRC matches its data (see `crc_tables.linear_crc_is_zero`:
    a copy of the chunk with the headers zeroed and each stored CRC's linear part after its data)."""
    data_starts = starts + HEADER
    ends = data_starts + lengths
    total = int(ends[-1]) + 4
    stored = _view(buffer, "<u4", 4)[ends]
    if starts[0] == 0 and bool((starts[1:] == ends[:-1] + 4).all()):
        # records back to back: the 12 header bytes after each record's CRC belong to the next
        checked = buffer[:total].copy()
        checked[:HEADER] = 0
        _view(checked, "<u8", 8)[ends[:-1] + 4] = 0
        _view(checked, "<u4", 4)[ends[:-1] + 12] = 0
    else:  # corrupt stretches were skipped: zero everything outside the data
        edges = np.zeros(total + 1, dtype=np.int32)
        np.add.at(edges, data_starts, 1)
        np.add.at(edges, ends, -1)
        checked = np.where(np.cumsum(edges[:total]) > 0, buffer[:total], 0).astype(np.uint8)
    _view(checked, "<u4", 4)[ends] = crc_tables.claimed_linear_crcs(stored, lengths)
    return crc_tables.linear_crc_is_zero(checked)


def _bad_records(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indices of records whose data CRC does not match, checked one by one."""
    raw = buffer.tobytes()
    u32 = _view(buffer, "<u4", 4)
    bad = []
    for i, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        data_start = start + HEADER
        if masked_crc32c(raw[data_start : data_start + length]) != int(
            u32[data_start + length]
        ):
            bad.append(i)
    return np.array(bad, dtype=np.intp)


# --- scalar events ---------------------------------------------------------------------------


def _varint(buffer: np.ndarray, pos: np.ndarray, max_bytes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode varints at `pos`: (value as uint64, position after it, ok)."""
    value = np.zeros(len(pos), dtype=np.uint64)
    after = pos.copy()
    ok = np.zeros(len(pos), dtype=bool)
    active = np.arange(len(pos))
    limit = len(buffer) - 1
    for k in range(max_bytes):
        if len(active) == 0:
            break
        where = np.minimum(pos[active] + k, limit)
        byte = buffer[where]
        value[active] |= (byte & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        done = byte < 0x80
        finished = active[done]
        ok[finished] = True
        after[finished] = pos[finished] + k + 1
        active = active[~done]
    return value, after, ok


_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_SEVEN_BITS = np.uint64(0x7F7F7F7F7F7F7F7F)
_HIGH_BITS = np.uint64(0x8080808080808080)
_ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


def varint_in_word(word: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode the varint at the start of each little-endian 8-byte word (no further reads).

    Returns (value, byte length, ok); ok is False where the varint is longer than 8 bytes.
    """
    ends = ~word & _HIGH_BITS  # bit 7 clear marks a varint's last byte
    ok = ends != 0
    lowest = ends & (~ends + np.uint64(1))  # 2**(8k + 7) for the last byte k
    # k from the float exponent of 2**(8k + 7): exact, and cheaper than a logarithm
    as_float = np.where(ok, lowest, 1).astype(np.float64)
    exponent = (as_float.view(np.uint64) >> np.uint64(52)).astype(np.int64)
    width = (exponent - 1023 - 7) // 8 + 1
    keep = np.where(lowest == np.uint64(1 << 63), _ALL_ONES, (lowest << np.uint64(1)) - np.uint64(1))
    payload = word & keep & _SEVEN_BITS
    value = payload & np.uint64(0x7F)
    for k in range(1, int(width.max(initial=0))):
        value |= (payload >> np.uint64(k)) & np.uint64(0x7F << (7 * k))
    return value, width, ok


# Summary { value { tag simple_value } } with one-byte lengths: for S = bytes after the summary's
# length byte, the 6 bytes from the summary key on read 2a S 0a S-2 0a S-9.
_HEAD_MASK = np.uint64(0x0000FFFFFFFFFFFF)
_HEAD_PER_S = np.uint64((1 << 8) + (1 << 24) + (1 << 40))
_HEAD_BASE = np.uint64((0x2A + (0x0A << 16) + (0x0A << 32) - (2 << 24) - (9 << 40)) % (1 << 64))


def decode_simple(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
    """Bulk-decode Events of exactly this layout (protobuf writes fields in number order):

        0x09 wall_time(8) [0x10 step(varint)] 0x2a S { 0x0a S-2 { 0x0a S-9 tag 0x15 value(4) } }

    i.e. one Summary.Value with a tag shorter than 119 bytes and a simple_value. `buffer` must
    have 16 readable bytes after the last record. Returns (ok, step, wall_time, value,
    tag_start, tag_length), one entry per record.
    """
    u64 = _view(buffer, "<u8", 8)
    f64 = _view(buffer, "<f8", 8)
    f32 = _view(buffer, "<f4", 4)
    data = starts + HEADER
    end = data + lengths
    ok = buffer[data] == _WALL_TIME_KEY
    wall_time = f64[data + 1]
    has_step = buffer[data + 9] == _STEP_KEY
    after_step = data + 9
    if has_step.any():
        value, width, good = varint_in_word(u64[data + 10])
        step = np.where(has_step, value, np.uint64(0))
        ok &= good | ~has_step
        after_step = after_step + np.where(has_step, 1 + width, 0)
    else:
        step = np.zeros(len(starts), dtype=np.uint64)
    size = end - after_step - 2
    ok &= (size >= 9) & (size < 0x80) & (lengths >= 17)
    head = u64[np.minimum(after_step, len(u64) - 1)] & _HEAD_MASK
    ok &= head == size.astype(np.uint64) * _HEAD_PER_S + _HEAD_BASE
    key_at = np.where(ok, after_step + size - 3, data)
    ok &= buffer[key_at] == _SIMPLE_VALUE_KEY
    value = f32[key_at + 1]
    return ok, step.view(np.int64), wall_time, value, after_step + 6, size - 9


def decode_scalars(
    buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Decode the records that are simple_value scalar Events.

    Returns (is_scalar per record, columns, tag_start, tag_length) where the columns hold one
    row per (record, value): record, step, wall_time, value.
    """
    count = len(starts)
    u64 = _view(buffer, "<u8", 8)
    data = starts + HEADER
    end = data + lengths
    limit = len(buffer) - 1
    ok = (lengths >= 9 + 2) & (buffer[np.minimum(data, limit)] == _WALL_TIME_KEY)
    wall_time = u64[np.minimum(data + 1, len(u64) - 1)].view(np.float64)
    pos = data + 9
    step = np.zeros(count, dtype=np.uint64)
    has_step = buffer[np.minimum(pos, limit)] == _STEP_KEY
    if has_step.any():
        idx = np.flatnonzero(has_step)
        value, after, good = _varint(buffer, pos[idx] + 1, 10)
        step[idx] = value
        pos[idx] = after
        ok[idx[~good]] = False
    ok &= buffer[np.minimum(pos, limit)] == _SUMMARY_KEY
    summary_length, pos, good = _varint(buffer, pos + 1, 2)
    ok &= good & (pos + summary_length.astype(np.int64) == end)

    # each Summary.value: 0x0a len { 0x0a taglen tag 0x15 f32 }
    rows_record = []
    rows_value_pos = []
    rows_tag_start = []
    rows_tag_length = []
    active = np.flatnonzero(ok)
    cursor = pos
    f32 = _view(buffer, "<f4", 4)
    while len(active):
        at = cursor[active]
        good = buffer[np.minimum(at, limit)] == _VALUE_KEY
        value_length, after, g = _varint(buffer, at + 1, 2)
        good &= g
        value_end = after + value_length.astype(np.int64)
        good &= value_end <= end[active]
        good &= buffer[np.minimum(after, limit)] == _VALUE_KEY
        tag_length, tag_start, g = _varint(buffer, after + 1, 2)
        good &= g
        simple = tag_start + tag_length.astype(np.int64)
        good &= buffer[np.minimum(simple, limit)] == _SIMPLE_VALUE_KEY
        good &= simple + 5 == value_end
        bad = active[~good]
        ok[bad] = False
        keep = good
        rows_record.append(active[keep])
        rows_value_pos.append(simple[keep] + 1)
        rows_tag_start.append(tag_start[keep])
        rows_tag_length.append(tag_length[keep].astype(np.int64))
        cursor[active[keep]] = value_end[keep]
        remaining = keep & (value_end < end[active])
        active = active[remaining]

    record = np.concatenate(rows_record) if rows_record else np.zeros(0, dtype=np.intp)
    value_pos = np.concatenate(rows_value_pos) if rows_value_pos else np.zeros(0, dtype=np.intp)
    tag_start = np.concatenate(rows_tag_start) if rows_tag_start else np.zeros(0, dtype=np.intp)
    tag_length = np.concatenate(rows_tag_length) if rows_tag_length else np.zeros(0, dtype=np.int64)
    # rows from records that failed on a later value are dropped
    keep = ok[record]
    if len(rows_record) > 1:
        order = np.argsort(record[keep], kind="stable")
    else:
        order = slice(None)
    record = record[keep][order]
    columns = {
        "record": record,
        "step": step[record].view(np.int64),
        "wall_time": wall_time[record],
        "value": f32[value_pos[keep][order]].copy(),
    }
    return ok, columns, tag_start[keep][order], tag_length[keep][order]


def group_tags(buffer: np.ndarray, tag_start: np.ndarray, tag_length: np.ndarray,
               parts: list[np.ndarray] | None = None) -> tuple[np.ndarray, list[str]]:
    """A small integer per distinct tag (in first-seen order) and the tag strings.

    `parts` are the tags' bytes as little-endian words, zero past each tag's end, when the caller
    has them already (a run of same-shape records reads them without gathering).
    """
    count = len(tag_start)
    if count == 0:
        return np.zeros(0, dtype=np.int32), []
    near_end = np.zeros(count, dtype=bool)
    if parts is None:
        u64 = _view(buffer, "<u8", 8)
        last = len(u64) - 1
        words = (int(tag_length.max()) + 7) // 8
        parts = []
        for j in range(words):
            remaining = np.clip(tag_length - 8 * j, 0, 8)
            parts.append(u64[np.minimum(tag_start + 8 * j, last)] & _BYTE_MASKS[remaining])
        near_end = tag_start + 8 * words > last
    if not near_end.any():
        period = _period(parts, tag_length)
        if period:
            raw_cache = {}
            first = [
                raw_cache.setdefault(buffer[tag_start[i] : tag_start[i] + tag_length[i]].tobytes(),
                                     len(raw_cache))
                for i in range(period)
            ]
            tag_id = np.tile(np.array(first, dtype=np.int32), -(-count // period))[:count]
            return tag_id, [raw.decode("utf-8", "surrogateescape") for raw in raw_cache]
    key = tag_length.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for word in parts:
        key = (key ^ word) * np.uint64(0xBF58476D1CE4E5B9)
        key ^= key >> np.uint64(29)
    tag_id = np.full(count, -1, dtype=np.int32)
    raw_cache: dict[bytes, int] = {}
    unresolved = np.arange(count)
    if near_end.any():  # handle the few rows close to the chunk end one by one
        for i in np.flatnonzero(near_end).tolist():
            raw = buffer[tag_start[i] : tag_start[i] + tag_length[i]].tobytes()
            tag_id[i] = raw_cache.setdefault(raw, len(raw_cache))
        unresolved = np.flatnonzero(~near_end)
    rounds = 0
    while len(unresolved):
        rounds += 1
        if rounds > 64:  # many distinct tags: sort instead of scanning once per tag
            _, first, inverse = np.unique(key[unresolved], return_index=True, return_inverse=True)
            representatives = unresolved[first]
            for rep_index, rep in enumerate(representatives.tolist()):
                members = unresolved[inverse == rep_index]
                _assign(buffer, tag_start, tag_length, parts, rep, members, tag_id, raw_cache)
            break
        rep = int(unresolved[0])
        members = unresolved[key[unresolved] == key[rep]]
        _assign(buffer, tag_start, tag_length, parts, rep, members, tag_id, raw_cache)
        unresolved = unresolved[tag_id[unresolved] < 0]
    # bytes that are not UTF-8 kept as lone surrogates: two tags differing in them stay two (board/names.py)
    names = [raw.decode("utf-8", "surrogateescape") for raw in raw_cache]
    return tag_id, names


def _period(parts: list[np.ndarray], tag_length: np.ndarray, longest: int = 4096) -> int:
    """P when row i's tag equals row i - P's for every row (tags logged in a fixed cycle), else 0."""
    same_as_first = tag_length[1 : longest + 1] == tag_length[0]
    for word in parts:
        same_as_first &= word[1 : longest + 1] == word[0]
    hits = np.flatnonzero(same_as_first)
    if len(hits) == 0:
        return 0 if len(tag_length) > 1 else 1
    period = int(hits[0]) + 1
    if not (tag_length[period:] == tag_length[:-period]).all():
        return 0
    for word in parts:
        if not (word[period:] == word[:-period]).all():
            return 0
    return period


def _assign(buffer, tag_start, tag_length, parts, rep, members, tag_id, raw_cache) -> None:
    """Give `members` the id of row `rep`'s tag, after checking their bytes really are equal."""
    same = tag_length[members] == tag_length[rep]
    for word in parts:
        same &= word[members] == word[rep]
    raw = buffer[tag_start[rep] : tag_start[rep] + tag_length[rep]].tobytes()
    tag_id[members[same]] = raw_cache.setdefault(raw, len(raw_cache))
    # rows whose hash collided but bytes differ stay unresolved and get their own round
    if not same.all():
        for i in members[~same].tolist():
            other = buffer[tag_start[i] : tag_start[i] + tag_length[i]].tobytes()
            tag_id[i] = raw_cache.setdefault(other, len(raw_cache))


def _decode_all(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
    """The common one-value layout in bulk, then the general decoder for what is left."""
    ok, step, wall_time, value, tag_start, tag_length = decode_simple(buffer, starts, lengths)
    if ok.all():  # the usual chunk: nothing but simple scalar events
        columns = {"record": np.arange(len(ok)), "step": step, "wall_time": wall_time, "value": value}
        return ok, columns, tag_start, tag_length
    record = np.flatnonzero(ok)
    columns = {"record": record, "step": step[record], "wall_time": wall_time[record],
               "value": value[record]}
    tag_start, tag_length = tag_start[record], tag_length[record]
    # the general decoder's candidates: Events whose last 5 bytes can be a simple_value (key and
    # float), as the last of their values ends the record; histograms, images and the like rarely
    # pass, and are left to protobuf without a pass of it
    rest = np.flatnonzero(~ok & (buffer[starts + HEADER] == _WALL_TIME_KEY)
                          & (buffer[starts + HEADER + lengths - 5] == _SIMPLE_VALUE_KEY))
    if len(rest) == 0:
        return ok, columns, tag_start, tag_length
    ok_rest, more, more_start, more_length = decode_scalars(buffer, starts[rest], lengths[rest])
    if len(more["record"]) == 0:
        return ok, columns, tag_start, tag_length
    ok[rest[ok_rest]] = True
    more["record"] = rest[more["record"]]
    order = np.argsort(np.concatenate([columns["record"], more["record"]]), kind="stable")
    merged = {key: np.concatenate([columns[key], more[key]])[order] for key in columns}
    return (ok, merged, np.concatenate([tag_start, more_start])[order],
            np.concatenate([tag_length, more_length])[order])


# --- runs of same-shape records (the fast path) ---------------------------------------------
#
# A logger writing one scalar tag per event, or several tags with names of one length, writes
# stretches of records that all have the same length and byte layout: only the wall time, the
# step's value, the tag's bytes and the value differ. Such a run is a 2-D array (records x bytes)
# whose fields are fixed columns, read through strided views: no index arrays, no gathers.

_MIN_RUN = 512  # records: shorter runs of one length are left to the general path
# the longest record `decode_simple` reads: wall time (9 bytes), step (at most 9), summary (2 + 127)
_SIMPLE_LONGEST = 9 + 9 + 2 + 0x7F
_LOOKAHEAD = 64  # records walked one at a time looking for the start of a run


def _strided(buffer: np.ndarray, dtype: str, offset: int, count: int, stride: int) -> np.ndarray:
    """Element i is the little-endian number at byte `offset + i * stride` (a view)."""
    return np.ndarray(shape=(count,), dtype=dtype, buffer=buffer, offset=offset, strides=(stride,))


def _find_run(buffer: np.ndarray, pos: int, size: int) -> tuple[int, int, int] | None:
    """(start, count, data length) of the first run of at least `_MIN_RUN` back-to-back records
    of one length that starts within `_LOOKAHEAD` records of `pos`, or None. A header that does
    not check out on the way also gives None: the general path deals with it."""
    u64 = _view(buffer, "<u8", 8)
    u32 = _view(buffer, "<u4", 4)
    header_crcs = _header_crcs()
    for _ in range(_LOOKAHEAD):
        if pos + HEADER > size:
            return None
        length = int(u64[pos])
        if length >= _SHORT or header_crcs[length] != u32[pos + 8]:
            return None
        stride = length + FRAMING
        count = (size - pos) // stride
        # a run of another kind (histograms of one length, say) is no run of scalars: its first
        # record's layout is checked before its headers, and the general path takes it
        if (count >= _MIN_RUN and length <= _SIMPLE_LONGEST and int(u64[pos + stride]) == length
                and _simple_layout(buffer[pos + HEADER : pos + HEADER + length].tobytes()) is not None):
            # each header checked in turn: record i + 1 starts where record i ends
            same = (_strided(buffer, "<u8", pos, count, stride) == length) & (
                _strided(buffer, "<u4", pos + 8, count, stride) == header_crcs[length])
            if not same.all():
                count = int(np.argmin(same))
            if count >= _MIN_RUN:
                return pos, count, length
        pos += stride
    return None


def _simple_layout(record: bytes) -> tuple[int, int, int] | None:
    """(step varint width, 0 without a step; where the summary starts; its size S) when `record`
    has `decode_simple`'s layout with a step of at most 8 varint bytes, else None."""
    if len(record) < 17 or record[0] != _WALL_TIME_KEY:
        return None
    width = 0
    if record[9] == _STEP_KEY:
        width = next((k + 1 for k in range(8) if record[10 + k] < 0x80), 0)
        if not width:
            return None
    after_step = 9 + (1 + width if width else 0)
    size = len(record) - after_step - 2
    if not 9 <= size < 0x80:
        return None
    head = bytes([_SUMMARY_KEY, size, _VALUE_KEY, size - 2, _VALUE_KEY, size - 9])
    if record[after_step : after_step + 6] != head or record[after_step + size - 3] != _SIMPLE_VALUE_KEY:
        return None
    return width, after_step, size


def _scan_run(buffer: np.ndarray, pos: int, count: int, length: int) -> ChunkScan | None:
    """The records of a run found by `_find_run`, all simple scalar events with intact CRCs; None
    when a CRC fails or a record's layout differs from the first's (the general path then finds
    which)."""
    stride = length + FRAMING
    rows = buffer[pos : pos + count * stride].reshape(count, stride)
    data_end = HEADER + length

    # data CRCs (see `crc_tables.linear_crc_is_zero`), written through strided views of a copy
    checked = rows.copy().reshape(-1)
    _strided(checked, "<u8", 0, count, stride)[:] = 0  # each header
    _strided(checked, "<u4", 8, count, stride)[:] = 0
    stored = _strided(buffer, "<u4", pos + data_end, count, stride)
    _strided(checked, "<u4", data_end, count, stride)[:] = crc_tables.claimed_linear_crcs(
        stored, np.array([length]))
    if not crc_tables.linear_crc_is_zero(checked):
        return None

    data = rows[:, HEADER:data_end]
    layout = _simple_layout(data[0].tobytes())
    if layout is None:
        return None
    width, after_step, size = layout
    # every record must have the first one's layout: its keys and lengths (whole bytes) and its
    # step's width (the continuation bit of each varint byte), compared 8 bytes at a time
    fixed = bytearray(length + 8)
    fixed[0] = 0xFF
    if width:
        fixed[9] = 0xFF
        fixed[10 : 10 + width] = b"\x80" * width
    fixed[after_step : after_step + 6] = b"\xff" * 6
    fixed[after_step + size - 3] = 0xFF
    first = pos + HEADER
    template = data[0].tobytes() + bytes(8)
    for j in range(0, after_step + size - 2, 8):
        mask = int.from_bytes(fixed[j : j + 8], "little")
        want = int.from_bytes(template[j : j + 8], "little") & mask
        if mask and not ((_strided(buffer, "<u8", first + j, count, stride) & np.uint64(mask))
                         == np.uint64(want)).all():
            return None

    wall_time = _strided(buffer, "<f8", first + 1, count, stride).copy()
    if width:
        payload = _strided(buffer, "<u8", first + 10, count, stride) & (_BYTE_MASKS[width] & _SEVEN_BITS)
        step = payload & np.uint64(0x7F)
        for k in range(1, width):
            step |= (payload >> np.uint64(k)) & np.uint64(0x7F << (7 * k))
        step = step.view(np.int64)
    else:
        step = np.zeros(count, dtype=np.int64)
    value = _strided(buffer, "<f4", first + after_step + size - 2, count, stride).copy()
    tag_at, tag_length = first + after_step + 6, size - 9
    parts = [_strided(buffer, "<u8", tag_at + j, count, stride) & _BYTE_MASKS[min(tag_length - j, 8)]
             for j in range(0, tag_length, 8)]
    tag_id, tags = group_tags(buffer, tag_at + np.arange(count) * stride, np.full(count, tag_length),
                              parts)
    return ChunkScan(consumed=count * stride, record_count=count, record=np.arange(count), step=step,
                     wall_time=wall_time, value=value, tag_id=tag_id, tags=tags)


# --- the whole chunk -------------------------------------------------------------------------


def scan_chunk(chunk: bytes | bytearray | memoryview, size: int | None = None) -> ChunkScan:
    """Frame, check and bulk-decode the scalar events of one chunk.

    Only the first `size` bytes of `chunk` are file data; a few zero bytes after them (16 are
    enough) let the decoder read whole words near the end without bounds checks. Runs of
    same-shape records take the fast path, the rest the general one.
    """
    buffer = np.frombuffer(chunk, dtype=np.uint8)
    if size is None:
        size = len(buffer)
    if len(buffer) < size + _PADDING:
        buffer = np.concatenate([buffer[:size], np.zeros(_PADDING, dtype=np.uint8)])
    pieces: list[tuple[int, ChunkScan]] = []  # (offset in the chunk, what was found there)
    pos = 0
    while pos + HEADER <= size and not _cut_off(buffer, pos, size):
        run = _find_run(buffer, pos, size)
        stop = run[0] if run is not None else size
        if stop > pos:  # records before the run (or no run at all): the general path
            piece = _scan_general(buffer[pos:], stop - pos)
            pieces.append((pos, piece))
            if run is None or piece.consumed < stop - pos:
                break
        fast = _scan_run(buffer, *run)
        if fast is None:  # a bad CRC or an unusual record in the run: the general path sorts it out
            pieces.append((stop, _scan_general(buffer[stop:], size - stop)))
            break
        pieces.append((stop, fast))
        pos = stop + fast.consumed
    return _joined(pieces)


def _cut_off(buffer: np.ndarray, pos: int, size: int) -> bool:
    """True when the record at `pos` has a sound header but ends past `size` (the usual end of
    a chunk): it is left for the next read, without a pass of the general path."""
    length = int(_view(buffer, "<u8", 8)[pos])
    if length >= _SHORT or _header_crcs()[length] != _view(buffer, "<u4", 4)[pos + 8]:
        return False
    return pos + FRAMING + length > size


def _scan_general(buffer: np.ndarray, size: int) -> ChunkScan:
    """Any records, from the start of `buffer` (a record boundary) to at most `size`."""
    starts, lengths, consumed, corrupt = frame(buffer, size)
    count = len(starts)
    if count and not _data_crcs_match(buffer, starts, lengths):
        bad = _bad_records(buffer, starts, lengths)
        for i in bad.tolist():
            corrupt.append(Corrupt(int(starts[i]), "the CRC of its data does not match"))
        keep = np.ones(count, dtype=bool)
        keep[bad] = False
        record_index = np.flatnonzero(keep)
        starts, lengths = starts[keep], lengths[keep]
    else:
        record_index = np.arange(count)
    if len(starts):
        is_scalar, columns, tag_start, tag_length = _decode_all(buffer, starts, lengths)
        tag_id, tags = group_tags(buffer, tag_start, tag_length)
    else:
        is_scalar = np.zeros(0, dtype=bool)
        columns = {
            "record": np.zeros(0, dtype=np.intp),
            "step": np.zeros(0, dtype=np.int64),
            "wall_time": np.zeros(0, dtype=np.float64),
            "value": np.zeros(0, dtype=np.float32),
        }
        tag_id, tags = np.zeros(0, dtype=np.int32), []
    rest = np.flatnonzero(~is_scalar)
    file_versions, versions = [], []
    for i in rest[lengths[rest] < 139].tolist():  # short enough to be a file_version event
        data, length = int(starts[i]) + HEADER, int(lengths[i])
        version = _file_version(buffer[data : data + length].tobytes())
        if version is not None:
            file_versions.append((int(record_index[i]), *version))
            versions.append(i)
    if versions:
        rest = rest[~np.isin(rest, versions)]
    other = np.column_stack([record_index[rest], starts[rest] + HEADER, lengths[rest]]).astype(np.int64)
    corrupt.sort(key=lambda c: c.offset)
    return ChunkScan(
        consumed=consumed,
        record_count=count,
        record=record_index[columns["record"]],
        step=columns["step"],
        wall_time=columns["wall_time"],
        value=columns["value"],
        tag_id=tag_id,
        tags=tags,
        other=other,
        corrupt=corrupt,
        file_versions=file_versions,
    )


def _file_version(data: bytes) -> tuple[float, str] | None:
    """(wall_time, file_version) of an Event holding just those two fields (the first record of
    every event file; at most 11 + 127 bytes), read without protobuf; None for anything else."""
    if len(data) < 11 or data[0] != _WALL_TIME_KEY or data[9] != _FILE_VERSION_KEY:
        return None
    if data[10] >= 0x80 or len(data) != 11 + data[10]:
        return None
    try:
        text = data[11:].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return float(np.frombuffer(data, dtype="<f8", count=1, offset=1)[0]), text


def _joined(pieces: list[tuple[int, ChunkScan]]) -> ChunkScan:
    """One ChunkScan for consecutive pieces of a chunk: records numbered on, offsets and tag ids
    made relative to the chunk."""
    if len(pieces) == 1 and pieces[0][0] == 0:
        return pieces[0][1]
    if not pieces:
        return _scan_general(np.zeros(_PADDING, dtype=np.uint8), 0)
    names: dict[str, int] = {}
    records, tag_ids, other, file_versions, corrupt = [], [], [], [], []
    base = 0
    for offset, piece in pieces:
        records.append(piece.record + base)
        ids = np.array([names.setdefault(tag, len(names)) for tag in piece.tags], dtype=np.int32)
        tag_ids.append(ids[piece.tag_id] if len(ids) else piece.tag_id)
        other.append(piece.other + np.array([base, offset, 0], dtype=np.int64))
        file_versions += [(record + base, wall, text) for record, wall, text in piece.file_versions]
        corrupt += [Corrupt(c.offset + offset, c.reason) for c in piece.corrupt]
        base += piece.record_count
    offset, last = pieces[-1]
    return ChunkScan(
        consumed=offset + last.consumed,
        record_count=base,
        record=np.concatenate(records),
        step=np.concatenate([p.step for _, p in pieces]),
        wall_time=np.concatenate([p.wall_time for _, p in pieces]),
        value=np.concatenate([p.value for _, p in pieces]),
        tag_id=np.concatenate(tag_ids),
        tags=list(names),
        other=np.concatenate(other),
        corrupt=corrupt,
        file_versions=file_versions,
    )
