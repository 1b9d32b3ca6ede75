"""`tf.SparseTensor` and `tf.SparseTensorValue`: a sparse tensor is three dense tensors (indices, values,
dense_shape) held together; sessions fetch it as a `SparseTensorValue` and feed its three parts at once
(engine/session.py)."""

from __future__ import annotations

import collections

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.composite_tensor import ThreePartTensor

SparseTensorValue = collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])


class SparseTensor(ThreePartTensor):
    """``tf.SparseTensor(indices, values, dense_shape)``: int64 `indices` [N, ndims], `values` [N] and an
    int64 `dense_shape` [ndims], converted in a ``SparseTensor`` name scope as TF does.  The static
    `shape` is the constant value of `dense_shape` as far as it is known."""

    @classmethod
    def from_value(cls, sparse_tensor_value):
        if not is_sparse(sparse_tensor_value):
            raise TypeError(
                f"Argument sparse_tensor_value={sparse_tensor_value} "
                "is neither a SparseTensor nor SparseTensorValue."
            )
        return SparseTensor(
            indices=sparse_tensor_value.indices,
            values=sparse_tensor_value.values,
            dense_shape=sparse_tensor_value.dense_shape,
        )

    def __init__(self, indices, values, dense_shape):
        with ops.name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = ops.convert_to_tensor(indices, name="indices", dtype=dtypes.int64)
            values = ops.convert_to_tensor(values, name="values")
            dense_shape = ops.convert_to_tensor(dense_shape, name="dense_shape", dtype=dtypes.int64)
            dense_shape_default = tensor_util.constant_value_as_shape(dense_shape)
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        self._dense_shape_default = dense_shape_default
        indices_shape = indices.get_shape().with_rank(2)
        values_shape = values.get_shape().with_rank(1)
        dense_shape_shape = dense_shape.get_shape().with_rank(1)
        indices_shape[0].assert_is_compatible_with(values_shape[0])
        indices_shape[1].assert_is_compatible_with(dense_shape_shape[0])

    @property
    def graph(self):
        return self._indices.graph

    @property
    def shape(self):
        return self._dense_shape_default

    def get_shape(self):
        return self._dense_shape_default

    def set_shape(self, shape):
        """Merges `shape` into the static dense shape (ValueError when they are incompatible)."""
        if not isinstance(shape, _ts.TensorShape):
            shape = _ts.TensorShape(shape)
        self._dense_shape_default = self._dense_shape_default.merge_with(shape)

    def with_values(self, new_values):
        """The same indices and dense shape with `new_values`."""
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def consumers(self):
        return self._values.consumers() + self._indices.consumers() + self._dense_shape.consumers()

    def eval(self, feed_dict=None, session=None):
        """The value as a `SparseTensorValue`, run in `session` or the default session."""
        indices, values, dense_shape = ops._run_using_default_session(
            [self._indices, self._values, self._dense_shape], feed_dict, self.graph, session
        )
        return SparseTensorValue(indices, values, dense_shape)

    def __repr__(self):
        return (
            f"SparseTensor(indices={self._indices}, values={self._values}, dense_shape={self._dense_shape})"
        )


def is_sparse(x):
    """Whether `x` is a SparseTensor or a SparseTensorValue."""
    return isinstance(x, (SparseTensor, SparseTensorValue))


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None):
    """``tf.convert_to_tensor_or_sparse_tensor``: a SparseTensor (from a SparseTensorValue too) as it is,
    anything else through `convert_to_tensor`."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype and not dtype.is_compatible_with(value.dtype):
            raise RuntimeError(f"Sparse dtype mismatch. Requested: {dtype.name},  Actual: {value.dtype.name}")
        return value
    return ops.convert_to_tensor(value, dtype=dtype, name=name)


def convert_to_sparse(value):
    """`value` (SparseTensor or SparseTensorValue) as a SparseTensor; TF's TypeError for anything else
    (`sparse_ops._convert_to_sparse_tensor`)."""
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if not isinstance(value, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return value
