"""Sparse ops (TensorFlow's ``sparse_ops``), one module per sub-family; each holds its ops' kernels, shape
rules, Python wrappers and gradients:

- `conversion`: SparseToDense; from_dense, sparse_placeholder, retain, eye, expand_dims
- `reordering`: SparseReorder, SparseReshape, SparseFillEmptyRows (+Grad); transpose
- `joins`: SparseConcat, SparseSlice (+Grad), SparseSplit
- `arithmetic`: SparseAdd (+Grad), SparseTensorDenseAdd, SparseSparseMaximum/Minimum, SparseDenseCwise*,
  SparseSoftmax
- `reductions`: SparseReduceSum/Max (+Sparse), SparseTensorDenseMatMul
- (SparseSegmentSum/Mean/SqrtN, which `tf.nn.embedding_lookup_sparse` uses, are in engine/ops/segment_ops.py)
- `merging`: merge, to_indicator, reset_shape (no op types of their own)

This package re-exports their public names.
"""

from __future__ import annotations

# the sparse segment reductions live with the segment family (engine/ops/segment_ops.py)
from engine.ops.segment_ops import sparse_segment_mean, sparse_segment_sqrt_n, sparse_segment_sum
from engine.ops.sparse_ops.arithmetic import (
    sparse_add,
    sparse_dense_cwise,
    sparse_maximum,
    sparse_minimum,
    sparse_softmax,
)
from engine.ops.sparse_ops.conversion import (
    from_dense,
    sparse_expand_dims,
    sparse_eye,
    sparse_placeholder,
    sparse_retain,
    sparse_tensor_to_dense,
    sparse_to_dense,
)
from engine.ops.sparse_ops.joins import sparse_concat, sparse_slice, sparse_split
from engine.ops.sparse_ops.merging import sparse_merge, sparse_reset_shape, sparse_to_indicator
from engine.ops.sparse_ops.reductions import (
    sparse_reduce_max,
    sparse_reduce_max_sparse,
    sparse_reduce_sum,
    sparse_reduce_sum_sparse,
    sparse_tensor_dense_matmul,
)
from engine.ops.sparse_ops.reordering import (
    sparse_fill_empty_rows,
    sparse_reorder,
    sparse_reshape,
    sparse_transpose,
)

__all__ = [
    "from_dense",
    "sparse_add",
    "sparse_concat",
    "sparse_dense_cwise",
    "sparse_expand_dims",
    "sparse_eye",
    "sparse_fill_empty_rows",
    "sparse_maximum",
    "sparse_merge",
    "sparse_minimum",
    "sparse_placeholder",
    "sparse_reduce_max",
    "sparse_reduce_max_sparse",
    "sparse_reduce_sum",
    "sparse_reduce_sum_sparse",
    "sparse_reorder",
    "sparse_reset_shape",
    "sparse_reshape",
    "sparse_retain",
    "sparse_segment_mean",
    "sparse_segment_sqrt_n",
    "sparse_segment_sum",
    "sparse_slice",
    "sparse_softmax",
    "sparse_split",
    "sparse_tensor_dense_matmul",
    "sparse_tensor_to_dense",
    "sparse_to_dense",
    "sparse_to_indicator",
    "sparse_transpose",
]
