"""``tf.ragged``: RaggedTensors in graph mode (re-exports only). `tf.RaggedTensor` (top level only, as
in TF) is ragged_tensor.RaggedTensor; row_partition.py holds how a ragged dimension's rows are encoded,
conversion_ops.py and ragged_range.py the op kernels."""

from __future__ import annotations

from engine.ragged import ragged_getitem, ragged_operators  # noqa: F401 - install rt[...] and the operators
from engine.ragged.factory_ops import constant, constant_value, placeholder
from engine.ragged.ragged_array_ops import boolean_mask, map_flat_values
from engine.ragged.ragged_concat import stack
from engine.ragged.ragged_range import range  # noqa: A004 - TF's name
from engine.ragged.ragged_tensor_value import RaggedTensorValue
from engine.ragged.segment_id_ops import row_splits_to_segment_ids, segment_ids_to_row_splits

__all__ = [
    "RaggedTensorValue",
    "boolean_mask",
    "constant",
    "constant_value",
    "map_flat_values",
    "placeholder",
    "range",
    "row_splits_to_segment_ids",
    "segment_ids_to_row_splits",
    "stack",
]
