"""The sparse feature kinds of Example parsing: `tf.io.VarLenFeature` and `tf.io.SparseFeature`, how
ParseExampleV2's sparse outputs are laid out (`sparse_keys`), and the SparseTensors a SparseFeature
becomes (through `tf.sparse.merge`)."""

from __future__ import annotations

import collections

import numpy as np

from engine.framework import dtypes, errors
from engine.framework import tensor_shape as _ts
from engine.ops.sparse_ops import sparse_merge


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """``tf.io.VarLenFeature(dtype)``: a feature with any number of values, parsed as a SparseTensor."""

    __slots__ = ()


class SparseFeature(
    collections.namedtuple("SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"])
):
    """``tf.io.SparseFeature(index_key, value_key, dtype, size, already_sorted=False)``: a SparseTensor
    whose indices (one `index_key` feature per dimension) and values are two features of each Example."""

    __slots__ = ()

    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


def sparse_keys_of(features):
    """(keys, dtypes) of ParseExampleV2's sparse outputs for `features`, in TF's order: features by sorted
    key, a SparseFeature contributing its index keys (int64) then its value key."""
    keys, types = [], []

    def add(key, dtype):
        dtype = dtypes.as_dtype(dtype)
        if key in keys:
            if types[keys.index(key)] != dtype:
                raise ValueError(f"Conflicting type {types[keys.index(key)]} vs {dtype} for feature {key}.")
            return
        keys.append(key)
        types.append(dtype)

    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, VarLenFeature):
            add(key, feature.dtype)
        elif isinstance(feature, SparseFeature):
            if not feature.index_key:
                raise ValueError(f"Missing index_key for SparseFeature {feature}.")
            if not feature.value_key:
                raise ValueError(f"Missing value_key for SparseFeature {feature}.")
            if not feature.dtype:
                raise ValueError(f"Missing type for feature {key}. Received feature={feature}.")
            index_keys = [feature.index_key] if isinstance(feature.index_key, str) else feature.index_key
            for index_key in index_keys:
                add(index_key, dtypes.int64)
            add(feature.value_key, feature.dtype)
    return keys, types


def sparse_feature_values(features, key, dtype, where):
    """The values of feature `key` of one Example as a 1-D array of `dtype` (empty when it is missing)."""
    feature = features.get(key) if key in features else None
    kind = feature.WhichOneof("kind") if feature is not None else None
    if kind is None:
        return np.zeros(0, object if dtype == dtypes.string else dtype.as_numpy_dtype)
    found = {"bytes_list": dtypes.string, "float_list": dtypes.float32, "int64_list": dtypes.int64}[kind]
    if found != dtype:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"{where}  Data types don't match. Expected type: {dtypes.c_name(dtype)}, Actual "
            f"type: {dtypes.c_name(found)}",
        )
    values = list(getattr(feature, kind).value)
    if dtype == dtypes.string:
        return np.array(values, dtype=object)
    return np.asarray(values, dtype=dtype.as_numpy_dtype)


def batch_sparse(rows, dtype, single):
    """The (indices, values, dense_shape) of one sparse key from each row's values (a row is a record of
    ParseExampleV2, or a step of a feature list): indices [row, position] (only [position] when `single`
    holds one row), shape [rows, longest]."""
    longest = max((len(r) for r in rows), default=0)
    values = np.concatenate(rows) if rows else np.zeros(0)
    values = values.astype(object if dtype == dtypes.string else dtype.as_numpy_dtype)
    positions = np.concatenate([np.arange(len(r)) for r in rows]) if rows else np.zeros(0, np.int64)
    if single:
        return positions.reshape(-1, 1).astype(np.int64), values, np.array([longest], np.int64)
    batch = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    indices = np.stack([batch, positions], axis=1).astype(np.int64).reshape(-1, 2)
    return indices, values, np.array([len(rows), longest], np.int64)


def sparse_output_specs(rank, types):
    """Static (dtype, shape) of sparse outputs of rank `rank` (None: unknown): indices [?, rank], values
    [?], dense_shape [rank]; all indices first, then all values, then all shapes."""
    return (
        [(dtypes.int64, _ts.TensorShape([None, rank]))] * len(types)
        + [(dtype, _ts.TensorShape([None])) for dtype in types]
        + [(dtypes.int64, _ts.TensorShape([rank]))] * len(types)
    )


def composite_features(features, parsed):
    """`parsed` (every parsed key) with each SparseFeature merged into one SparseTensor, keeping only the
    keys of `features`."""
    result = dict(parsed)
    updates = {}
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, SparseFeature):
            if isinstance(feature.index_key, str):
                sp_ids = result[feature.index_key]
            else:
                sp_ids = [result[index_key] for index_key in feature.index_key]
            updates[key] = sparse_merge(
                sp_ids, result[feature.value_key], feature.size, already_sorted=feature.already_sorted
            )
    result.update(updates)
    return {key: result[key] for key in features}
