"""Philox4x32-10, the counter-based bit generator behind TensorFlow's stateful random ops.

A generator is a 64-bit key (the op's `seed` attr) and a 128-bit counter whose upper half starts at the
op's `seed2` attr.  Each counter value encrypts to four uint32 words; the counter then advances by one.
Random kernels reserve a fixed stretch of counters per run (`reserve`), so a second `sess.run` of the
same op starts where TF's does, whatever the first run consumed.

Everything is vectorised: `words(n)` computes n counter blocks at once in numpy uint32/uint64
arithmetic, so a million samples cost a few dozen array passes rather than a Python loop.
"""

from __future__ import annotations

import secrets

import numpy as np

from engine.runtime import blas_threads

# Philox's Weyl increments for the key and its round multipliers (Salmon et al., "Parallel random
# numbers: as easy as 1, 2, 3", SC'11), as TF's philox_random.h uses them.
_KEY_STEP_A = 0x9E3779B9
_KEY_STEP_B = 0xBB67AE85
_ROUNDS = 10
_M32 = 0xFFFFFFFF
_M64 = 0xFFFFFFFFFFFFFFFF
_M128 = (1 << 128) - 1


_MULS = np.array([[0xD2511F53], [0xCD9E8D57]], dtype=np.uint64)
# Where the low and high 32-bit halves of a uint64 sit in its uint32 view.
_LO, _HI = (0, 1) if np.little_endian else (1, 0)
# Blocks per pass: 65536 (working arrays ~2.6 MB) measured best with two threads sharing a 1M-sample
# draw (3.7 ms against 4.1 for 32768 and 14 for 8192, whose passes are mostly overhead) and as fast as
# 32768 on one thread (6.6 ms; bench/random_ops.py).
_CHUNK = 65536


def _round_keys(key):
    """The ten (k0, k1) round keys, as a (2, 1) uint32 column each (broadcast over a chunk)."""
    k0, k1 = key & _M32, (key >> 32) & _M32
    keys = []
    for _ in range(_ROUNDS):
        keys.append(np.array([[k0], [k1]], dtype=np.uint32))
        k0, k1 = (k0 + _KEY_STEP_A) & _M32, (k1 + _KEY_STEP_B) & _M32
    return keys


def blocks(key, counter, n, finish=None):
    """The n blocks for counters counter .. counter+n-1: a uint32 array of shape (n, 4)."""
    return blocks_at(key, counter, n, finish)


def blocks_at(key, counter, offsets, finish=None):
    """The blocks for counters counter + offsets (a uint64 array, or n for 0 .. n-1): uint32 array of
    shape (len, 4).  `finish(words)`, when given, converts each chunk's words in place while they are
    still in cache (and on the thread that made them).

    Works chunk by chunk on a (2, chunk) layout: row 0 is the (c0, c1) lane, row 1 the (c2, c3) lane,
    so one numpy multiply forms both 32x32->64-bit products of a round; their high and low halves are
    read through a uint32 view of the products (no shift or mask pass), and the two product buffers
    alternate so the low halves (next c1, c3) survive until the round after.  Chunks are independent:
    the session's intra-op threads share them out as TF shards its random kernels over its pool (numpy
    releases the GIL inside each pass), each thread with its own working buffers.
    """
    sequential = isinstance(offsets, int)
    n = offsets if sequential else offsets.size
    out = np.empty((n, 4), dtype=np.uint32)
    if not n:
        return out
    lo64, hi64 = counter & _M64, counter >> 64
    wraps = lo64 + (n - 1 if sequential else int(offsets.max())) > _M64  # low halves overflow into high
    chunk = min(_CHUNK, n)
    keys = _round_keys(key)
    steps = np.arange(chunk, dtype=np.uint32) if sequential else None

    def work(scratch, start):
        x, y0, prods, halves = scratch
        m = min(chunk, n - start)
        first = lo64 + start
        if sequential and not wraps and (first & _M32) + m <= 1 << 32:
            # Consecutive counters whose low word does not carry: c0 counts up, c1..c3 are constants
            # (one uint32 pass instead of four uint64 ones).
            np.add(steps[:m], np.uint32(first & _M32), out=x[0, :m])
            y0[0, :m] = first >> 32
            high = None
        else:
            part = np.arange(start, start + m, dtype=np.uint64) if sequential else offsets[start : start + m]
            low = part + np.uint64(lo64)  # wraps modulo 2**64 like the C++ counter words
            high = np.where(low < part, np.uint64((hi64 + 1) & _M64), np.uint64(hi64)) if wraps else None
            x[0, :m] = low & np.uint64(_M32)
            y0[0, :m] = low >> np.uint64(32)
        if high is None:
            x[1, :m] = hi64 & _M32
            y0[1, :m] = hi64 >> 32
        else:
            x[1, :m] = high & np.uint64(_M32)
            y0[1, :m] = high >> np.uint64(32)
        block = out[start : start + m]
        _rounds(x, y0, prods, halves, keys, block, m)
        if finish is not None:
            finish(block)

    def take():
        x = np.empty((2, chunk), dtype=np.uint32)  # c0, c2
        y0 = np.empty((2, chunk), dtype=np.uint32)  # c1, c3 before the first round
        prods = [np.empty((2, chunk), dtype=np.uint64) for _ in range(2)]
        # halves[b][lane, i, _LO] is the low word of the product in buffer b; lanes swapped as the
        # round function wants (c0's product feeds c2/c3 and vice versa).
        halves = [p.view(np.uint32).reshape(2, chunk, 2)[::-1] for p in prods]
        return x, y0, prods, halves

    blas_threads.map_chunks(work, [(start,) for start in range(0, n, chunk)], take, lambda _: None,
                            uses_blas=False)
    return out


