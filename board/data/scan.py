"""Framing, CRC checking and scalar decoding of a whole chunk of an event file at once.

A training log is mostly small scalar events, and handling them one record at a time in Python
costs about a microsecond each. Here a chunk of the file (a few MB, starting at a record boundary)
is handled with a few dozen numpy operations:

1. **Framing.** Record layout (little-endian): ``u64 length | u32 masked_crc32c(length) | data |
   u32 masked_crc32c(data)``. Candidate record starts are the positions whose 8-byte length is small
   and whose length CRC matches; the chain ``start + 16 + length`` from the chunk's first byte picks
   the real ones. Records missing from the candidates (long ones) are framed one at a time.
2. **CRC of the data, all records together.** See `_data_crcs_match`: one CRC pass over a copy of
   the chunk with the framing bytes zeroed equals one CRC pass over a buffer holding only the
   stored CRCs (suitably encoded) exactly when every record is intact, because CRC32C is linear
   and each record is shifted by a different power of x. On a mismatch every record is checked
   on its own to find the bad ones.
3. **Scalar events.** An ``Event`` holding ``wall_time``, ``step`` and a ``Summary`` whose values
   are all ``tag`` + ``simple_value`` has a fixed byte layout (protobuf writes fields in number
   order); those are decoded with vectorized reads. Every other record is returned for protobuf.

The result says how many bytes were consumed: a truncated last record is left for the next read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import google_crc32c
import numpy as np

from board.data import crc as crcmod

HEADER = 12  # u64 length + u32 CRC of the length
FRAMING = 16  # header + u32 CRC of the data
_SHORT = 1 << 16  # lengths below this have their header CRC in a lookup table
_PADDING = 16  # readable bytes wanted after a chunk's data

_WALL_TIME_KEY = 0x09  # Event.wall_time: field 1, fixed64
_STEP_KEY = 0x10  # Event.step: field 2, varint
_SUMMARY_KEY = 0x2A  # Event.summary: field 5, length-delimited
_VALUE_KEY = 0x0A  # Summary.value: field 1, length-delimited (and Value.tag: field 1 too)
_SIMPLE_VALUE_KEY = 0x15  # Value.simple_value: field 2, fixed32


@dataclass
class Corrupt:
    offset: int  # byte offset of the bad record within the chunk
    reason: str


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
    # records left for protobuf: (record index, offset of the data in the chunk, length)
    other: list[tuple[int, int, int]] = field(default_factory=list)
    corrupt: list[Corrupt] = field(default_factory=list)


def _view(buffer: np.ndarray, dtype: str, width: int) -> np.ndarray:
    """Element i is the little-endian number stored at byte offset i (unaligned reads)."""
    count = max(len(buffer) - width + 1, 0)
    return np.ndarray(shape=(count,), dtype=dtype, buffer=buffer, strides=(1,))


def _masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


_header_crc_table: np.ndarray | None = None


def _header_crcs() -> np.ndarray:
    """masked_crc32c of the 8-byte little-endian length, for every length below 65,536."""
    global _header_crc_table
    if _header_crc_table is None:
        lengths = np.arange(_SHORT, dtype=np.uint64)
        messages = np.zeros((_SHORT, 9), dtype=np.uint8)  # a leading pad byte: starts must be >= 1
        messages[:, 1:] = lengths.view(np.uint8).reshape(-1, 8)
        flat = messages.reshape(-1)
        crcs = crcmod.crc32c_ranges(flat, np.arange(_SHORT) * 9 + 1, np.full(_SHORT, 8))
        _header_crc_table = crcmod.mask(crcs)
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
        header_ok = _masked(google_crc32c.value(buffer[pos : pos + 8].tobytes())) == int(u32[pos + 8])
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

_inverse_tables: np.ndarray | None = None


def _inverse_4byte_tables() -> np.ndarray:
    """Tables for the inverse of w -> linear CRC of the 4-byte message w (a bijection on 32 bits).

    Returns a (4, 256) table T so that inverse(u) = T[0][u & 255] ^ T[1][u >> 8 & 255] ^ ...
    """
    global _inverse_tables
    if _inverse_tables is None:
        forward = crcmod.tables(8)
        byte = forward._byte  # contribution of one byte at distance k from the end

        def linear_crc4(word: int) -> int:
            out = 0
            for k in range(4):  # byte k of the little-endian word sits at distance 3 - k
                out ^= int(byte[3 - k][(word >> (8 * k)) & 0xFF])
            return out

        # Gaussian elimination over GF(2): find preimages of every unit vector.
        rows = [(linear_crc4(1 << bit), 1 << bit) for bit in range(32)]  # (image, preimage)
        preimage_of_unit = [0] * 32
        pivots: list[tuple[int, int, int]] = []
        for image, pre in rows:
            for pbit, pimage, ppre in pivots:
                if image >> pbit & 1:
                    image ^= pimage
                    pre ^= ppre
            if image == 0:
                raise AssertionError("CRC of 4 bytes should be a bijection")
            pbit = image.bit_length() - 1
            # keep earlier pivots reduced
            pivots = [
                (b, im ^ image, pr ^ pre) if im >> pbit & 1 else (b, im, pr) for (b, im, pr) in pivots
            ]
            pivots.append((pbit, image, pre))
        for pbit, image, pre in pivots:
            assert image == 1 << pbit
            preimage_of_unit[pbit] = pre
        table = np.zeros((4, 256), dtype=np.uint32)
        values = np.arange(256)
        for k in range(4):
            for bit in range(8):
                table[k][(values >> bit) & 1 == 1] ^= np.uint32(preimage_of_unit[8 * k + bit])
        _inverse_tables = table
    return _inverse_tables


_length_constants = np.zeros(_SHORT, dtype=np.uint32)
_length_known = np.zeros(_SHORT, dtype=bool)


def _length_constant(lengths: np.ndarray) -> np.ndarray:
    """crc32c of `length` zero bytes: what the initial register and final xor add, per length.

    Computed for each distinct length the first time it is seen (a chunk has few distinct ones).
    """
    short = lengths < _SHORT
    if not short.all():
        result = np.empty(len(lengths), dtype=np.uint32)
        result[short] = _length_constant(lengths[short])
        for i in np.flatnonzero(~short):
            result[i] = google_crc32c.value(bytes(int(lengths[i])))
        return result
    missing = lengths[~_length_known[lengths]]
    if len(missing):
        for length in np.unique(missing).tolist():
            _length_constants[length] = google_crc32c.value(bytes(length))
            _length_known[length] = True
    return _length_constants[lengths]


def _unmask(masked: np.ndarray) -> np.ndarray:
    rotated = (masked.astype(np.uint32) - np.uint32(0xA282EAD8)).astype(np.uint32)
    return ((rotated << 15) | (rotated >> 17)).astype(np.uint32)


def _data_crcs_match(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> bool:
    """True when every record's stored data CRC matches its data (two CRC passes in C).

    With A the linear part of CRC32C and N the end of the last record, a buffer Z holding only
    the records' data (framing zeroed) has A(Z) = XOR_i x^(8 (N - end_i)) * A(data_i). A second
    buffer holding, at each record's last 4 data bytes, the 4-byte word w_i with A(w_i) equal to
    the stored CRC's linear part, has the same value exactly when each stored CRC is right
    (single bad records are always caught; several can cancel with probability 2^-32).
    """
    data_starts = starts + HEADER
    ends = data_starts + lengths
    total = int(ends[-1])
    u32 = _view(buffer, "<u4", 4)
    stored = u32[ends]
    if starts[0] == 0 and bool((starts[1:] == ends[:-1] + 4).all()):
        # records back to back: between two records' data lie exactly 16 framing bytes
        zeroed = buffer[:total].copy()
        zeroed[:HEADER] = 0
        gap = _view(zeroed, "<u8", 8)
        gap[ends[:-1]] = 0
        gap[ends[:-1] + 8] = 0
    else:  # corrupt stretches were skipped: zero everything outside the data
        edges = np.zeros(total + 1, dtype=np.int32)
        np.add.at(edges, data_starts, 1)
        np.add.at(edges, ends, -1)
        zeroed = np.where(np.cumsum(edges[:total]) > 0, buffer[:total], 0).astype(np.uint8)
    expected = _unmask(stored) ^ _length_constant(lengths)
    inverse = _inverse_4byte_tables()
    words = (
        inverse[0][expected & 0xFF]
        ^ inverse[1][(expected >> 8) & 0xFF]
        ^ inverse[2][(expected >> 16) & 0xFF]
        ^ inverse[3][expected >> 24]
    )
    # ends - 4 >= 8 always (each record has a 12-byte header), and the words never overlap
    encoded = np.zeros(total, dtype=np.uint8)
    _view(encoded, "<u4", 4)[ends - 4] = words
    zeroed.setflags(write=False)  # google_crc32c reads read-only buffers without a copy
    encoded.setflags(write=False)
    return google_crc32c.value(zeroed) == google_crc32c.value(encoded)


def _bad_records(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indices of records whose data CRC does not match, checked one by one."""
    raw = buffer.tobytes()
    u32 = _view(buffer, "<u4", 4)
    bad = []
    for i, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        data_start = start + HEADER
        if _masked(google_crc32c.value(raw[data_start : data_start + length])) != int(
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


def _varint_in_word(word: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        value, width, good = _varint_in_word(u64[data + 10])
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


def group_tags(buffer: np.ndarray, tag_start: np.ndarray,
               tag_length: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A small integer per distinct tag (in first-seen order) and the tag strings."""
    count = len(tag_start)
    if count == 0:
        return np.zeros(0, dtype=np.int32), []
    u64 = _view(buffer, "<u8", 8)
    last = len(u64) - 1
    words = (int(tag_length.max()) + 7) // 8
    parts = []  # the tag's bytes as little-endian words, zero past its end
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
            return tag_id, [raw.decode("utf-8", "replace") for raw in raw_cache]
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
    names = [raw.decode("utf-8", "replace") for raw in raw_cache]
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
    rest = np.flatnonzero(~ok & (buffer[starts + HEADER] == _WALL_TIME_KEY))
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


# --- the whole chunk -------------------------------------------------------------------------


def scan_chunk(chunk: bytes | bytearray | memoryview, size: int | None = None,
               decode: bool = True) -> ChunkScan:
    """Frame, check and (when `decode`) bulk-decode the scalar events of one chunk.

    Only the first `size` bytes of `chunk` are file data; a few zero bytes after them (16 are
    enough) let the decoder read whole words near the end without bounds checks.
    """
    buffer = np.frombuffer(chunk, dtype=np.uint8)
    if size is None:
        size = len(buffer)
    if len(buffer) < size + _PADDING:
        buffer = np.concatenate([buffer[:size], np.zeros(_PADDING, dtype=np.uint8)])
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
    if decode and len(starts):
        is_scalar, columns, tag_start, tag_length = _decode_all(buffer, starts, lengths)
        tag_id, tags = group_tags(buffer, tag_start, tag_length)
    else:
        is_scalar = np.zeros(len(starts), dtype=bool)
        columns = {
            "record": np.zeros(0, dtype=np.intp),
            "step": np.zeros(0, dtype=np.int64),
            "wall_time": np.zeros(0, dtype=np.float64),
            "value": np.zeros(0, dtype=np.float32),
        }
        tag_id, tags = np.zeros(0, dtype=np.int32), []
    others = np.flatnonzero(~is_scalar)
    other = [
        (int(record_index[i]), int(starts[i]) + HEADER, int(lengths[i])) for i in others.tolist()
    ]
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
    )
