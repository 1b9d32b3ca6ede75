"""Ragged values from Python lists and placeholders: ``tf.ragged.constant``, ``tf.ragged.constant_value``
and ``tf.ragged.placeholder``, with TF's rules for the ragged rank and inner shape of nested lists."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.ops.array_ops import placeholder as _placeholder
from engine.ops.constant_op import constant as _constant
from engine.ragged.ragged_tensor import RaggedTensor, is_ragged
from engine.ragged.ragged_tensor_value import RaggedTensorValue


def constant(
    pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None, row_splits_dtype=dtypes.int64
):
    """``tf.ragged.constant``: a RaggedTensor of the nested lists `pylist` (a Tensor when nothing is
    ragged), its splits and values Consts under ``RaggedConstant``."""

    def ragged_factory(values, row_splits):
        row_splits = _constant(row_splits, dtype=row_splits_dtype)
        return RaggedTensor.from_row_splits(values, row_splits, validate=False)

    with ops.name_scope(name, "RaggedConstant"):
        return _constant_value(ragged_factory, _constant, pylist, dtype, ragged_rank, inner_shape)


def constant_value(pylist, dtype=None, ragged_rank=None, inner_shape=None, row_splits_dtype="int64"):
    """``tf.ragged.constant_value``: the same as a `RaggedTensorValue` (an ndarray when nothing is ragged)."""
    if isinstance(dtype, dtypes.DType):
        dtype = dtype.as_numpy_dtype
    splits_dtype = dtypes.as_dtype(row_splits_dtype).as_numpy_dtype

    def ragged_factory(values, row_splits):
        return RaggedTensorValue(values, np.array(row_splits, dtype=splits_dtype))

    def inner_factory(pylist, dtype, shape, name=None):
        if dtype is object or dtype is None:
            return np.reshape(np.array(pylist, dtype=dtype), shape)
        return np.reshape(np.array(pylist).astype(dtype), shape)

    return _constant_value(ragged_factory, inner_factory, pylist, dtype, ragged_rank, inner_shape)


def _constant_value(ragged_factory, inner_factory, pylist, dtype, ragged_rank, inner_shape):
    """TF's rules: the ragged rank is the scalars' depth - 1 - len(inner_shape) (at least 1); each
    ragged dimension's splits come from its lists' lengths."""
    if is_ragged(pylist):
        raise TypeError("pylist may not be a RaggedTensor or RaggedTensorValue.")
    if not isinstance(pylist, (list, tuple)) and np.ndim(pylist) == 0:
        if ragged_rank is not None and ragged_rank != 0:
            raise ValueError(f"Invalid pylist={pylist!r}: incompatible with ragged_rank={ragged_rank}")
        if inner_shape is not None and inner_shape:
            raise ValueError(
                f"Invalid pylist={pylist!r}: incompatible with dim(inner_shape)={len(inner_shape)}"
            )
        return inner_factory(pylist, dtype, ())
    if ragged_rank is not None and ragged_rank < 0:
        raise ValueError(f"Invalid ragged_rank={ragged_rank!r}: must be nonnegative")
    scalar_depth, max_depth = _scalar_and_max_depth(pylist)
    if scalar_depth is not None:
        if max_depth > scalar_depth:
            raise ValueError(
                f"Invalid pylist={pylist!r}: empty list nesting is greater than scalar value nesting"
            )
        if ragged_rank is not None and max_depth < ragged_rank:
            raise ValueError(f"Invalid pylist={pylist}, max depth smaller than ragged_rank={ragged_rank}")
    if inner_shape is not None and ragged_rank is not None:
        expected_depth = ragged_rank + len(inner_shape) + 1
        if (scalar_depth is not None and expected_depth != scalar_depth) or (
            scalar_depth is None and expected_depth < max_depth
        ):
            raise ValueError(
                f"Invalid pylist={pylist!r}: incompatible with ragged_rank={ragged_rank} and "
                f"dim(inner_shape)={len(inner_shape)}"
            )
    if ragged_rank == 0 or (
        ragged_rank is None
        and (max_depth < 2 or (inner_shape is not None and max_depth - len(inner_shape) < 2))
    ):
        return inner_factory(pylist, dtype, inner_shape)
    if inner_shape is None:
        inner_shape = () if ragged_rank is None else _default_inner_shape(pylist, ragged_rank)
    if ragged_rank is None:
        ragged_rank = (
            max(1, max_depth - 1) if scalar_depth is None else max(1, scalar_depth - 1 - len(inner_shape))
        )
    nested_splits, values = [], pylist
    for _ in range(ragged_rank):
        splits, flat = [0], []
        for row in values:
            splits.append(splits[-1] + len(row))
            flat.extend(row)
        nested_splits.append(splits)
        values = flat
    values = inner_factory(values, dtype=dtype, shape=(len(values), *inner_shape), name="values")
    for splits in reversed(nested_splits):
        values = ragged_factory(values, splits)
    return values


def _scalar_and_max_depth(pylist):
    if isinstance(pylist, (list, tuple)) or np.ndim(pylist) != 0:
        scalar_depth, max_depth = None, 1
        for child in pylist:
            child_scalar, child_max = _scalar_and_max_depth(child)
            if child_scalar is not None:
                if scalar_depth is not None and scalar_depth != child_scalar + 1:
                    raise ValueError("all scalar values must have the same nesting depth")
                scalar_depth = child_scalar + 1
            max_depth = max(max_depth, child_max + 1)
        return scalar_depth, max_depth
    return 0, 0


def _default_inner_shape(pylist, ragged_rank):
    def inner_shape_of(item):
        if not isinstance(item, (list, tuple)) and np.ndim(item) == 0:
            return ()
        return (len(item), *inner_shape_of(item[0])) if len(item) else (0,)

    def check(item, shape):
        nested = isinstance(item, (list, tuple)) or np.ndim(item) != 0
        if nested != bool(shape) or (nested and shape[0] != len(item)):
            raise ValueError("inner values have inconsistent shape")
        for child in item if nested else ():
            check(child, shape[1:])

    flat = pylist
    for dim in range(ragged_rank):
        if not all(isinstance(v, (list, tuple)) or np.ndim(v) != 0 for v in flat):
            raise ValueError(
                f"pylist has scalar values depth {dim + 1}, but ragged_rank={ragged_rank} requires "
                f"scalar value depth greater than {ragged_rank}"
            )
        flat = [x for v in flat for x in v]
    shape = inner_shape_of(flat)
    check(flat, shape)
    return shape[1:]


def placeholder(dtype, ragged_rank, value_shape=None, name=None):
    """``tf.ragged.placeholder``: a RaggedTensor of placeholders (``flat_values``, ``row_splits_0``, ...
    under ``RaggedPlaceholder``), fed with a RaggedTensorValue."""
    if ragged_rank == 0:
        return _placeholder(dtype, value_shape, name)
    with ops.name_scope(name, "RaggedPlaceholder", []):
        flat_shape = _ts.TensorShape([None]).concatenate(value_shape)
        result = _placeholder(dtype, flat_shape, "flat_values")
        for i in reversed(range(ragged_rank)):
            row_splits = _placeholder(dtypes.int64, [None], f"row_splits_{i}")
            result = RaggedTensor.from_row_splits(result, row_splits, validate=False)
        return result
