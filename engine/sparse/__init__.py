"""`tf.sparse` (TF 1.x spelling, `tf.compat.v1.sparse`): SparseTensor and the sparse ops under their short
names."""

from engine.framework.sparse_tensor import SparseTensor
from engine.ops.set_ops import sparse_mask as mask
from engine.ops.sparse_ops import from_dense
from engine.ops.sparse_ops import sparse_add as add
from engine.ops.sparse_ops import sparse_concat as concat
from engine.ops.sparse_ops import sparse_expand_dims as expand_dims
from engine.ops.sparse_ops import sparse_eye as eye
from engine.ops.sparse_ops import sparse_fill_empty_rows as fill_empty_rows
from engine.ops.sparse_ops import sparse_maximum as maximum
from engine.ops.sparse_ops import sparse_merge as merge
from engine.ops.sparse_ops import sparse_minimum as minimum
from engine.ops.sparse_ops import sparse_placeholder as placeholder
from engine.ops.sparse_ops import sparse_reduce_max as reduce_max
from engine.ops.sparse_ops import sparse_reduce_max_sparse as reduce_max_sparse
from engine.ops.sparse_ops import sparse_reduce_sum as reduce_sum
from engine.ops.sparse_ops import sparse_reduce_sum_sparse as reduce_sum_sparse
from engine.ops.sparse_ops import sparse_reorder as reorder
from engine.ops.sparse_ops import sparse_reset_shape as reset_shape
from engine.ops.sparse_ops import sparse_reshape as reshape
from engine.ops.sparse_ops import sparse_retain as retain
from engine.ops.sparse_ops import sparse_segment_mean as segment_mean
from engine.ops.sparse_ops import sparse_segment_sqrt_n as segment_sqrt_n
from engine.ops.sparse_ops import sparse_segment_sum as segment_sum
from engine.ops.sparse_ops import sparse_slice as slice  # noqa: A004 - TF's name
from engine.ops.sparse_ops import sparse_softmax as softmax
from engine.ops.sparse_ops import sparse_split as split
from engine.ops.sparse_ops import sparse_tensor_dense_matmul as matmul
from engine.ops.sparse_ops import sparse_tensor_dense_matmul as sparse_dense_matmul
from engine.ops.sparse_ops import sparse_tensor_to_dense as to_dense
from engine.ops.sparse_ops import sparse_to_indicator as to_indicator
from engine.ops.sparse_ops import sparse_transpose as transpose

__all__ = [
    "SparseTensor",
    "add",
    "concat",
    "expand_dims",
    "eye",
    "fill_empty_rows",
    "from_dense",
    "matmul",
    "mask",
    "maximum",
    "merge",
    "minimum",
    "placeholder",
    "reduce_max",
    "reduce_max_sparse",
    "reduce_sum",
    "reduce_sum_sparse",
    "reorder",
    "reset_shape",
    "reshape",
    "retain",
    "segment_mean",
    "segment_sqrt_n",
    "segment_sum",
    "slice",
    "softmax",
    "sparse_dense_matmul",
    "split",
    "to_dense",
    "to_indicator",
    "transpose",
]
