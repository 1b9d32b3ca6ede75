"""CRC32C of many short byte ranges at once, with numpy (the accelerator of tfformat/records.py).

TFRecord checks every record with a masked CRC32C. Calling a C CRC routine once per record costs far
more in Python call overhead than the CRC itself when records are ~50 bytes (a scalar event), so for
short records we compute all CRCs together: board's scanner to check a chunk of an event file, and
engine's bulk scalar writer (engine/summary/scalar_records.py) to make a batch of records.

CRC32C is affine over GF(2): processing byte ``b`` at distance ``k`` from the end of a message adds
(xor) a contribution ``U_k[b]`` that depends only on ``k`` and ``b``, and the initial register value
adds a constant that depends only on the message length. So

    crc(message) = K[len] ^ U_0[last byte] ^ U_1[second to last byte] ^ ...

which needs no sequential pass over a message: every record's bytes at distance ``k`` are handled
together, two bytes per step with 65,536-entry tables. Leading zero bytes contribute nothing
(``U_k[0] == 0``), so records of different lengths share the same loop.

To only *check* the data CRCs of a whole chunk, one C pass over a suitably edited copy of the
chunk is enough (`linear_crc_is_zero`, below).
"""

from __future__ import annotations

import numpy as np

from tfformat.records import crc32c, crc32c_extend, unmask_array

_POLY = 0x82F63B78  # CRC32C (Castagnoli), reflected


def _byte_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLY), table >> 1).astype(np.uint32)
    return table


_TABLE = _byte_table()


def _advance_zero_byte(registers: np.ndarray) -> np.ndarray:
    """The CRC register after feeding one zero byte, for many registers at once."""
    return _TABLE[registers & 0xFF] ^ (registers >> 8)


class CrcTables:
    """Lazily built per-distance tables for messages up to `max_length` bytes."""

    def __init__(self, max_length: int):
        self.max_length = max_length
        # byte[k]: contribution of one byte at distance k from the end (k = 0 is the last byte).
        byte = np.empty((max_length + 1, 256), dtype=np.uint32)
        byte[0] = _TABLE
        for k in range(1, max_length + 1):
            byte[k] = _advance_zero_byte(byte[k - 1])
        self._byte = byte
        # constant[n]: contribution of the initial register 0xFFFFFFFF and the final xor, for length n.
        constant = np.empty(max_length + 1, dtype=np.uint32)
        register = np.array([0xFFFFFFFF], dtype=np.uint32)
        for n in range(max_length + 1):
            constant[n] = register[0] ^ 0xFFFFFFFF
            register = _advance_zero_byte(register)
        self.constant = constant
        self._pairs: dict[int, np.ndarray] = {}

    def byte(self, k: int) -> np.ndarray:
        """Contribution (256 entries) of one byte at distance k from the end of a message."""
        return self._byte[k]

    def pair(self, k: int) -> np.ndarray:
        """Contribution of a little-endian uint16 whose high byte is at distance k, low byte k + 1."""
        table = self._pairs.get(k)
        if table is None:
            low = self._byte[k + 1]
            high = self._byte[k]
            table = (low[np.newaxis, :] ^ high[:, np.newaxis]).reshape(-1)
            self._pairs[k] = table
        return table


_tables: CrcTables | None = None


def tables(max_length: int) -> CrcTables:
    global _tables
    if _tables is None or _tables.max_length < max_length:
        _tables = CrcTables(max(max_length, 64))
    return _tables


def crc32c_ranges(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """CRC32C of ``buffer[starts[i] : starts[i] + lengths[i]]`` for every i (uint32 array).

    Meant for short ranges: the work per range grows with the longest range. ``starts`` must be
    at least 1 (the byte before each range is read, then masked off, for odd lengths).
    """
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint32)
    longest = int(lengths.max())
    tab = tables(longest)
    ends = starts + lengths
    crc = tab.constant[lengths].astype(np.uint32)
    uniform = bool((lengths == longest).all())
    for k in range(0, longest, 2):
        # bytes at distance k (high) and k + 1 (low) from each range's end
        high_pos = ends - 1 - k
        if uniform:
            high = buffer[high_pos].astype(np.uint16)
            if k + 1 < longest:
                low = buffer[high_pos - 1]
                crc ^= tab.pair(k)[(high << 8) | low]
            else:
                crc ^= tab.pair(k)[high << 8]
            continue
        live_high = lengths > k
        live_low = lengths > k + 1
        high = np.where(live_high, buffer[np.maximum(high_pos, 0)], 0).astype(np.uint16)
        low = np.where(live_low, buffer[np.maximum(high_pos - 1, 0)], 0).astype(np.uint16)
        crc ^= tab.pair(k)[(high << 8) | low]
    return crc


# --- many records' data CRCs in one pass ----------------------------------------------------
#
# With A the linear part of CRC32C (crc(m) = A(m) ^ K(len(m)), K(n) the CRC of n zero bytes), a
# message followed by its own A as 4 little-endian bytes has A(m || A(m)) = 0 (the CRC "residue"
# property: A(w) = x^32 w for 4 bytes w). A is linear, so a buffer holding every record's data at
# its place, in the 4 bytes after each the A(data) its stored CRC claims, and zeros everywhere
# else has A = 0 exactly when every stored CRC is right: one bad record always shows; several can
# cancel with probability 2^-32. That is one pass of google_crc32c over the chunk.

_SHORT = 1 << 16  # lengths below this have their K in a table
_length_constants = np.zeros(_SHORT, dtype=np.uint32)
_length_known = np.zeros(_SHORT, dtype=bool)


def _length_constant(lengths: np.ndarray) -> np.ndarray:
    """K(length): crc32c of `length` zero bytes, what the initial register and final xor add.

    Computed for each distinct length the first time it is seen (a chunk has few distinct ones).
    """
    short = lengths < _SHORT
    if not short.all():
        result = np.empty(len(lengths), dtype=np.uint32)
        result[short] = _length_constant(lengths[short])
        for i in np.flatnonzero(~short):
            result[i] = crc32c(bytes(int(lengths[i])))
        return result
    missing = lengths[~_length_known[lengths]]
    if len(missing):
        for length in set(missing.tolist()):
            _length_constants[length] = crc32c(bytes(length))
            _length_known[length] = True
    return _length_constants[lengths]


def claimed_linear_crcs(stored: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A(data) of each record as its stored, masked CRC claims it, from that CRC and the length."""
    return unmask_array(stored) ^ _length_constant(lengths)


def linear_crc_is_zero(buffer: np.ndarray) -> bool:
    """True when A(buffer) == 0: with the register started at all ones, extend() undoes both the
    initial value and the final xor."""
    buffer.setflags(write=False)  # google_crc32c reads read-only buffers without a copy
    return crc32c_extend(0xFFFFFFFF, buffer) == 0xFFFFFFFF
