"""What `tf.SparseTensor` and `tf.IndexedSlices` share (TF's ``CompositeTensor`` is their common base): a
value made of three dense tensors, `values`, `indices` and `dense_shape`, whose `op` and `dtype` are those
of `values`."""

from __future__ import annotations


class ThreePartTensor:
    """Holds `values`, `indices` and `dense_shape` (set by the subclass as ``_values``, ``_indices`` and
    ``_dense_shape``)."""

    _values: object
    _indices: object
    _dense_shape: object

    @property
    def indices(self):
        return self._indices

    @property
    def values(self):
        return self._values

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def op(self):
        """The Operation that produces `values`."""
        return self._values.op  # type: ignore[attr-defined]

    @property
    def dtype(self):
        return self._values.dtype  # type: ignore[attr-defined]
