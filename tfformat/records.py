"""The byte format shared by every file engine writes and board reads: TFRecord framing, masked
CRC32C and protobuf varints. Event files, SSTable blocks (checkpoint index) and checkpoint data all
use these pieces; nothing else in engine or board spells them out again.

A TFRecord, the unit of an event file (integers little-endian):

    u64  length
    u32  masked_crc32c(the 8 length bytes)
    u8   data[length]
    u32  masked_crc32c(data)

`masked_crc32c` is CRC32C (Castagnoli) rotated right by 15 bits plus 0xA282EAD8: masking keeps the CRC
of data that itself holds CRCs from being degenerate. SSTable blocks and checkpoint entries store the
same masked CRC32C.

A varint is protobuf's base-128 integer (LEB128): 7 bits a byte, least significant first, the high
bit set on every byte but the last. A negative int64 takes ten bytes (its two's complement as uint64),
as protobuf writes it.

Readers of many records at once (board's scanner, engine's bulk scalar writer) compute CRCs with
numpy instead (tfformat/crc_tables.py); they use `mask_array`/`unmask_array` from here.
"""

from __future__ import annotations

import struct

import google_crc32c
import numpy as np

LENGTH = struct.Struct("<Q")
CRC = struct.Struct("<I")
HEADER_SIZE = LENGTH.size + CRC.size  # 12: the length and its CRC
FOOTER_SIZE = CRC.size  # 4: the CRC of the data
FRAMING_SIZE = HEADER_SIZE + FOOTER_SIZE  # 16 bytes of every record that are not data
MASK_DELTA = 0xA282EAD8

crc32c = google_crc32c.value  # plain CRC32C of bytes
crc32c_extend = google_crc32c.extend  # CRC32C continued over more bytes


def mask(crc: int) -> int:
    """A CRC32C as TFRecord stores it: rotated right by 15 bits, plus a constant."""
    return (((crc >> 15) | (crc << 17)) + MASK_DELTA) & 0xFFFFFFFF


def masked_crc32c(data) -> int:
    """The masked CRC32C of ``data`` (bytes or any buffer)."""
    return mask(google_crc32c.value(data))


def mask_array(crc: np.ndarray) -> np.ndarray:
    """`mask` of many CRCs at once (uint32 array)."""
    crc = crc.astype(np.uint32)
    return (((crc >> 15) | (crc << 17)) + np.uint32(MASK_DELTA)).astype(np.uint32)


def unmask_array(masked: np.ndarray) -> np.ndarray:
    """The CRCs masked ones were made from (the inverse of `mask_array`)."""
    rotated = (masked.astype(np.uint32) - np.uint32(MASK_DELTA)).astype(np.uint32)
    return ((rotated << 15) | (rotated >> 17)).astype(np.uint32)


def encode_record(data: bytes) -> bytes:
    """One framed record, ready to append to a file."""
    length = LENGTH.pack(len(data))
    return b"".join((length, CRC.pack(masked_crc32c(length)), data, CRC.pack(masked_crc32c(data))))


def encode_varint(value: int) -> bytes:
    """A varint; negative values (int64) take ten bytes, as protobuf writes them."""
    value &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data, pos: int, limit: int | None = None) -> tuple[int, int]:
    """(value, position after it) of the varint at ``data[pos]``, as an unsigned 64-bit value.

    ValueError when it runs past ``limit`` (default: the end of ``data``) or past 64 bits.
    """
    limit = len(data) if limit is None else limit
    result = shift = 0
    while True:
        if pos >= limit or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
