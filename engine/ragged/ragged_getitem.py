"""``rt[key]`` of a RaggedTensor, as TF's ragged_getitem builds it in a ``RaggedGetItem`` scope: a row
index (int or scalar Tensor) gives that row's values, the rest of the key applied to them; a slice of
rows (step 1) gives a RaggedTensor of those rows. A slice followed by keys for the inner dimensions,
stepped row slices, `...` and `tf.newaxis` need TF's inner-dimension indexing, which the engine does not
have: they raise a ValueError saying so."""

from __future__ import annotations

from engine.framework import ops
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops
from engine.ragged.ragged_tensor import RaggedTensor


def getitem(rt_input, key):
    key_list = list(key) if isinstance(key, (list, tuple)) else [key]
    scope_tensors = [rt_input, *(k for k in key_list if isinstance(k, ops.Tensor))]
    with ops.name_scope(None, "RaggedGetItem", scope_tensors):
        return _getitem(rt_input, key_list)


def _unsupported(what):
    return ValueError(
        f"RaggedTensor indexing with {what} needs TF's inner-dimension indexing, which the "
        "engine does not have; index the rows first, or use tf.gather / to_tensor()."
    )


def _getitem(rt_input, key_list):
    if not key_list:
        return rt_input
    row_key, inner_keys = key_list[0], key_list[1:]
    if row_key is Ellipsis or row_key is None:
        raise _unsupported("`...` or tf.newaxis")
    if isinstance(row_key, slice):
        if inner_keys:
            raise _unsupported("keys after a row slice")
        return _slice_rows(rt_input, row_key)
    starts, limits = rt_input.row_splits[:-1], rt_input.row_splits[1:]
    row = rt_input.values[starts[row_key] : limits[row_key]]
    if isinstance(row, RaggedTensor):
        return row.__getitem__(inner_keys)
    # A slice of the values along their first dimension: their shape past it (TF's StridedSlice shape
    # rule knows that from the bounds' length; the engine's leaves the rank unknown for Tensor bounds).
    row.set_shape(_ts.TensorShape([None]).concatenate(rt_input.values.shape[1:]))
    return row[tuple(inner_keys)]


def _slice_rows(rt_input, row_key):
    if row_key.start is None and row_key.stop is None and row_key.step is None:
        return rt_input
    if row_key.step not in (None, 1):
        raise _unsupported("a stepped row slice")
    new_starts = rt_input.row_splits[:-1][row_key]
    new_limits = rt_input.row_splits[1:][row_key]
    zero_pad = array_ops.zeros([1], rt_input.row_splits.dtype)
    new_splits = array_ops.concat(
        [zero_pad[array_ops.size(new_starts) :], new_starts[:1], new_limits], axis=0
    )
    values_start, values_limit = new_splits[0], new_splits[-1]
    return RaggedTensor.from_row_splits(
        rt_input.values[values_start:values_limit], new_splits - values_start, validate=False
    )


RaggedTensor.__getitem__ = getitem
