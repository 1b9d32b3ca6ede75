"""The plain path of the loader's first two stages: frame one record at a time, decode every record
with protobuf. It is the reference the numpy scanner (`board.data.scan`, the accelerator) must agree
with, and is tested against it; `Loader(accelerated=False)` reads a logdir through it.

Stages of reading a chunk of an event file (see board/data/loader.py for the third, *apply*):

1. **frame** — split the bytes into records (layout in tfformat/records.py), checking both CRCs. A record
   whose data CRC is wrong is reported and skipped (it keeps its record number). A record whose length
   field is wrong cannot be framed: it is reported, and framing resumes at the next position holding a
   header whose CRC checks out (with a length below 64 KiB, as the scanner looks for). A record that
   does not end inside the chunk ends framing: it is read again on the next pass.
2. **decode** — each framed record's data as an ``Event``. Here every record goes to protobuf (the
   ``other`` list of the result); the scanner instead decodes plain scalar and file-version events in
   bulk and leaves only the rest to protobuf.

Both paths return a `ChunkScan`, so the apply stage cannot tell them apart.
"""

from __future__ import annotations

import numpy as np

from board.data.scan import ChunkScan, Corrupt
from tfformat.records import CRC, FRAMING_SIZE, HEADER_SIZE, LENGTH, masked_crc32c

_SHORT = 1 << 16  # the longest length field framing resumes at after a corrupt one (as the scanner)


def frame_records(chunk, size: int) -> tuple[list[tuple[int, int, int]], int, int, list[Corrupt]]:
    """Records of ``chunk[:size]``: ([(number, data offset, data length)], count, consumed, corrupt).

    Records whose data CRC does not match are left out of the list but numbered (and counted).
    """
    data = bytes(chunk[:size])
    framed: list[tuple[int, int, int]] = []
    corrupt: list[Corrupt] = []
    number = 0
    pos = 0
    while pos + HEADER_SIZE <= size:
        (length,) = LENGTH.unpack_from(data, pos)
        if masked_crc32c(data[pos : pos + 8]) != CRC.unpack_from(data, pos + 8)[0]:
            corrupt.append(Corrupt(pos, "the CRC of its length field does not match"))
            resume = _next_header(data, pos + 1, size)
            if resume is None:  # keep the last bytes: a header may start there
                pos = max(pos + 1, size - HEADER_SIZE + 1)
                break
            pos = resume
            continue
        end = pos + FRAMING_SIZE + length
        if end > size:
            break
        start = pos + HEADER_SIZE
        if masked_crc32c(data[start : start + length]) == CRC.unpack_from(data, start + length)[0]:
            framed.append((number, start, length))
        else:
            corrupt.append(Corrupt(pos, "the CRC of its data does not match"))
        number += 1
        pos = end
    return framed, number, min(pos, size), corrupt


def _next_header(data: bytes, begin: int, size: int) -> int | None:
    for pos in range(begin, size - HEADER_SIZE + 1):
        (length,) = LENGTH.unpack_from(data, pos)
        if length < _SHORT and masked_crc32c(data[pos : pos + 8]) == CRC.unpack_from(data, pos + 8)[0]:
            return pos
    return None


def scan_chunk(chunk, size: int | None = None) -> ChunkScan:
    """`board.data.scan.scan_chunk`'s result, by the plain path: no bulk points, every record for
    protobuf."""
    size = len(chunk) if size is None else size
    framed, count, consumed, corrupt = frame_records(chunk, size)
    return ChunkScan(consumed=consumed, record_count=count, record=np.zeros(0, dtype=np.intp),
                     step=np.zeros(0, dtype=np.int64), wall_time=np.zeros(0, dtype=np.float64),
                     value=np.zeros(0, dtype=np.float32), tag_id=np.zeros(0, dtype=np.int32), tags=[],
                     other=np.array(framed, dtype=np.int64).reshape(-1, 3), corrupt=corrupt)
