"""Random tensors: random_uniform, random_normal, truncated_normal (TF op names and seeds; numpy numbers).

Each random op keeps one numpy Generator per session, seeded from its `seed`/`seed2` attrs (see
`engine.framework.random_seed`): with `tf.set_random_seed` or an op seed, a new session replays the same
values; without seeds every session differs.  The values are not TensorFlow's Philox stream.
"""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, ops, random_seed, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import math_ops
from engine.ops.op_util import make_tensor

_convert = ops.convert_to_tensor
_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def _infer_random(op):
    return [(op._attrs["dtype"], tensor_util.constant_value_as_shape(op.inputs[0]))]


def _shape_list(s):
    return [int(d) for d in np.reshape(s, -1)]


def _compile_uniform(op, runtime):
    rng = runtime.rng(op)
    npd = op._attrs["dtype"].as_numpy_dtype
    gen_dtype = np.float64 if npd == np.float64 else np.float32
    return lambda s: rng.random(_shape_list(s), dtype=gen_dtype).astype(npd, copy=False)


def _compile_normal(op, runtime):
    rng = runtime.rng(op)
    npd = op._attrs["dtype"].as_numpy_dtype
    gen_dtype = np.float64 if npd == np.float64 else np.float32
    return lambda s: rng.standard_normal(_shape_list(s), dtype=gen_dtype).astype(npd, copy=False)


def _compile_truncated(op, runtime):
    rng = runtime.rng(op)
    npd = op._attrs["dtype"].as_numpy_dtype
    gen_dtype = np.float64 if npd == np.float64 else np.float32

    def kernel(s):
        # Redraw values beyond two standard deviations, which is how TF defines the truncation.
        out = rng.standard_normal(_shape_list(s), dtype=gen_dtype)
        bad = np.abs(out) > 2
        while bad.any():
            out[bad] = rng.standard_normal(int(bad.sum()), dtype=gen_dtype)
            bad = np.abs(out) > 2
        return out.astype(npd, copy=False)

    return kernel


def _compile_uniform_int(op, runtime):
    rng = runtime.rng(op)

    def kernel(s, lo, hi):
        if lo >= hi:
            from engine.framework import errors

            raise errors.InvalidArgumentError(None, None, f"Need minval < maxval, got {lo} >= {hi}")
        return rng.integers(lo, hi, size=_shape_list(s), dtype=np.asarray(lo).dtype)

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


def _check_float(dtype, fn_name):
    if dtype not in _FLOATS:
        raise ValueError(f"Invalid dtype {dtype!r} for {fn_name}")


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform values in [minval, maxval) (float: maxval defaults to 1; ints: RandomUniformInt)."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS + (dtypes.int32, dtypes.int64):
        raise ValueError(f"Invalid dtype {dtype!r}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    with ops.name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = _shape_tensor(shape)
        lo = _convert(minval, dtype=dtype, name="min")
        hi = _convert(maxval, dtype=dtype, name="max")
        attrs = _seed_attrs(seed)
        if dtype.is_integer:
            return make_tensor(
                "RandomUniformInt",
                [shape_t, lo, hi],
                name=scope,
                attrs={"T": shape_t.dtype, "Tout": dtype, **attrs},
            )
        rnd = make_tensor(
            "RandomUniform",
            [shape_t],
            name="RandomUniform",
            attrs={"T": shape_t.dtype, "dtype": dtype, **attrs},
        )
        return math_ops.add(rnd * (hi - lo), lo, name=scope)


def _scaled_normal(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    """`op_type` (standard normal samples) * stddev + mean, named as TF names both wrappers."""
    dtype = dtypes.as_dtype(dtype)
    _check_float(dtype, default_name)
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
