"""``tf.TensorSpec``: the dtype and static shape of a tensor (what `Dataset.element_spec` is made of)."""

from __future__ import annotations

from engine.framework import dtypes
from engine.framework import tensor_shape as _ts


class TensorSpec:
    """``tf.TensorSpec(shape, dtype=tf.float32, name=None)``."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self._shape = _ts.as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype.base_dtype, name or getattr(tensor.op, "name", None))

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)

    def is_compatible_with(self, spec_or_tensor):
        """Same dtype and compatible shapes."""
        return (self._dtype.is_compatible_with(spec_or_tensor.dtype)
                and self._shape.is_compatible_with(spec_or_tensor.shape))

    def _key(self):
        return self._dtype, self._name, self._shape._as_tuple()

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        dims = self._shape._as_tuple()
        shape = "<unknown>" if dims is None else str(tuple(dims))
        name = repr(self._name) if self._name is not None else "None"
        return f"TensorSpec(shape={shape}, dtype=tf.{self._dtype.name}, name={name})"
