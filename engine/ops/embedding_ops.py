"""`tf.nn.embedding_lookup`: rows of an embedding table, or of a table split across a list of partitions
(TF's "mod" and "div" strategies), optionally clipped to `max_norm`. Built from other ops (no op types)."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, clip_ops, math_ops


def _clip(params, ids, max_norm):
    """Each looked-up embedding (the axes after the ids' axes) clipped to L2 norm `max_norm`."""
    if max_norm is None:
        return params
    ids_rank, params_rank = ids.shape.ndims, params.shape.ndims
    if ids_rank is None or params_rank is None:
        raise ValueError("embedding_lookup with max_norm needs ids and params of known rank")
    return clip_ops.clip_by_norm(params, max_norm, axes=list(range(ids_rank, params_rank)))


def _partition_rows(partition):
    """A partition's number of rows: static when known, else read from its run-time shape."""
    rows = _ts.dimension_value(partition.shape[0]) if partition.shape.ndims else None
    if rows is not None:
        return ops.convert_to_tensor(rows, dtype=dtypes.int64)
    return array_ops.cast(array_ops.shape_v1(partition)[0], dtypes.int64)


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True, max_norm=None):
    """``tf.nn.embedding_lookup``: `params[ids]`; for a list of partitions, id i lives in partition i % n at
    row i // n ("mod") or in contiguous blocks, the first `rows % n` partitions one row longer ("div").

    TF gathers from each partition and stitches the results back (DynamicPartition/DynamicStitch); the
    engine concatenates the partitions and gathers once at each id's row in that concatenation: the same
    values and gradients."""
    if params is None or (isinstance(params, (list, tuple)) and not params):
        raise ValueError("Need at least one param")
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}")
    params = list(params) if isinstance(params, (list, tuple)) else [params]
    with ops.name_scope(name, "embedding_lookup", params + [ids]) as scope:
        np_ = len(params)
        params = [ops.convert_to_tensor(p, name="params") for p in params]
        ids = ops.convert_to_tensor(ids, name="ids")
        if np_ == 1:
            result = _clip(array_ops.gather(params[0], ids, name=scope), ids, max_norm)
            return array_ops.identity(result)
        table = array_ops.concat(params, 0)
        ids64 = array_ops.cast(ids, dtypes.int64)
        if partition_strategy == "div":
            # The partitions are consecutive blocks of the table in order: the id is its row in the concat.
            rows_in_table = ids64
        else:
            sizes = array_ops.stack([_partition_rows(p) for p in params])
            offsets = math_ops.cumsum(sizes, exclusive=True)
            rows_in_table = array_ops.gather(offsets, ids64 % np_) + ids64 // np_
        result = _clip(array_ops.gather(table, rows_in_table), ids, max_norm)
        return array_ops.identity(result)
