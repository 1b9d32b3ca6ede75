"""Candidate samplers (`tf.nn.uniform_candidate_sampler`, `log_uniform_...`, `learned_unigram_...`,
`fixed_unigram_...`, `all_...`) and ComputeAccidentalHits, as TF's kernels compute them.

A run reserves TF's stretch of Philox counters (2048 32-bit samples per sampled candidate) and draws from
it one 32-bit word at a time, as TF's SimplePhilox does: uniform integers by rejection
(ExactUniformInt), log-uniform values from doubles built of two words, unigram picks by weight (the
learned sampler's counts grow with the true classes it sees, for the session's life), fixed unigram
picks through Walker's alias table.  Seeded samplers give TF's candidates and expected counts; the float
math of the expected counts calls the C library's log1pf/expm1f as TF's kernel does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from engine.framework import dtypes, errors, ops, random_seed, registry
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import convert_input, dims, make_op, shape_error
from engine.ops.philox import SimplePhilox

_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
for _name in ("log1pf", "expm1f", "powf"):
    getattr(_libm, _name).restype = ctypes.c_float
_libm.log1pf.argtypes = [ctypes.c_float]
_libm.expm1f.argtypes = [ctypes.c_float]
_libm.powf.argtypes = [ctypes.c_float, ctypes.c_float]
_F32 = np.float32


# --- the samplers (TF's RangeSampler subclasses) ---------------------------------------------------------
class _Uniform:
    def __init__(self, range_max):
        self.range = range_max
        self.inv_range = _F32(1.0 / range_max)

    def sample(self, rnd):
        return rnd.uniform(self.range, bits=64)

    def probability(self, value):
        return self.inv_range


class _LogUniform:
    def __init__(self, range_max):
        self.range = range_max
        self.log_range = math.log1p(range_max)

    def sample(self, rnd):
        return (int(math.exp(rnd.rand_double() * self.log_range)) - 1) % self.range

    def probability(self, value):
        return _F32(math.log((value + 2.0) / (value + 1.0)) / self.log_range)


class _LearnedUnigram:
    """A weight per class, 1 to begin with, one more each time the class is a true class of a run."""

    needs_updates = True

    def __init__(self, range_max):
        self.range = range_max
        self.weights = np.ones(range_max, np.int64)
        self._cumulative = None

    def sample(self, rnd):
        if self._cumulative is None:
            self._cumulative = np.cumsum(self.weights)
        index = rnd.uniform(int(self._cumulative[-1]))  # WeightedPicker's UnbiasedUniform
        return int(np.searchsorted(self._cumulative, index, side="right"))

    def probability(self, value):
        return _F32(_F32(self.weights[value]) / _F32(self.weights.sum()))

    def update(self, values):
        room = min(len(values), 2**31 - 1 - int(self.weights.sum()))
        np.add.at(self.weights, np.asarray(values[:room], np.int64), 1)
        self._cumulative = None


class _FixedUnigram:
    """Weights from `unigrams` or a vocabulary file's last CSV column, each raised to `distortion`, sampled
    through Walker's alias table (TF's DistributionSampler, built in double precision)."""

    def __init__(self, range_max, distortion, num_reserved_ids, num_shards, shard, unigrams, vocab_file):
        self.range = range_max
        weights = [0.0 for word in range(num_reserved_ids) if word % num_shards == shard]
        total = _F32(0.0)
        counts = unigrams if unigrams else _vocab_counts(vocab_file)
        for word, w in enumerate(counts, start=len(weights)):
            if word % num_shards == shard:
                w = _libm.powf(float(w), float(distortion))
                total = _F32(total + _F32(w))
                weights.append(w)
        if len(weights) != range_max:
            raise errors.InvalidArgumentError(
                None, None, f"range is {range_max} must be equal to weights size  {len(weights)}"
            )
        self.weights = np.asarray(weights, np.float32)
        self.total = total
        self.prob, self.alt = _alias_table(self.weights)

    def sample(self, rnd):
        r = rnd.rand_float()
        index = rnd.uniform(len(self.prob))
        return index if r < self.prob[index] else self.alt[index]

    def probability(self, value):
        if value < 0 or value >= len(self.weights):
            return _F32(0.0)
        return _F32(self.weights[value] / self.total)


def _vocab_counts(path):
    counts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split(",")
            try:
                counts.append(float(cols[-1]))
            except ValueError:
                raise errors.InvalidArgumentError(
                    None, None, f"Wrong vocabulary format at line: {line}"
                ) from None
    return counts


def _alias_table(weights):
    """Walker's alias table exactly as TF's DistributionSampler builds it (stacks popped from the back)."""
    n = len(weights)
    total = 0.0
    for w in weights:
        total += float(w)
    pr = [float(w) * n / total for w in weights]
    alt = [-1] * n
    low = [i for i in range(n) if pr[i] < 1.0]
    high = [i for i in range(n) if pr[i] >= 1.0]
    while high and low:
        lo, hi = low.pop(), high.pop()
        alt[lo] = hi
        pr[hi] = pr[hi] - (1.0 - pr[lo])
        (low if pr[hi] < 1.0 else high).append(hi)
    prob = [float(_F32(p)) for p in pr]
    for i in high + low:  # rounding leftovers: always themselves
        prob[i], alt[i] = 1.0, i
    return prob, alt


def _expected_count(p, batch_size, num_tries):
    """TF's ExpectedCountHelper in float32: p * batch without rejections, else 1 - (1 - p)^tries."""
    if num_tries == batch_size:
        return _F32(p * _F32(batch_size))
    return _F32(-_libm.expm1f(float(_F32(num_tries * _F32(_libm.log1pf(float(-p)))))))


