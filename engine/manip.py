"""`tf.manip`: TF 1.x's array-manipulation namespace, the same functions as the top-level names
(re-exports only; the ops are in engine/ops/)."""

from engine.ops.array_ops import reshape, tile
from engine.ops.nd_index_ops import gather_nd, scatter_nd
from engine.ops.reverse_op import reverse
from engine.ops.roll_op import roll
from engine.ops.space_batch_ops import batch_to_space_nd, space_to_batch_nd

__all__ = ["batch_to_space_nd", "gather_nd", "reshape", "reverse", "roll", "scatter_nd", "space_to_batch_nd",
           "tile"]
