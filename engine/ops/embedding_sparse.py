"""`tf.nn.embedding_lookup_sparse` and `tf.nn.safe_embedding_lookup_sparse`: per row of a SparseTensor of
ids, the embeddings of its ids combined by sum, mean or sqrtn (optionally weighted).  Built from other ops
as TF builds them (no op types of their own).

Deviations: the engine has no Unique op, so where TF looks up the unique ids and gathers them back per
entry, the engine looks up every entry's id directly (the same values and gradients); and where TF uses
SegmentSum for the weighted combiners, the engine uses SparseSegmentSum over every row in order (the same
sums)."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.framework import tensor_shape as _ts
from engine.framework.sparse_tensor import SparseTensor
from engine.ops import array_ops, math_ops
from engine.ops.embedding_ops import embedding_lookup
from engine.ops.sparse_ops import (
    sparse_fill_empty_rows,
    sparse_reshape,
    sparse_retain,
    sparse_segment_mean,
    sparse_segment_sqrt_n,
    sparse_segment_sum,
)

_SEGMENT_COMBINERS = {"sum": sparse_segment_sum, "mean": sparse_segment_mean, "sqrtn": sparse_segment_sqrt_n}


def _segment_sum(data, segment_ids, name=None):
    """SegmentSum's values: the rows of `data` summed per (sorted) segment id."""
    rows = math_ops.range(array_ops.shape_v1(segment_ids)[0])
    return sparse_segment_sum(data, rows, segment_ids, name=name)


def embedding_lookup_sparse(
    params,
    sp_ids,
    sp_weights,
    partition_strategy="mod",
    name=None,
    combiner=None,
    max_norm=None,
    allow_fast_lookup=False,
):
    """``tf.nn.embedding_lookup_sparse``: for each row r of `sp_ids` (a SparseTensor of int ids, rows
    ordered), the embeddings of its ids combined by `combiner` ("mean" by default, "sum", "sqrtn"),
    weighted by `sp_weights` (a SparseTensor with the same indices) or by 1.  The result has one row per
    row index up to the last one present."""
    if combiner is None:
        combiner = "mean"
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    if not isinstance(params, list):
        params = list(params) if isinstance(params, tuple) else [params]
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError(f"sp_ids must be SparseTensor, got {type(sp_ids)}")
    ignore_weights = sp_weights is None
    if not ignore_weights:
        if not isinstance(sp_weights, SparseTensor):
            raise TypeError(f"sp_weights must be either None or SparseTensor,got {type(sp_weights)}")
        sp_ids.values.get_shape().assert_is_compatible_with(sp_weights.values.get_shape())
        sp_ids.indices.get_shape().assert_is_compatible_with(sp_weights.indices.get_shape())
        sp_ids.dense_shape.get_shape().assert_is_compatible_with(sp_weights.dense_shape.get_shape())
    with ops.name_scope(name, "embedding_lookup_sparse", params + [sp_ids]) as name:
        segment_ids = ops.convert_to_tensor(sp_ids.indices[:, 0], name="segment_ids")
        ids = sp_ids.values
        sparse_gradient = False
        if len(params) == 1 and max_norm is None and (allow_fast_lookup or ignore_weights):
            embeddings = ops.convert_to_tensor(params[0], name="params")
            idx = ids
            # as TF: the SparseSegment op's gradient is then an IndexedSlices (SparseSegment*GradV2)
            sparse_gradient = not allow_fast_lookup
        else:
            embeddings = embedding_lookup(
                params, ids, partition_strategy=partition_strategy, max_norm=max_norm
            )
            idx = None  # each entry's embedding is already in place
        if ignore_weights:
            if idx is None:
                idx = math_ops.range(array_ops.shape_v1(ids)[0])
            if segment_ids.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
                segment_ids = array_ops.cast(segment_ids, dtypes.int32)
            return _SEGMENT_COMBINERS[combiner](embeddings, idx, segment_ids, name=name,
                                                sparse_gradient=sparse_gradient)
        if segment_ids.dtype.base_dtype != dtypes.int32:
            segment_ids = array_ops.cast(segment_ids, dtypes.int32)
        weights = sp_weights.values
        if idx is not None:
            embeddings = array_ops.gather(embeddings, idx)
        if weights.dtype.base_dtype != embeddings.dtype.base_dtype:
            weights = array_ops.cast(weights, embeddings.dtype.base_dtype)
        # Reshape the weights to [n, 1, ..., 1] so they broadcast over each embedding.
        ones_shape = array_ops.expand_dims(array_ops.rank(embeddings) - 1, 0)
        weights_shape = array_ops.shape_v1(weights)
        ones = array_ops.ones(ones_shape, dtype=weights_shape.dtype)
        bcast_weights_shape = array_ops.concat([weights_shape, ones], 0)
        orig_weights_shape = weights.get_shape()
        weights = array_ops.reshape(weights, bcast_weights_shape)
        if embeddings.get_shape().ndims is not None:
            weights.set_shape(
                orig_weights_shape.concatenate([1 for _ in range(embeddings.get_shape().ndims - 1)])
            )
        embeddings *= weights
        if combiner == "sum":
            return _segment_sum(embeddings, segment_ids, name=name)
        embeddings = _segment_sum(embeddings, segment_ids)
        if combiner == "mean":
            weight_sum = _segment_sum(weights, segment_ids)
            return math_ops.div_no_nan(embeddings, weight_sum, name=name)
        weight_sum = _segment_sum(math_ops.pow(weights, 2), segment_ids)
        return math_ops.div_no_nan(embeddings, math_ops.sqrt(weight_sum), name=name)