def _sample_batch(sampler, rnd, unique, num_sampled, true_flat):
    if unique:
        picked, used, num_tries = [], set(), 0
        while len(picked) < num_sampled:
            num_tries += 1
            value = sampler.sample(rnd)
            if value not in used:
                used.add(value)
                picked.append(value)
    else:
        picked = [sampler.sample(rnd) for _ in range(num_sampled)]
        num_tries = num_sampled
    sampled_expected = [_expected_count(sampler.probability(v), num_sampled, num_tries) for v in picked]
    true_expected = [_expected_count(sampler.probability(v), num_sampled, num_tries) for v in true_flat]
    return picked, true_expected, sampled_expected


def _checked_true_classes(true_classes, num_true):
    """The [batch, num_true] int64 matrix of true classes, with TF's kernel errors (its text has
    "expected" and "was" the other way round)."""
    true_classes = np.asarray(true_classes, np.int64)
    if true_classes.ndim != 2:
        raise errors.InvalidArgumentError(None, None, "true_classes must be a matrix")
    if true_classes.shape[1] != num_true:
        raise errors.InvalidArgumentError(
            None, None, f"true_classes must have num_true columns, expected: {true_classes.shape[1]} was: "
            f"{num_true}")
    return true_classes


def _compile_sampler(make_sampler):
    def compile_(op, runtime):
        num_true, num_sampled = op.get_attr("num_true"), op.get_attr("num_sampled")
        unique = op.get_attr("unique")
        sampler = runtime.resource(op, lambda: make_sampler(op))
        gen = runtime.rng(op)

        def kernel(true_classes):
            true_classes = _checked_true_classes(true_classes, num_true)
            if unique and num_sampled > sampler.range:
                raise errors.InvalidArgumentError(None, None, "Sampler's range is too small.")
            true_flat = true_classes.reshape(-1).tolist()
            for candidate in true_flat:
                if not 0 <= candidate < sampler.range:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"`true_candidate` out of range [0, {sampler.range}), received {candidate}",
                    )
            rnd = SimplePhilox(gen.reserve((2048 * num_sampled + 3) // 4))
            picked, true_expected, sampled_expected = _sample_batch(
                sampler, rnd, unique, num_sampled, true_flat
            )
            if getattr(sampler, "needs_updates", False):
                sampler.update(true_flat)
            return (
                np.asarray(picked, np.int64),
                np.asarray(true_expected, np.float32).reshape(true_classes.shape),
                np.asarray(sampled_expected, np.float32),
            )

        return kernel

    return compile_


def _infer_sampler(op):
    true_classes = op.inputs[0]
    d = dims(true_classes)
    if d is not None and len(d) != 2:
        raise shape_error(op, f"Shape must be rank 2 but is rank {len(d)}")
    batch = d[0] if d else None
    num_true, num_sampled = op.get_attr("num_true"), op.get_attr("num_sampled")
    return [
        (dtypes.int64, _ts.TensorShape([num_sampled])),
        (dtypes.float32, _ts.TensorShape([batch, num_true])),
        (dtypes.float32, _ts.TensorShape([num_sampled])),
    ]


_SEEDS = {"seed": 0, "seed2": 0}
for _op_type, _make in (("UniformCandidateSampler", _Uniform), ("LogUniformCandidateSampler", _LogUniform),
                       ("LearnedUnigramCandidateSampler", _LearnedUnigram)):
    registry.register_op(_op_type, infer=_infer_sampler, stateful=True, attrs=dict(_SEEDS),
                         compile=_compile_sampler(lambda op, make=_make: make(op.get_attr("range_max"))))
registry.register_op(
    "FixedUnigramCandidateSampler",
    infer=_infer_sampler,
    stateful=True,
    attrs={
        **_SEEDS,
        "vocab_file": "",
        "distortion": 1.0,
        "num_reserved_ids": 0,
        "num_shards": 1,
        "shard": 0,
        "unigrams": [],
    },
    compile=_compile_sampler(
        lambda op: _FixedUnigram(
            op.get_attr("range_max"),
            op.get_attr("distortion"),
            op.get_attr("num_reserved_ids"),
            op.get_attr("num_shards"),
            op.get_attr("shard"),
            list(op.get_attr("unigrams")),
            op.get_attr("vocab_file"),
        )
    ),
)


def _compile_all(op, runtime):
    num_true, num_sampled = op.get_attr("num_true"), op.get_attr("num_sampled")

    def kernel(true_classes):
        true_classes = _checked_true_classes(true_classes, num_true)
        return (
            np.arange(num_sampled, dtype=np.int64),
            np.ones(true_classes.shape, np.float32),
            np.ones(num_sampled, np.float32),
        )

    return kernel


registry.register_op(
    "AllCandidateSampler", infer=_infer_sampler, compile=_compile_all, stateful=True, attrs=dict(_SEEDS)
)


def _sampler(op_type, true_classes, num_true, num_sampled, unique, seed, name, **attrs):
    seed1, seed2 = random_seed.get_seed(seed)
    with ops.name_scope(name, op_type, [true_classes]) as scope:
        true_classes = convert_input(op_type, "true_classes", true_classes, dtypes.int64)
        op = make_op(
            op_type,
            [true_classes],
            name=scope,
            attrs={
                "num_true": int(num_true),
                "num_sampled": int(num_sampled),
                "unique": bool(unique),
                "seed": seed1 or 0,
                "seed2": seed2 or 0,
                **attrs,
            },
        )
    return tuple(op.outputs)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """``tf.random.uniform_candidate_sampler``: `num_sampled` classes drawn uniformly from [0, range_max)
    (distinct if `unique`), with the expected counts of the true and the sampled classes."""
    args = (true_classes, num_true, num_sampled, unique, seed, name)
    return _sampler("UniformCandidateSampler", *args, range_max=int(range_max))


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                                  name=None):
    """``tf.random.log_uniform_candidate_sampler``: classes drawn with P(k) = log((k+2)/(k+1)) /
    log(range_max+1) (Zipfian, for vocabularies sorted by frequency)."""
    args = (true_classes, num_true, num_sampled, unique, seed, name)
    return _sampler("LogUniformCandidateSampler", *args, range_max=int(range_max))


def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                                      name=None):
    """``tf.random.learned_unigram_candidate_sampler``: classes drawn by how often they have been true
    classes so far in the session (each starts at a count of 1)."""
    if range_max > 2147483647:
        raise ValueError(f"Value of range_max:{range_max} is too large to handle")
    args = (true_classes, num_true, num_sampled, unique, seed, name)
    return _sampler("LearnedUnigramCandidateSampler", *args, range_max=int(range_max))


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, vocab_file="",
                                    distortion=1.0, num_reserved_ids=0, num_shards=1, shard=0, unigrams=(),
                                    seed=None, name=None):
    """``tf.random.fixed_unigram_candidate_sampler``: classes drawn by given counts (`unigrams`, or the
    last CSV column of `vocab_file`) raised to `distortion`."""
    if bool(vocab_file) == bool(len(unigrams)):
        raise ValueError("Must provide either vocab_file or unigrams." if not vocab_file
                         else "Must only provide one of vocab_file and unigrams.")
    args = (true_classes, num_true, num_sampled, unique, seed, name)
    return _sampler("FixedUnigramCandidateSampler", *args, range_max=int(range_max), vocab_file=vocab_file,
                    distortion=float(distortion), num_reserved_ids=int(num_reserved_ids),
                    num_shards=int(num_shards), shard=int(shard), unigrams=[float(u) for u in unigrams])


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """``tf.random.all_candidate_sampler``: every class in [0, num_sampled), each expected once."""
    return _sampler("AllCandidateSampler", true_classes, num_true, num_sampled, unique, seed, name)


