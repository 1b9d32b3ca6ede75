"""Random tensors: random_uniform, random_normal, truncated_normal, random_shuffle, multinomial.

Every random kernel draws from TensorFlow's own stream: a Philox4x32-10 generator keyed by the op's
`seed`/`seed2` attrs (see `engine.framework.random_seed`), which the session's runtime keeps per op
(`runtime.rng(op)`, created when the session first runs it).
Each run reserves the stretch of counters TF's kernel reserves (256 blocks per output for the
sampling ops), so the first and later runs of an op in one session, and a fresh session's restart,
give TensorFlow's values bit for bit.  Both attrs 0 means "unseeded": the key comes from the OS.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, random_seed, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import math_ops
from engine.ops import random_distributions as dist
from engine.ops.op_util import make_tensor

_convert = ops.convert_to_tensor
_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
# GuardedPhiloxRandom::ReserveRandomOutputs multiplier used by the sampling kernels.
_RESERVED_PER_OUTPUT = 256


def _infer_random(op):
    return [(op._attrs["dtype"], tensor_util.constant_value_as_shape(op.inputs[0]))]


def _shape_list(s):
    dims = [int(d) for d in np.reshape(s, -1)]
    if any(d < 0 for d in dims):
        raise errors.InvalidArgumentError(None, None, f"Dimension {min(dims)} must be >= 0")
    return dims


def _fixed_kernel(op, runtime, per_block, convert, finish=None):
    """Kernel for the one-block-per-group distributions (uniform, normal): output i of a run comes from
    block i // per_block of the stretch the run reserved (`finish`: see `philox.blocks_at`)."""
    gen = runtime.rng(op)
    npd = op._attrs["dtype"].as_numpy_dtype

    def kernel(s):
        shape = _shape_list(s)
        n = int(np.prod(shape, dtype=np.int64))
        start = gen.reserve(n * _RESERVED_PER_OUTPUT)
        words = start.words(-(-n // per_block), finish)
        return convert(words, npd)[:n].reshape(shape)

    return kernel


def _compile_uniform(op, runtime):
    if op._attrs["dtype"] == dtypes.float32:
        # Each chunk of words becomes floats in place as soon as it is made (one pass less).
        return _fixed_kernel(op, runtime, 4, lambda words, _: words.view(np.float32),
                             dist.uint32_to_float_inplace)
    per_block = 2 if op._attrs["dtype"] == dtypes.float64 else 4
    return _fixed_kernel(op, runtime, per_block, dist.uniform)


def _compile_normal(op, runtime):
    per_block = 2 if op._attrs["dtype"] == dtypes.float64 else 4
    return _fixed_kernel(op, runtime, per_block, dist.normal)


def _compile_truncated(op, runtime):
    gen = runtime.rng(op)
    npd = op._attrs["dtype"].as_numpy_dtype
    per_group = 2 if npd == np.float64 else 4

    def kernel(s):
        shape = _shape_list(s)
        n = int(np.prod(shape, dtype=np.int64))
        start = gen.reserve(n * _RESERVED_PER_OUTPUT)
        return dist.truncated_normal(start, -(-n // per_group), npd)[:n].reshape(shape)

    return kernel


def _compile_uniform_int(op, runtime):
    gen = runtime.rng(op)
    npd = op._attrs["Tout"].as_numpy_dtype
    per_block = 2 if npd == np.int64 else 4

    def kernel(s, lo, hi):
        shape = _shape_list(s)
        n = int(np.prod(shape, dtype=np.int64))
        if np.ndim(lo) or np.ndim(hi):
            raise errors.InvalidArgumentError(
                None, None, f"minval must be 0-D, got shape {list(np.shape(lo))}"
                if np.ndim(lo) else f"maxval must be 0-D, got shape {list(np.shape(hi))}"
            )
        if n and lo >= hi:
            raise errors.InvalidArgumentError(None, None, f"Need minval < maxval, got {lo} >= {hi}")
        start = gen.reserve(n * _RESERVED_PER_OUTPUT)
        if not n:
            return np.zeros(shape, npd)
        words = start.words(-(-n // per_block))
        return dist.uniform_int(words, lo, hi, npd)[:n].reshape(shape)

    return kernel


def _compile_shuffle(op, runtime):
    gen = runtime.rng(op)

    def kernel(value):
        value = np.asarray(value)
        if value.size <= 1 or value.ndim == 0 or value.shape[0] <= 1:
            return value.copy()
        size = value.shape[0]
        samples = size - 1
        start = gen.reserve((samples + 3) // 4)  # ReserveSamples32
        words = start.words((samples + 3) // 4)[:samples].astype(np.int64)
        # Fisher-Yates from the front, as TF's RandomShuffle: swap i with i + word % (size - i).
        picks = words % np.arange(size, 1, -1, dtype=np.int64) + np.arange(samples)
        perm = np.arange(size)
        for i, j in enumerate(picks.tolist()):
            perm[i], perm[j] = perm[j], perm[i]
        return value[perm]

    return kernel


def _compile_multinomial(op, runtime):
    gen = runtime.rng(op)
    out_dtype = op._attrs["output_dtype"].as_numpy_dtype

    def kernel(logits, num_samples):
        logits = np.asarray(logits)
        if logits.ndim != 2:
            raise errors.InvalidArgumentError(
                None, None, f"logits should be a matrix, got shape {_ts.TensorShape(logits.shape)}"
            )
        if np.ndim(num_samples):
            raise errors.InvalidArgumentError(
                None,
                None,
                f"num_samples should be a scalar, got shape {_ts.TensorShape(np.shape(num_samples))}"
            )
        num_samples = int(num_samples)
        if num_samples < 0:
            raise errors.InvalidArgumentError(
                None, None, f"num_samples should be nonnegative, got {num_samples}"
            )
        batch, classes = logits.shape
        if classes <= 0:
            raise errors.InvalidArgumentError(None, None, f"num_classes should be positive, got {classes}")
        out = np.zeros((batch, num_samples), out_dtype)
        if not out.size:
            return out
        # CPU kernel: two words (one double) per sample, rounded up to 4 samples, times 256.
        start = gen.reserve(batch * ((num_samples + 3) // 4 * 4 * 2) * _RESERVED_PER_OUTPUT)
        # One shard covers the whole batch: the rows then read one continuous stream of doubles.
        words = start.words(-(-(batch * num_samples * 2) // 4))
        draws = dist.uint64_to_double(words[0::2], words[1::2])[: batch * num_samples]
        draws = draws.reshape(batch, num_samples)
        finite = np.isfinite(logits)
        for b in range(batch):
            row = logits[b]
            top = row[finite[b]].max() if finite[b].any() else np.finfo(row.dtype).min
            probs = np.where(finite[b], np.exp(row.astype(np.float64) - float(top)), 0.0)
            cdf = np.cumsum(probs)  # sequential sums, as the kernel's running total
            out[b] = np.searchsorted(cdf, draws[b] * cdf[-1], side="right")
        return out

    return kernel


_SEED_ATTRS = {"seed": 0, "seed2": 0}
registry.register_op(
    "RandomUniform", infer=_infer_random, compile=_compile_uniform, stateful=True, attrs=_SEED_ATTRS,
    inputs=("shape: T",),
    allowed={"T": groups.INDEX_TYPES},
)
registry.register_op(
    "RandomStandardNormal", infer=_infer_random, compile=_compile_normal, stateful=True, attrs=_SEED_ATTRS,
    inputs=("shape: T",),
    allowed={"T": groups.INDEX_TYPES},
)
registry.register_op(
    "TruncatedNormal", infer=_infer_random, compile=_compile_truncated, stateful=True, attrs=_SEED_ATTRS,
    inputs=("shape: T",),
    allowed={"T": groups.INDEX_TYPES},
)
registry.register_op(
    "RandomUniformInt",
    infer=lambda op: [(op.inputs[1].dtype.base_dtype, tensor_util.constant_value_as_shape(op.inputs[0]))],
    compile=_compile_uniform_int,
    stateful=True,
    attrs=_SEED_ATTRS,
    inputs=("shape: T", "minval: Tout", "maxval: Tout"),
    allowed={"Tout": groups.INDEX_TYPES, "T": groups.INDEX_TYPES},
)

registry.register_op(
    "RandomShuffle",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    compile=_compile_shuffle,
    stateful=True,
    attrs=_SEED_ATTRS,
    inputs=("value: T",),
)


def _infer_multinomial(op):
    logits_shape = op.inputs[0].shape.with_rank(2)
    num = tensor_util.constant_value(op.inputs[1])
    samples = None if num is None else int(num)
    return [(op._attrs["output_dtype"], _ts.TensorShape([logits_shape[0], samples]))]


registry.register_op(
    "Multinomial",
    infer=_infer_multinomial,
    compile=_compile_multinomial,
    stateful=True,
    attrs={**_SEED_ATTRS, "output_dtype": dtypes.int64},
    inputs=("logits: T", "num_samples"),
    allowed={"T": groups.REAL_NUMBER_TYPES},
)

# As TF's random_ops.py: sampling ops have no gradient.
registry.register_not_differentiable("RandomShuffle")
registry.register_not_differentiable("Multinomial")


def _shape_tensor(shape):
    """TF's `shape_tensor`: a 1-D int32 shape tensor named `shape` (int64 if a value needs it)."""
    if isinstance(shape, ops.Tensor):
        return shape
    if isinstance(shape, _ts.TensorShape):
        shape = shape.as_list()
    dtype = dtypes.int32
    values = [int(d) for d in shape] if isinstance(shape, (list, tuple)) else shape
    return _convert(values, dtype=dtype, name="shape")


def _seed_attrs(seed):
    seed1, seed2 = random_seed.get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform values in [minval, maxval) (float: maxval defaults to 1; ints: RandomUniformInt).

    As in TF 2.x, the Python ints minval=0 and maxval=1 make no scaling ops: the result is the
    `RandomUniform` output itself (`random_uniform/RandomUniform:0`); minval=0 alone multiplies by maxval.
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS + (dtypes.int32, dtypes.int64):
        # TF's text lists bfloat16 too, which this engine has no dtype for.
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are (tf.float16, tf.bfloat16, "
            "tf.float32, tf.float64, tf.int32, tf.int64)."
        )
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    with ops.name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = _shape_tensor(shape)
        minval_is_zero = isinstance(minval, int) and minval == 0
        maxval_is_one = isinstance(maxval, int) and maxval == 1
        if not minval_is_zero or not maxval_is_one or dtype.is_integer:
            minval = _convert(minval, dtype=dtype, name="min")
            maxval = _convert(maxval, dtype=dtype, name="max")
        attrs = _seed_attrs(seed)
        if dtype.is_integer:
            return make_tensor(
                "RandomUniformInt",
                [shape_t, minval, maxval],
                name=scope,
                attrs={"T": shape_t.dtype, "Tout": dtype, **attrs},
            )
        rnd = make_tensor(
            "RandomUniform",
            [shape_t],
            name="RandomUniform",
            attrs={"T": shape_t.dtype, "dtype": dtype, **attrs},
        )
        if minval_is_zero:
            return rnd if maxval_is_one else math_ops.multiply(rnd, maxval)
        return math_ops.add(rnd * (maxval - minval), minval, name=scope)


def random_shuffle(value, seed=None, name=None):
    """`value` with its first dimension randomly permuted (TF's RandomShuffle)."""
    seeds = _seed_attrs(seed)  # before converting `value`, which may add a Const, as TF's order
    # Like TF's generated wrappers, inputs are converted inside the op's own name scope.
    with ops.name_scope(name, "RandomShuffle", [value]) as scope:
        value = _convert(value, name="value")
        return make_tensor("RandomShuffle", [value], name=scope, attrs={"T": value.dtype.base_dtype, **seeds})


def _multinomial(logits, num_samples, dtype, seed):
    logits = _convert(logits, name="logits")
    dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
    accepted = (dtypes.int32, dtypes.int64)
    if dtype not in accepted:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are {accepted}.")
    seeds = _seed_attrs(seed)
    with ops.name_scope(None, "Multinomial", [logits]) as scope:
        num_t = _convert(num_samples, dtype=dtypes.int32, name="num_samples")
        return make_tensor(
            "Multinomial", [logits, num_t], name=scope,
            attrs={"T": logits.dtype.base_dtype, "output_dtype": dtype, **seeds},
        )


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """Class indices drawn from the categorical distributions `logits` ([batch, classes])."""
    with ops.name_scope(name, "multinomial", [logits]):
        return _multinomial(logits, num_samples, output_dtype, seed)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """`tf.random.categorical`: multinomial under the name scope "categorical"."""
    with ops.name_scope(name, "categorical", [logits]):
        return _multinomial(logits, num_samples, dtype, seed)


def _scaled_normal(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    """`op_type` (standard normal samples) * stddev + mean, named as TF names both wrappers."""
    # An integer dtype fails where TF's does: converting the float mean to it (TypeError).
    dtype = dtypes.as_dtype(dtype)
    with ops.name_scope(name, default_name, [shape, mean, stddev]) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = _convert(mean, dtype=dtype, name="mean")
        std_t = _convert(stddev, dtype=dtype, name="stddev")
        rnd = make_tensor(
            op_type,
            [shape_t],
            name=op_type,
            attrs={"T": shape_t.dtype, "dtype": dtype, **_seed_attrs(seed)},
        )
        mul = rnd * std_t
        return math_ops.add(mul, mean_t, name=scope)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal values: RandomStandardNormal * stddev + mean."""
    return _scaled_normal("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal values re-drawn when more than 2 standard deviations from the mean."""
    return _scaled_normal("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)