def safe_embedding_lookup_sparse(
    embedding_weights,
    sparse_ids,
    sparse_weights=None,
    combiner="mean",
    default_id=None,
    name=None,
    partition_strategy="div",
    max_norm=None,
    allow_fast_lookup=False,
):
    """``tf.nn.safe_embedding_lookup_sparse``: `embedding_lookup_sparse` over the last dimension of
    `sparse_ids` (any rank >= 2) that drops invalid ids (< 0) and non-positive weights and gives rows with
    no ids the embedding of `default_id`, or zeros."""
    if embedding_weights is None:
        raise ValueError(f"Missing embedding_weights {embedding_weights}.")
    if not isinstance(embedding_weights, list):
        embedding_weights = (
            list(embedding_weights) if isinstance(embedding_weights, tuple) else [embedding_weights]
        )
    if len(embedding_weights) < 1:
        raise ValueError(f"Missing embedding_weights {embedding_weights}.")
    dtype = sparse_weights.dtype if sparse_weights is not None else None
    embedding_weights = [ops.convert_to_tensor(w, dtype=dtype) for w in embedding_weights]
    with ops.name_scope(name, "embedding_lookup", embedding_weights + [sparse_ids, sparse_weights]) as scope:
        original_shape = sparse_ids.dense_shape
        original_static = sparse_ids.get_shape()
        original_rank_dim = _ts.dimension_value(sparse_ids.dense_shape.get_shape()[0])
        original_rank = array_ops.size(original_shape) if original_rank_dim is None else original_rank_dim
        sparse_ids = sparse_reshape(
            sparse_ids,
            [
                math_ops.reduce_prod(array_ops.slice(original_shape, [0], [original_rank - 1])),
                array_ops.gather(original_shape, original_rank - 1),
            ],
        )
        if sparse_weights is not None:
            sparse_weights = SparseTensor(sparse_ids.indices, sparse_weights.values, sparse_ids.dense_shape)
        sparse_ids, sparse_weights = _prune_invalid_ids(sparse_ids, sparse_weights)
        if combiner != "sum":
            sparse_ids, sparse_weights = _prune_invalid_weights(sparse_ids, sparse_weights)
        sparse_ids, is_row_empty = sparse_fill_empty_rows(sparse_ids, default_id or 0)
        if sparse_weights is not None:
            sparse_weights, _ = sparse_fill_empty_rows(sparse_weights, 1.0)
        result = embedding_lookup_sparse(
            embedding_weights,
            sparse_ids,
            sparse_weights,
            combiner=combiner,
            partition_strategy=partition_strategy,
            name=None if default_id is None else scope,
            max_norm=max_norm,
            allow_fast_lookup=allow_fast_lookup,
        )
        if default_id is None:
            # Rows that had no valid id get zeros.
            is_row_empty = array_ops.tile(
                array_ops.reshape(is_row_empty, [-1, 1]), array_ops.stack([1, array_ops.shape_v1(result)[1]])
            )
            result = array_ops.where(is_row_empty, array_ops.zeros_like(result), result, name=scope)
        final_result = array_ops.reshape(
            result,
            array_ops.concat(
                [
                    array_ops.slice(array_ops.cast(original_shape, dtypes.int32), [0], [original_rank - 1]),
                    array_ops.slice(array_ops.shape_v1(result), [1], [-1]),
                ],
                0,
            ),
        )
        rank = None if original_rank_dim is None else original_rank_dim - 1
        final_result.set_shape(_ts.unknown_shape(rank).concatenate(result.get_shape()[1:]))
        if original_static.ndims is not None:
            # TF's Reshape shape function reads the constant dense shape here (it folds the shape
            # arithmetic); the SparseTensor's static shape carries the same dimensions.
            final_result.set_shape(original_static[:-1].concatenate(result.get_shape()[1:]))
        return final_result


def _prune_invalid_ids(sparse_ids, sparse_weights):
    """Drops ids < 0 (and their weights)."""
    is_id_valid = math_ops.greater_equal(sparse_ids.values, 0)
    if sparse_weights is not None:
        is_id_valid = math_ops.logical_and(
            is_id_valid, array_ops.ones_like(sparse_weights.values, dtype=dtypes.bool)
        )
    sparse_ids = sparse_retain(sparse_ids, is_id_valid)
    if sparse_weights is not None:
        sparse_weights = sparse_retain(sparse_weights, is_id_valid)
    return sparse_ids, sparse_weights


def _prune_invalid_weights(sparse_ids, sparse_weights):
    """Drops weights <= 0 (and their ids)."""
    if sparse_weights is not None:
        is_weights_valid = math_ops.greater(sparse_weights.values, 0)
        sparse_ids = sparse_retain(sparse_ids, is_weights_valid)
        sparse_weights = sparse_retain(sparse_weights, is_weights_valid)
    return sparse_ids, sparse_weights
