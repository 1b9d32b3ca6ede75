"""TensorFlow's conversions from Philox words to sample values (core/lib/random/random_distributions.h).

* uniform float32: 23 random mantissa bits under exponent 0 give [1, 2); minus 1.  float16 the same with
  10 bits, float64 with 52 bits taken from two words (20 from the first, 32 from the second).
* uniform ints: lo + word % (hi - lo) (int64: two words, first one low).
* normal: Box-Muller on pairs of uniforms, computed with the C library's logf/sincosf (float) or
  log/sin/cos (double) exactly as the kernels call them, so every value matches TF's to the bit.
* truncated normal: each group of outputs owns a fixed stretch of the stream and takes Box-Muller values
  in order, dropping those with |x| >= 2, until the group is full.

The float32 transcendental functions come from the same libm TensorFlow's kernels link against: numpy's
own float32 log/sin/cos (and float64 results rounded to float32) differ from glibc's in the last bit for
a fraction of inputs, and one bit is enough to change a seeded program's printed numbers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
for _name in ("logf", "sinf", "cosf"):
    _fn = getattr(_libm, _name)
    _fn.restype = ctypes.c_float
    _fn.argtypes = [ctypes.c_float]
_logf = np.frompyfunc(_libm.logf, 1, 1)
_sinf = np.frompyfunc(_libm.sinf, 1, 1)
_cosf = np.frompyfunc(_libm.cosf, 1, 1)
_log = np.frompyfunc(math.log, 1, 1)
_sin = np.frompyfunc(math.sin, 1, 1)
_cos = np.frompyfunc(math.cos, 1, 1)

_F32_ONE = np.uint32(0x3F800000)
_F32_MANT = np.uint32(0x7FFFFF)
_TWO_PI = 2.0 * math.pi


def _libm_apply(fn, x, dtype):
    return fn(x).astype(dtype) if x.size else np.empty(0, dtype)


def uint32_to_float(words, inplace=False):
    """[0, 1) float32 from the low 23 bits of each word (`inplace`: reuse `words`' memory)."""
    bits = np.bitwise_and(words, _F32_MANT, out=words if inplace else None)
    bits |= _F32_ONE
    out = bits.view(np.float32)
    out -= np.float32(1.0)
    return out


def uint32_to_float_inplace(words):
    """`uint32_to_float` writing the floats' bits over `words` (a uint32 array)."""
    uint32_to_float(words, inplace=True)


def uint16_to_half(words):
    """[0, 1) float16 from the low 10 bits of each word."""
    bits = ((words & np.uint32(0x3FF)) | np.uint32(15 << 10)).astype(np.uint16)
    return bits.view(np.float16) - np.float16(1.0)


def uint64_to_double(hi_words, lo_words):
    """[0, 1) float64: 20 mantissa bits from the first word of a pair, 32 from the second."""
    man = ((hi_words & np.uint32(0xFFFFF)).astype(np.uint64) << np.uint64(32)) | lo_words.astype(np.uint64)
    return (man | np.uint64(1023 << 52)).view(np.float64) - 1.0


def uniform(words, dtype):
    """Uniform [0, 1) values: 4 per block for float16/32, 2 per block for float64."""
    if dtype == np.float64:
        return uint64_to_double(words[0::2], words[1::2])
    if dtype == np.float16:
        return uint16_to_half(words)
    return uint32_to_float(words, inplace=True)


def uniform_int(words, lo, hi, dtype):
    """lo + bits % (hi - lo), with the range taken unsigned as TF takes it (int32: 1 word, int64: 2)."""
    if dtype == np.int64:
        bits = words[0::2].astype(np.uint64) | (words[1::2].astype(np.uint64) << np.uint64(32))
        rng = np.uint64((int(hi) - int(lo)) & 0xFFFFFFFFFFFFFFFF)
        return (bits % rng).astype(np.int64) + np.int64(lo)
    rng = np.uint32((int(hi) - int(lo)) & 0xFFFFFFFF)
    return ((words % rng).astype(np.int64) + int(lo)).astype(np.int32)


def box_muller_float(x0, x1):
    """TF's BoxMullerFloat on word pairs: (sin(v) * u, cos(v) * u) interleaved, float32."""
    u1 = np.maximum(uint32_to_float(x0), np.float32(1.0e-7))
    # 2.0f * M_PI is a double, so v is the double product rounded once to float.
    v1 = (_TWO_PI * uint32_to_float(x1).astype(np.float64)).astype(np.float32)
    u2 = np.sqrt(np.float32(-2.0) * _libm_apply(_logf, u1, np.float32))
    out = np.empty(2 * x0.size, np.float32)
    out[0::2] = _libm_apply(_sinf, v1, np.float32) * u2
    out[1::2] = _libm_apply(_cosf, v1, np.float32) * u2
    return out


def box_muller_double(x0, x1, x2, x3):
    """TF's BoxMullerDouble on word quadruples: two float64 normals per four words."""
    u1 = np.maximum(uint64_to_double(x0, x1), 1.0e-7)
    v1 = _TWO_PI * uint64_to_double(x2, x3)
    u2 = np.sqrt(-2.0 * _libm_apply(_log, u1, np.float64))
    out = np.empty(2 * x0.size, np.float64)
    out[0::2] = _libm_apply(_sin, v1, np.float64) * u2
    out[1::2] = _libm_apply(_cos, v1, np.float64) * u2
    return out


def normal(words, dtype):
    """Standard normals from whole blocks: 4 per block (float16/32), 2 per block (float64)."""
    if dtype == np.float64:
        return box_muller_double(words[0::4], words[1::4], words[2::4], words[3::4])
    out = box_muller_float(words[0::2], words[1::2])
    return out.astype(np.float16) if dtype == np.float16 else out


def truncated_normal(gen, groups, dtype):
    """`groups` groups of truncated normals (4 each for float16/32, 2 for float64).  Group g draws from
    its own stretch of the stream, blocks gen + g * stride onwards, and keeps its values with |x| < 2 in
    order until it has its share (TF's FillPhiloxRandomTask for variable-sample distributions)."""
    from engine.ops import philox

    wide = dtype == np.float64
    per_group = 2 if wide else 4
    stride = np.uint64(per_group * 256 // 4)
    out = np.empty((groups, per_group), np.float64 if wide else np.float32)
    pending = np.arange(groups, dtype=np.uint64)
    drawn = None  # values drawn so far by each pending group, block after block
    block = 0
    while pending.size:
        words = philox.blocks_at(gen.key, gen.counter + block, pending * stride).reshape(-1)
        vals = normal(words, np.float64 if wide else np.float32).reshape(pending.size, -1)
        drawn = vals if drawn is None else np.concatenate([drawn, vals], axis=1)
        ok = np.abs(drawn) < 2.0
        done = ok.sum(axis=1) >= per_group
        if done.any():
            # Accepted values first, in stream order (stable sort on "rejected").
            order = np.argsort(~ok[done], axis=1, kind="stable")[:, :per_group]
            out[pending[done].astype(np.int64)] = np.take_along_axis(drawn[done], order, axis=1)
        pending, drawn = pending[~done], drawn[~done]
        block += 1
    flat = out.reshape(-1)
    return flat.astype(np.float16) if dtype == np.float16 else flat
