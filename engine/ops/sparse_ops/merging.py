"""SparseTensors rebuilt from other ones, as TF builds them from other ops: `tf.sparse.merge` (ids as the
last dimension's indices, TF's SparseMerge graph), `tf.sparse.to_indicator`, `tf.sparse.reset_shape`."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, tensor_util
from engine.framework.sparse_tensor import SparseTensor, SparseTensorValue, convert_to_sparse
from engine.ops import array_ops, check_ops, control_flow_ops, math_ops
from engine.ops.sparse_ops.conversion import sparse_tensor_to_dense
from engine.ops.sparse_ops.reordering import sparse_reorder


def sparse_merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False):
    """``tf.sparse.merge``: a SparseTensor whose last dimension(s) are indexed by the values of `sp_ids`
    (sizes `vocab_size`) and valued by `sp_values`."""
    if isinstance(sp_ids, (SparseTensor, SparseTensorValue)):
        sp_ids = [sp_ids]
        if not isinstance(vocab_size, (ops.Tensor, int, np.integer)):
            raise TypeError(f"vocab_size has to be a Tensor or Python int. Found {type(vocab_size)}")
        vocab_size = [vocab_size]
    else:
        if not isinstance(sp_ids, (list, tuple)):
            raise TypeError(f"sp_ids has to be a SparseTensor or list thereof. Found {type(sp_ids)}")
        if not isinstance(vocab_size, (list, tuple)):
            raise TypeError(
                f"vocab_size has to be a list of Tensors or Python ints. Found {type(vocab_size)}"
            )
    if len(sp_ids) != len(vocab_size):
        raise ValueError("sp_ids and vocab_size have to have equal lengths.")
    with ops.name_scope(name, "SparseMerge", [sp_ids, sp_values]):
        sp_ids = [convert_to_sparse(ids) for ids in sp_ids]
        sp_values = convert_to_sparse(sp_values)
        ids = []
        for ids_dim in sp_ids:
            column = ids_dim.values
            if ids_dim.dtype != dtypes.int64:
                column = array_ops.cast(column, dtypes.int64)
            ids.append(array_ops.expand_dims(column, axis=1))
        vocab_size = [array_ops.cast(x, dtypes.int64) for x in vocab_size]
        new_indices = array_ops.concat([sp_ids[0].indices[:, :-1]] + ids, 1)
        new_shape = array_ops.concat([sp_ids[0].dense_shape[:-1], vocab_size], 0)
        result = SparseTensor(new_indices, sp_values.values, new_shape)
        if already_sorted:
            return result
        sorted_result = sparse_reorder(result)
        return SparseTensor(sorted_result.indices, sorted_result.values, new_shape)


def sparse_to_indicator(sp_input, vocab_size, name=None):
    """``tf.sparse.to_indicator``: a dense bool tensor, one more dimension of `vocab_size`, true at each
    row's ids (the values of `sp_input`)."""
    sp_input = convert_to_sparse(sp_input)
    with ops.name_scope(name, "SparseToIndicator", [sp_input]) as name:
        num_entries = array_ops.shape_v1(sp_input.indices)[0]
        new_values = array_ops.fill(array_ops.expand_dims(num_entries, 0), True)
        sp_values = SparseTensor(sp_input.indices, new_values, sp_input.dense_shape)
        sp_new = sparse_merge(sp_input, sp_values, vocab_size, name)
        return sparse_tensor_to_dense(sp_new, default_value=False, validate_indices=False, name=name)


def sparse_reset_shape(sp_input, new_shape=None):
    """``tf.sparse.reset_shape``: the same entries with dense shape `new_shape` (no smaller than the
    current one), or the tightest shape that holds them."""
    sp_input = convert_to_sparse(sp_input)
    in_indices = array_ops.identity(sp_input.indices)
    in_values = array_ops.identity(sp_input.values)
    in_shape = array_ops.identity(sp_input.dense_shape)
    if new_shape is None:
        dim_low_bound = math_ops.reduce_max(in_indices, axis=0)
        output_shape_tensor = math_ops.maximum(ops.convert_to_tensor(0, dtype=dtypes.int64),
                                               math_ops.add(dim_low_bound, array_ops.ones_like(in_shape)))
        return SparseTensor(in_indices, in_values, output_shape_tensor)
    output_shape_tensor = ops.convert_to_tensor(new_shape)
    output_shape_tensor.get_shape().assert_has_rank(1)
    output_shape_tensor = array_ops.cast(output_shape_tensor, dtypes.int64)
    if output_shape_tensor.get_shape().ndims is not None:
        output_shape_tensor.get_shape().dims[0].assert_is_compatible_with(in_shape.get_shape().dims[0])
    output_shape_tensor_const = tensor_util.constant_value(output_shape_tensor)
    if output_shape_tensor_const is not None and sp_input.get_shape().is_fully_defined():
        in_shape_const = np.array(sp_input.get_shape().as_list())
        if not np.all(in_shape_const <= output_shape_tensor_const):
            raise ValueError(
                "Requested new_shape should have dimension sizes >= sp_input.shape.  Found new_shape "
                f"({in_shape_const}), sp_input.shape ({output_shape_tensor_const}).")
        output_shape_tensor = output_shape_tensor_const
    else:
        output_shape_tensor = control_flow_ops.with_dependencies(
            [check_ops.assert_equal(array_ops.shape_v1(in_shape), array_ops.shape_v1(output_shape_tensor))],
            output_shape_tensor)
        output_shape_tensor = control_flow_ops.with_dependencies(
            [check_ops.assert_less_equal(in_shape, output_shape_tensor)], output_shape_tensor)
    return SparseTensor(in_indices, in_values, output_shape_tensor)
