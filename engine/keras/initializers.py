"""``tf.keras.initializers`` of TF 1.x (``tf.compat.v1.keras.initializers``): the graph initializers of
engine/ops/init_ops.py under Keras's names, with Keras's own defaults where they differ.

Keras v1 changed three defaults (``RandomNormal``/``TruncatedNormal`` stddev 0.05, ``RandomUniform``
in [-0.05, 0.05]) and made ``he_*``/``lecun_*`` classes (``HeNormal``...) whose config is only the seed;
everything else is the ``tf.*_initializer`` class itself.  ``get`` accepts None, a callable, a config
dict or a name (``"he_normal"``, ``"HeNormal"``, ``"zeros"``); ``serialize`` / ``deserialize`` use
Keras's ``{"class_name", "config"}`` form.  Seeded initializers give TensorFlow's values.
"""

from __future__ import annotations

from engine.framework import dtypes
from engine.ops import init_ops
from engine.ops.init_ops import (
    Constant,
    GlorotNormal,
    GlorotUniform,
    Identity,
    Initializer,
    Ones,
    Orthogonal,
    VarianceScaling,
    Zeros,
)

__all__ = [
    "Constant", "Identity", "Initializer", "Ones", "Orthogonal", "RandomNormal", "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling", "Zeros", "constant", "deserialize", "get", "glorot_normal", "glorot_uniform",
    "he_normal", "he_uniform", "identity", "lecun_normal", "lecun_uniform", "normal", "ones", "orthogonal",
    "random_normal",
    "random_uniform", "serialize", "truncated_normal", "uniform", "zeros",
]


class RandomNormal(init_ops.RandomNormal):
    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class RandomUniform(init_ops.RandomUniform):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype)


class TruncatedNormal(init_ops.TruncatedNormal):
    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class _FanInScaling(VarianceScaling):
    """A fixed variance scaling over fan_in whose config is only its seed."""

    _scale = 1.0
    _distribution = "truncated_normal"

    def __init__(self, seed=None):
        super().__init__(scale=self._scale, mode="fan_in", distribution=self._distribution, seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(_FanInScaling):
    pass


class LecunUniform(_FanInScaling):
    _distribution = "uniform"


class HeNormal(_FanInScaling):
    _scale = 2.0


class HeUniform(_FanInScaling):
    _scale = 2.0
    _distribution = "uniform"


zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
orthogonal = Orthogonal
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
random_normal = normal = RandomNormal
random_uniform = uniform = RandomUniform
truncated_normal = TruncatedNormal
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
he_normal = HeNormal
he_uniform = HeUniform

# What `deserialize` (and `get` with a name) resolves: Keras's class names and its snake_case aliases.
_BY_NAME = {
    cls.__name__: cls for cls in (Constant, GlorotNormal, GlorotUniform, Identity, Ones, Orthogonal,
                                  VarianceScaling,
                                  Zeros, RandomNormal, RandomUniform, TruncatedNormal, LecunNormal,
                                  LecunUniform, HeNormal, HeUniform)
}
_BY_NAME.update(zeros=Zeros, ones=Ones, constant=Constant, identity=Identity, orthogonal=Orthogonal,
                glorot_uniform=GlorotUniform,
                glorot_normal=GlorotNormal, random_normal=RandomNormal, normal=RandomNormal,
                random_uniform=RandomUniform, uniform=RandomUniform, truncated_normal=TruncatedNormal,
                lecun_normal=LecunNormal, lecun_uniform=LecunUniform, he_normal=HeNormal,
                he_uniform=HeUniform, variance_scaling=VarianceScaling)


def serialize(initializer):
    """``{"class_name": ..., "config": ...}`` of an initializer."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config, custom_objects=None):
    """The initializer a `serialize` dict describes (``custom_objects`` maps further class names)."""
    known = {**_BY_NAME, **(custom_objects or {})}
    name = config["class_name"]
    if name not in known:
        raise ValueError(
            f"Unknown initializer: '{name}'. Please ensure you are using a "
            "`keras.utils.custom_object_scope` and that this object is included in the scope. See https://www.tensorflow.org/guide/keras/"
            "save_and_serialize#registering_the_custom_object for details.")
    return known[name].from_config(dict(config.get("config") or {}))


def get(identifier):
    """None, an initializer (any callable), a `serialize` dict or a name, as an initializer."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
