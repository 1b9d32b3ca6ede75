"""Initializers (`tf.zeros_initializer`, `tf.glorot_uniform_initializer`, ...) with TF 1.x semantics.

An initializer is a callable `init(shape, dtype=None, partition_info=None) -> Tensor` that builds the
ops producing the initial value, so inside `get_variable` they are named like TF's
(`layer1/weight/Initializer/random_uniform`).  Classes can be passed uninstantiated to
`get_variable(initializer=tf.zeros_initializer)`, as TF allows.
"""

from __future__ import annotations

import math

from engine.framework import dtypes
from engine.ops import array_ops, constant_op, linalg_ops, math_ops, random_ops
from engine.ops.diag_ops import diag_part


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None, partition_info=None)`."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise TypeError(f"{type(self).__name__} must define __call__")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _float_dtype(dtype, default):
    dtype = dtypes.as_dtype(dtype if dtype is not None else default)
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


class Zeros(Initializer):
    """All zeros (the default for integer and bool variables)."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(shape, dtype if dtype is not None else self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Ones(Initializer):
    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(shape, dtype if dtype is not None else self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Constant(Initializer):
    """A constant value (scalar filled to the shape, or a list of matching size)."""

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        dtype = dtype if dtype is not None else self.dtype
        verify = self._verify_shape if verify_shape is None else verify_shape
        return constant_op.constant(self.value, dtype=dtype, shape=shape, verify_shape=verify)

    def get_config(self):
        return {"value": self.value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    def __init__(self, minval=0, maxval=None, seed=None, dtype=dtypes.float32):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = dtype if dtype is not None else self.dtype
        return random_ops.random_uniform(shape, self.minval, self.maxval, dtype, seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed, "dtype": self.dtype.name}


class RandomNormal(Initializer):
    _sample = staticmethod(random_ops.random_normal)

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _float_dtype(dtype, dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype, self.dtype)
        return self._sample(shape, self.mean, self.stddev, dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed, "dtype": self.dtype.name}


class TruncatedNormal(RandomNormal):
    """Like RandomNormal, with values beyond two standard deviations drawn again."""

    _sample = staticmethod(random_ops.truncated_normal)


def _compute_fans(shape):
    """(fan_in, fan_out) as TF computes them; conv kernels multiply by the receptive field size."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive = 1
    for d in shape[:-2]:
        receptive *= d
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class VarianceScaling(Initializer):
    """Scale / fan variance: uniform limit sqrt(3*scale/n) or truncated normal stddev sqrt(scale/n)/0.8796."""

    def __init__(
        self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, dtype=dtypes.float32
    ):
        if scale <= 0.0:
            raise ValueError("`scale` must be positive float.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _float_dtype(dtype, dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype, self.dtype)
        full_shape = partition_info.full_shape if partition_info is not None else shape
        fan_in, fan_out = _compute_fans([int(d) for d in full_shape])
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution in ("normal", "truncated_normal"):
            # 0.8796... is the stddev of a unit normal truncated to [-2, 2] (scipy.stats.truncnorm).
            stddev = math.sqrt(scale) / 0.87962566103423978
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self):
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


class GlorotUniform(VarianceScaling):
    """Xavier uniform: limit sqrt(6 / (fan_in + fan_out)); get_variable's default for floats."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class UniformUnitScaling(Initializer):
    """Uniform in +-sqrt(3 / input_size) * factor, the input size estimated as the product of all dims but
    the last (TF 1.x's, deprecated there for `variance_scaling_initializer`)."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        self.factor = factor
        self.seed = seed
        self.dtype = _float_dtype(dtype, dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype, self.dtype)
        scale_shape = shape if partition_info is None else partition_info.full_shape
        input_size = 1.0
        for dim in list(scale_shape)[:-1]:
            input_size *= float(dim)
        max_val = math.sqrt(3 / max(input_size, 1.0)) * self.factor
        return random_ops.random_uniform(shape, -max_val, max_val, dtype, seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class Identity(Initializer):
    """``gain`` times the identity matrix; only for 2-D shapes, as TF's."""

    def __init__(self, gain=1.0, dtype=dtypes.float32):
        self.gain = gain
        self.dtype = _float_dtype(dtype, dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        full_shape = shape if partition_info is None else partition_info.full_shape
        if len(full_shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = _float_dtype(dtype, self.dtype)
        return self.gain * array_ops.eye(*[int(d) for d in full_shape], dtype=dtype)

    def get_config(self):
        return {"gain": self.gain, "dtype": self.dtype.name}


class Orthogonal(Initializer):
    """``gain`` times a (semi-)orthogonal matrix reshaped to `shape`: the Q of a QR factorisation of a
    normal sample of the flattened shape (rows = product of all but the last dimension, the matrix taken
    tall), its columns' signs fixed by R's diagonal, as TF builds it (random_normal, Qr, DiagPart, Sign)."""

    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        self.gain = gain
        self.seed = seed
        self.dtype = _float_dtype(dtype, dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype, self.dtype)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize, specified by argument `shape` must be at least "
                             f"two-dimensional. Received shape={shape}")
        num_rows = 1
        for dim in shape[:-1]:
            num_rows *= int(dim)
        num_cols = int(shape[-1])
        flat_shape = (num_cols, num_rows) if num_rows < num_cols else (num_rows, num_cols)
        sample = random_ops.random_normal(flat_shape, dtype=dtype, seed=self.seed)
        q, r = linalg_ops.qr(sample, full_matrices=False)
        q *= math_ops.sign(diag_part(r))
        if num_rows < num_cols:
            q = array_ops.matrix_transpose(q)
        return self.gain * array_ops.reshape(q, shape)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


def he_normal(seed=None):
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def he_uniform(seed=None):
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


def lecun_normal(seed=None):
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def lecun_uniform(seed=None):
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


# TF 1.x public spellings: the lower-case names are the classes themselves.
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
uniform_unit_scaling_initializer = UniformUnitScaling
orthogonal_initializer = Orthogonal