def _rounds(x, y, prods, halves, keys, block, m):
    """The ten rounds on the first m columns of the (c0, c2) lanes x and (c1, c3) lanes y; the words go
    to block (m, 4)."""
    for r in range(_ROUNDS):
        np.multiply(x, _MULS, out=prods[r & 1])
        h = halves[r & 1]
        np.bitwise_xor(h[:, :, _HI], y, out=x)
        x ^= keys[r]
        y = h[:, :, _LO]
    block[:, 0] = x[0, :m]
    block[:, 1] = y[0, :m]
    block[:, 2] = x[1, :m]
    block[:, 3] = y[1, :m]


class Philox:
    """TF's PhiloxRandom keyed by (seed, seed2), with GuardedPhiloxRandom's reservations."""

    def __init__(self, seed, seed2):
        self.key = int(seed) & _M64
        self.counter = (int(seed2) & _M64) << 64

    @classmethod
    def from_attrs(cls, seed, seed2):
        """GuardedPhiloxRandom::Init: both 0 means unseeded, and the key comes from the OS."""
        if seed == 0 and seed2 == 0:
            seed, seed2 = secrets.randbits(64), secrets.randbits(64)
        return cls(seed, seed2)

    def reserve(self, count):
        """A copy of the generator at the current counter; this one skips `count` blocks ahead."""
        start = Philox.__new__(Philox)
        start.key, start.counter = self.key, self.counter
        self.counter = (self.counter + int(count)) & _M128
        return start

    def skip(self, count):
        self.counter = (self.counter + int(count)) & _M128

    def words(self, n, finish=None):
        """The next n blocks as a flat uint32 array of 4n words (`finish`: see `blocks_at`); the counter
        advances by n."""
        out = blocks(self.key, self.counter, n, finish).reshape(-1)
        self.skip(n)
        return out


class SingleSample:
    """TF's `SingleSampleAdapter<PhiloxRandom>`: the generator's words one at a time, each block's four in
    order (the queue and dataset shuffles draw their indices this way).  The generator must be this
    adapter's alone: it computes `_BLOCKS` blocks at a time (one numpy pass, not one per four words),
    which gives the same words as TF's block-by-block draws."""

    __slots__ = ("philox", "words", "used")
    _BLOCKS = 64

    def __init__(self, philox):
        self.philox = philox
        self.words = []
        self.used = 0

    def __call__(self):
        """The next uint32 word, as a Python int."""
        if self.used == len(self.words):
            self.words = self.philox.words(self._BLOCKS).tolist()
            self.used = 0
        word = self.words[self.used]
        self.used += 1
        return word


class SimplePhilox:
    """TF's SimplePhilox on a reserved generator: the words of consecutive blocks, one at a time (the
    candidate samplers and SampleDistortedBoundingBox draw this way)."""

    def __init__(self, gen):
        self.rand32 = SingleSample(gen)  # the next uint32 word; `gen` is a reservation, this one's alone

    def rand64(self):
        lo = self.rand32()
        return lo | self.rand32() << 32

    def rand_float(self):
        """Uint32ToFloat: 23 mantissa bits in [1, 2), minus 1 (exact in a Python float)."""
        return float(np.uint32(0x3F800000 | (self.rand32() & 0x7FFFFF)).view(np.float32)) - 1.0

    def rand_double(self):
        """Uint64ToDouble: 20 bits of the first word and the second word as the mantissa, minus 1."""
        hi, lo = self.rand32() & 0xFFFFF, self.rand32()
        return float(np.uint64((1023 << 52) | (hi << 32) | lo).view(np.float64)) - 1.0

    def uniform(self, n, bits=32):
        """ExactUniformInt: an integer in [0, n), rejecting the low words that would bias it."""
        draw = self.rand32 if bits == 32 else self.rand64
        if n == 0:
            draw()
            return 0
        if n & (n - 1) == 0:
            return draw() & (n - 1)
        rem = ((_M32 if bits == 32 else _M64) % n) + 1
        while True:
            value = draw()
            if value >= rem:
                return value % n
