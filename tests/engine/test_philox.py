"""Philox4x32-10 (engine/ops/philox.py) against Random123's known-answer vectors, and the 128-bit counter
carrying from its low into its high half inside one vectorised call."""

import numpy as np
import pytest

from engine.ops import philox


def _counter(c0, c1, c2, c3):
    return c0 | c1 << 32 | c2 << 64 | c3 << 96


# (counter words c0..c3, key words k0 k1, the block), from Random123's kat_vectors for philox4x32 10.
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF, 0xFFFFFFFF), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


@pytest.mark.parametrize(("counter", "key", "block"), KNOWN_ANSWERS)
def test_known_answers(counter, key, block):
    out = philox.blocks(key[0] | key[1] << 32, _counter(*counter), 1)
    assert out.tolist() == [list(block)]


def test_counter_carries_into_the_high_half():
    key = 0x0123456789ABCDEF
    start = _counter(0xFFFFFFFE, 0xFFFFFFFF, 7, 0)  # low half two below its wrap
    run = philox.blocks(key, start, 5)
    one_by_one = [philox.blocks(key, start + i, 1)[0].tolist() for i in range(5)]
    assert run.tolist() == one_by_one


def test_blocks_span_several_chunks():
    n = 2 * philox._CHUNK + 3
    run = philox.blocks(5, 9 << 64, n)
    for i in (0, philox._CHUNK - 1, philox._CHUNK, n - 1):
        assert run[i].tolist() == philox.blocks(5, (9 << 64) + i, 1)[0].tolist()
    assert np.unique(run[:, 0]).size > n * 0.99


@pytest.mark.parametrize("start", [2**32 - 10, 2**64 - 5, (7 << 64) + 2**32 - 70000])
def test_consecutive_counters_crossing_a_word_boundary(start):
    """The consecutive-counter path (c0 counting up in uint32) hands over to the general one where the
    low word carries into c1 or the low half into the high half, mid-chunk."""
    n = 200_000
    run = philox.blocks(99, start, n)
    assert run.tolist() == philox.blocks_at(99, start, np.arange(n, dtype=np.uint64)).tolist()
    for i in (0, 9, 10, 11, n - 1):
        assert run[i].tolist() == philox.blocks(99, (start + i) % 2**128, 1)[0].tolist()


def test_threads_give_the_same_blocks(monkeypatch):
    from engine.runtime import blas_threads

    n = 3 * philox._CHUNK + 17
    monkeypatch.setattr(blas_threads.PROCESS, "threads", 1)
    alone = philox.blocks(3, 11, n)
    monkeypatch.setattr(blas_threads.PROCESS, "threads", 2)
    assert philox.blocks(3, 11, n).tolist() == alone.tolist()
