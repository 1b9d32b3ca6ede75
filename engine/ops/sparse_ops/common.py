"""Helpers the sparse op modules share: index orders, the static shapes of sparse outputs, and the checks
TF's sparse kernels make on their inputs."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import dims


def as_indices(indices):
    """An int64 [N, ndims] array of sparse indices (a [0, ndims] array for no entries)."""
    return np.asarray(indices, np.int64)


def as_shape(dense_shape):
    return tuple(int(d) for d in np.asarray(dense_shape, np.int64).reshape(-1))


def lex_order(indices):
    """The stable permutation sorting index rows in TF's standard (row-major, lexicographic) order."""
    if indices.shape[1] == 0:
        return np.arange(indices.shape[0])
    return np.lexsort(indices.T[::-1])


def row_keys(indices):
    """Each index row as one hashable bytes key (to match rows between two index sets)."""
    rows = np.ascontiguousarray(indices, np.int64)
    return [r.tobytes() for r in rows]


def rank_of(*shape_tensors):
    """The sparse rank known statically from 1-D dense_shape tensors, or None."""
    for t in shape_tensors:
        d = dims(t)
        if d is not None and d[0] is not None:
            return d[0]
    return None


def sparse_outputs(values_dtype, rank, nnz=None):
    """The (indices, values, dense_shape) outputs' static dtypes and shapes of a sparse-valued op."""
    return [
        (dtypes.int64, _ts.TensorShape([nnz, rank])),
        (values_dtype, _ts.TensorShape([nnz])),
        (dtypes.int64, _ts.TensorShape([rank])),
    ]


def check_sparse_inputs(indices, values, shape, prefix=""):
    """TF's checks of a (indices, values, dense_shape) triple a kernel receives."""
    if indices.ndim != 2:
        raise errors.InvalidArgumentError(
            None, None, f"Input {prefix}indices should be a matrix but received shape {list(indices.shape)}"
        )
    if values.ndim != 1:
        raise errors.InvalidArgumentError(
            None, None, f"Input {prefix}values should be a vector but received shape {list(values.shape)}"
        )
    if indices.shape[0] != values.shape[0]:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Number of values must match first dimension of indices. Got {values.shape[0]} "
            f"values, indices shape: {list(indices.shape)}",
        )
    if indices.shape[1] != len(shape):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Index rank and shape rank do not match. Got index rank {indices.shape[1]} and "
            f"shape rank {len(shape)}",
        )


def check_in_bounds(indices, shape):
    """InvalidArgumentError naming the first index row outside `shape`."""
    if not indices.size:
        return
    bad = ((indices < 0) | (indices >= np.asarray(shape, np.int64))).any(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        row = ",".join(str(int(v)) for v in indices[i])
        raise errors.InvalidArgumentError(
            None,
            None,
            f"indices[{i}] = [{row}] is out of bounds: need 0 <= index < [{','.join(str(d) for d in shape)}]",
        )


def check_order(indices, shape):
    """TF's `validate_indices` of sparse kernels (SparseToDense's, the set ops'): in bounds,
    lexicographically increasing, no repeats."""
    bounds = np.asarray(shape, np.int64)
    for i, row in enumerate(indices):
        text = ",".join(str(int(v)) for v in row)
        if ((row < 0) | (row >= bounds)).any():
            raise errors.InvalidArgumentError(
                None,
                None,
                f"indices[{i}] = [{text}] is out of bounds: need 0 <= index < "
                f"[{','.join(str(d) for d in shape)}]",
            )
        if i:
            prev = tuple(indices[i - 1])
            if tuple(row) == prev:
                raise errors.InvalidArgumentError(None, None, f"indices[{i}] = [{text}] is repeated")
            if tuple(row) < prev:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"indices[{i}] = [{text}] is out of order. Many sparse ops require sorted "
                    "indices.\n    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n",
                )