# --- ComputeAccidentalHits -------------------------------------------------------------------------------
def _compile_accidental_hits(op, runtime):
    num_true = op.get_attr("num_true")

    def kernel(true_classes, sampled_candidates):
        true_classes = np.asarray(true_classes, np.int64)
        sampled = np.asarray(sampled_candidates, np.int64)
        if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
            raise errors.InvalidArgumentError(
                None, None, "true_candidates must be a batch_size * num_true matrix"
            )
        if sampled.ndim != 1:
            raise errors.InvalidArgumentError(
                None,
                None,
                "sampled_candidates must be a vector, which is typically an output from CandidateSampler",
            )
        position = {int(c): i for i, c in enumerate(sampled.tolist())}  # a repeated candidate: its last place
        indices, ids = [], []
        for row, classes in enumerate(true_classes.tolist()):
            for c in classes:
                if c in position:
                    indices.append(row)
                    ids.append(position[c])
        weights = np.full(len(ids), -np.finfo(np.float32).max, np.float32)
        return np.asarray(indices, np.int32), np.asarray(ids, np.int64), weights

    return kernel


registry.register_op(
    "ComputeAccidentalHits",
    compile=_compile_accidental_hits,
    attrs=dict(_SEEDS),
    infer=lambda op: [
        (dtypes.int32, _ts.TensorShape([None])),
        (dtypes.int64, _ts.TensorShape([None])),
        (dtypes.float32, _ts.TensorShape([None])),
    ],
)


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """``tf.nn.compute_accidental_hits``: (row, position in `sampled_candidates`, -FLT_MAX) for each true
    class that was also sampled, to mask those logits out."""
    seed1, seed2 = random_seed.get_seed(seed)
    with ops.name_scope(name, "ComputeAccidentalHits", [true_classes, sampled_candidates]) as scope:
        true_classes = convert_input("ComputeAccidentalHits", "true_classes", true_classes, dtypes.int64)
        sampled_candidates = convert_input(
            "ComputeAccidentalHits", "sampled_candidates", sampled_candidates, dtypes.int64
        )
        op = make_op(
            "ComputeAccidentalHits",
            [true_classes, sampled_candidates],
            name=scope,
            attrs={"num_true": int(num_true), "seed": seed1 or 0, "seed2": seed2 or 0},
        )
    return tuple(op.outputs)
