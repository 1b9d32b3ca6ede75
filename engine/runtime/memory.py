"""Storage for the arrays a session keeps from run to run (variables, optimizer scratch) on 2 MiB pages.

An optimizer step makes a dozen elementwise passes over each weight, its slots and its gradient
(`engine/ops/training_kernels.py`): for a 784x256 float32 weight, six 800 KB arrays.  On 4 KiB pages
every pass walks 200 pages of each, and the address translations that miss the TLB cost time beyond
the arithmetic: the hand-written numpy step of `bench/train_step.py` ran 3-7% faster with its
parameters, Adam slots and scratch moved onto 2 MiB pages (`--ablations` there shows the engine with
and without them).

Arrays of at least `MIN_BYTES` are therefore carved, 64-byte aligned, from 2 MiB-aligned chunks of at
least `CHUNK_BYTES`.  numpy asks the kernel for transparent huge pages (madvise) for every allocation of
4 MiB or more, so the chunks get them where the kernel offers them (`transparent_hugepage` set to
`madvise` or `always`); elsewhere they are ordinary memory and nothing else changes.  Smaller arrays
come from `np.empty`.  Each array is a view of its chunk, so a chunk is freed with the last array carved
from it (the chunk being carved from now is also kept, for the next arrays); space is never reused
before that, which suits arrays that live as long as their session.
"""

from __future__ import annotations

import threading

import numpy as np

MIN_BYTES = 256 << 10
CHUNK_BYTES = 8 << 20
_PAGE = 2 << 20
_ALIGN = 64

_lock = threading.Lock()
_chunk = None  # the chunk arrays are carved from now (a uint8 array), and the next free offset in it
_offset = 0


def empty(shape, dtype) -> np.ndarray:
    """An uninitialized C-contiguous array, from a huge-page chunk when it is large enough."""
    global _chunk, _offset
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes < MIN_BYTES or dtype.hasobject:
        return np.empty(shape, dtype)
    with _lock:
        if _chunk is None or _offset + nbytes > len(_chunk):
            size = max(CHUNK_BYTES, -(-nbytes // _PAGE) * _PAGE)
            raw = np.empty(size + _PAGE, np.uint8)
            start = -raw.ctypes.data % _PAGE
            _chunk, _offset = raw[start:start + size], 0
        block = _chunk[_offset:_offset + nbytes]
        _offset += -(-nbytes // _ALIGN) * _ALIGN
    return block.view(dtype).reshape(shape)


def copy(value, dtype) -> np.ndarray:
    """`np.array(value, dtype, copy=True)` in storage from `empty`."""
    value = np.asarray(value, dtype=dtype)
    out = empty(value.shape, value.dtype)
    np.copyto(out, value)
    return out
