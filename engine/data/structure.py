"""Element structures of tf.data: nests of tuples (namedtuples too) and dicts around components.

As in TF's `nest`, dict entries are ordered by sorted key when flattened, and a list is a value (one
component, converted to a Tensor) rather than a structure. `Spec` is one component's dtype and shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts


@dataclass(frozen=True)
class Spec:
    """One component's dtype and static shape (a leaf: not a tuple, so `flatten` does not enter it)."""

    dtype: dtypes.DType
    shape: _ts.TensorShape

    def __repr__(self):
        """As TF 2.x prints a TensorSpec in messages: `TensorSpec(shape=(2,), dtype=tf.int64, name=None)`."""
        dims = self.shape._as_tuple()
        shape = "<unknown>" if dims is None else str(tuple(dims))
        return f"TensorSpec(shape={shape}, dtype=tf.{self.dtype.name}, name=None)"


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def flatten(structure):
    """The components of `structure` in TF's order."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_as(structure, flat):
    """`flat` (as `flatten` orders it) put back into the shape of `structure`."""
    leaves = iter(flat)

    def build(node):
        if isinstance(node, dict):
            built = {key: build(node[key]) for key in sorted(node)}  # leaves come in sorted-key order
            return {key: built[key] for key in node}
        if _is_namedtuple(node):
            return type(node)(*[build(item) for item in node])
        if isinstance(node, tuple):
            return tuple(build(item) for item in node)
        return next(leaves)

    return build(structure)


def map_structure(fn, structure):
    return pack_as(structure, [fn(leaf) for leaf in flatten(structure)])


def assert_same_structure(a, b):
    """ValueError unless `a` and `b` nest the same way (leaves may differ)."""
    marker = object()
    if map_structure(lambda _: marker, a) != map_structure(lambda _: marker, b):
        raise ValueError("The two structures don't have the same nested structure.\n\n"
                         f"First structure: {a}\n\nSecond structure: {b}")


class HasElementStructure:
    """TF 1.x's `output_types`/`output_shapes`/`output_classes` of Datasets and Iterators, from `_specs`."""

    _specs = None

    @property
    def output_types(self):
        return map_structure(lambda s: s.dtype, self._specs)

    @property
    def output_shapes(self):
        return map_structure(lambda s: s.shape, self._specs)

    @property
    def output_classes(self):
        return map_structure(lambda s: ops.Tensor, self._specs)
