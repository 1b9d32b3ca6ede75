"""`tf.IndexedSlices`: the sparse form of a gradient, rows `values` of a dense tensor at `indices`.

A gather's gradient with respect to its params is one (engine/ops/array_ops/slicing.py): the rows the
gather read, each with its gradient, and the params' shape as `dense_shape`.  It stays sparse through
Identity (a variable's ``read``), several of them meeting are concatenated (engine/gradients.py), and
optimizers apply it with their sparse kernels (engine/train/).  Anything else that needs a dense Tensor
converts it the way TF does, with ``UnsortedSegmentSum(values, indices, dense_shape[0])`` (so duplicate
indices add up); a session fetches one as an `IndexedSlicesValue`.
"""

from __future__ import annotations

import collections
import warnings

import numpy as np

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.composite_tensor import ThreePartTensor

IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])

# TF warns when a conversion builds a dense tensor of at least this many elements.
_LARGE_SPARSE_NUM_ELEMENTS = 100000000


class IndexedSlices(ThreePartTensor):
    """``tf.IndexedSlices(values, indices, dense_shape=None)``: ``dense[indices[i], ...] = values[i, ...]``
    (summed where an index repeats).  The three parts are kept as given, as TF keeps them."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def shape(self):
        """The dense tensor's static shape: what is known of `dense_shape`'s value."""
        if self._dense_shape is None:
            return _ts.unknown_shape()
        return tensor_util.constant_value_as_shape(self._dense_shape)

    @property
    def name(self):
        return self._values.name

    @property
    def device(self):
        return self._values.device

    @property
    def graph(self):
        return self._values.graph

    def consumers(self):
        return self._values.consumers()

    def __str__(self):
        shape = f", dense_shape={self._dense_shape}" if self._dense_shape is not None else ""
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

    def __neg__(self):
        from engine.ops import math_ops

        return IndexedSlices(math_ops.negative(self.values), self.indices, self.dense_shape)


def _check_dense_shape(value):
    if value.dense_shape is None:
        raise ValueError("Tensor conversion requested for IndexedSlices for argument `value` without "
                         f"dense_shape: {value!s}")


def _indexed_slices_to_tensor(value, dtype=None, name=None, as_ref=False):
    """TF's conversion: ``UnsortedSegmentSum`` of the values into ``dense_shape[0]`` rows, with TF's warning
    when the dense tensor would hold 10^8 elements or more."""
    del as_ref
    if dtype and not dtype.is_compatible_with(value.dtype):
        raise ValueError(f"Incompatible tensor conversion requested to `dtype` {dtype.name} for "
                         f"IndexedSlices ({value}) with dtype {value.dtype.name}")
    _check_dense_shape(value)
    shape = tensor_util.constant_value(value.dense_shape)
    if shape is not None:
        num_elements = int(np.prod(shape))
        if num_elements >= _LARGE_SPARSE_NUM_ELEMENTS:
            warnings.warn(f"Converting sparse IndexedSlices to a dense Tensor with {num_elements} elements. "
                          "This may consume a large amount of memory.", stacklevel=2)
    return _segment_sum(value, name)


def _segment_sum(value, name=None):
    from engine.ops import array_ops

    return array_ops.unsorted_segment_sum(value.values, value.indices, value.dense_shape[0], name=name)


def to_tensor_no_warning(value):
    """TF's ``_IndexedSlicesToTensorNoWarning``: the dense form of a gradient that may be IndexedSlices (a
    Tensor is returned as it is), built in the current name scope, without the size warning."""
    if not isinstance(value, IndexedSlices):
        return value
    _check_dense_shape(value)
    return _segment_sum(value)


ops.register_tensor_conversion_function(IndexedSlices, _indexed_slices_to_tensor)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """``tf.convert_to_tensor_or_indexed_slices``: an IndexedSlices or SparseTensor as it is (its dtype
    checked), anything else through `convert_to_tensor`."""
    from engine.framework.sparse_tensor import SparseTensor

    if isinstance(value, (IndexedSlices, SparseTensor)):
        if dtype and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(f"Incompatible tensor conversion requested to `dtype` "
                             f"{dtypes.as_dtype(dtype).name} for `value` ({value}) with dtype "
                             f"{value.dtype.name}.")
        return value
    return ops.convert_to_tensor(value, dtype=dtype, name=name)


def convert_n_to_tensor_or_indexed_slices(values, dtype=None, name=None):
    """Each of `values` through `convert_to_tensor_or_indexed_slices` (None stays None); a created Tensor
    is named ``<name>_<i>``."""
    return [None if v is None else convert_to_tensor_or_indexed_slices(
        v, dtype=dtype, name=None if name is None else f"{name}_{i}") for i, v in enumerate(values)]
