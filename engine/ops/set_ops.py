"""Distinct values of vectors: Unique, UniqueWithCounts (``tf.unique``, ``tf.unique_with_counts``) and
ListDiff (``tf.setdiff1d``). TF gives none of them a gradient. Kernels, shape rules, registrations and
wrappers."""

from __future__ import annotations

import collections

import numpy as np

from engine.framework import dtypes, ops, registry
from engine.framework.indexed_slices import IndexedSlices
from engine.ops.op_util import dims, make_op, shape, shape_error

# The named results TF's generated wrappers return.
Unique = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])
ListDiff = collections.namedtuple("ListDiff", ["out", "idx"])


def _first_occurrence_unique(x):
    """Distinct values in order of first appearance, each element's position among them, and counts."""
    _, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # appearance rank -> sorted-unique slot
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return x[first[order]], rank[inverse.reshape(-1)], counts[order]


def _compile_unique(op, runtime):
    out_idx = dtypes.as_dtype(op.get_attr("out_idx")).as_numpy_dtype
    with_counts = op.type == "UniqueWithCounts"

    def kernel(x):
        y, idx, counts = _first_occurrence_unique(np.asarray(x))
        if with_counts:
            return y, idx.astype(out_idx), counts.astype(out_idx)
        return y, idx.astype(out_idx)

    return kernel


def _infer_unique(op):
    (x,) = op.inputs
    d = dims(x)
    if d is not None and len(d) != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {len(d)}")
    out_idx = dtypes.as_dtype(op.get_attr("out_idx"))
    n = None if d is None else d[0]
    outs = [(x.dtype.base_dtype, shape((None,))), (out_idx, shape((n,)))]
    if op.type == "UniqueWithCounts":
        outs.append((out_idx, shape((None,))))
    return outs


for _op_type in ("Unique", "UniqueWithCounts"):
    registry.register_op(_op_type, infer=_infer_unique, compile=_compile_unique,
                         attrs={"out_idx": dtypes.int32})


def _build(op_type, inputs, out_idx, scope):
    return make_op(op_type, inputs, name=scope,
                   attrs={"T": inputs[0].dtype.base_dtype, "out_idx": dtypes.as_dtype(out_idx)}).outputs


def unique(x, out_idx=dtypes.int32, name=None):
    """``tf.unique``: the distinct values of 1-D `x` in order of first appearance (`y`) and, per element,
    its position in `y` (`idx`)."""
    with ops.name_scope(name, "Unique", [x]) as scope:
        return Unique(*_build("Unique", [ops.convert_to_tensor(x, name="x")], out_idx, scope))


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """``tf.unique_with_counts``: `unique`'s `y` and `idx`, and how often each value occurs (`count`)."""
    with ops.name_scope(name, "UniqueWithCounts", [x]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        return UniqueWithCounts(*_build("UniqueWithCounts", [x], out_idx, scope))


def _list_diff_kernel_for(out_idx):
    def kernel(x, y):
        x, y = np.asarray(x), np.asarray(y)
        keep = np.flatnonzero(~np.isin(x, y))
        return x[keep], keep.astype(out_idx)

    return kernel


def _infer_list_diff(op):
    x, y = op.inputs
    for t in (x, y):
        d = dims(t)
        if d is not None and len(d) != 1:
            raise shape_error(op, f"Shape must be rank 1 but is rank {len(d)}")
    out_idx = dtypes.as_dtype(op.get_attr("out_idx"))
    return [(x.dtype.base_dtype, shape((None,))), (out_idx, shape((None,)))]


registry.register_op(
    "ListDiff", infer=_infer_list_diff, attrs={"out_idx": dtypes.int32},
    compile=lambda op, runtime: _list_diff_kernel_for(dtypes.as_dtype(op.get_attr("out_idx")).as_numpy_dtype),
)


def setdiff1d(x, y, index_dtype=dtypes.int32, name=None):
    """``tf.setdiff1d``: the values of 1-D `x` not in `y`, in x's order (duplicates kept), and their
    positions in `x`."""
    with ops.name_scope(name, "ListDiff", [x, y]) as scope:
        x = ops.convert_to_tensor(x, name="x")
        y = ops.convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
        return ListDiff(*_build("ListDiff", [x, y], index_dtype, scope))


def sparse_mask(a, mask_indices, name=None):
    """``tf.sparse_mask``: the IndexedSlices `a` without the slices whose index is in `mask_indices`
    (ListDiff of the indices, then a gather of the kept values named `name`), as TF builds it."""
    from engine.ops import array_ops  # array_ops imports this module

    with ops.name_scope(name, "sparse_mask", [a, mask_indices]) as scope:
        out_indices, to_gather = setdiff1d(a.indices, mask_indices)
        out_values = array_ops.gather(a.values, to_gather, name=scope)
        return IndexedSlices(out_values, out_indices, a.dense_shape)
