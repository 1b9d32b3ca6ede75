"""Segment reductions: SegmentSum/Mean/Max/Min/Prod (sorted ids), UnsortedSegmentMax/Min/Prod
(UnsortedSegmentSum lives with GatherV2, whose gradient builds it), SparseSegmentSum/Mean/SqrtN (and
their WithNumSegments forms, with the ``*Grad`` ops their gradients build); ``unsorted_segment_mean`` /
``sqrt_n`` are built from UnsortedSegmentSum as TF builds them.  Kernels, shape rules, registrations,
wrappers and gradients (TF's python/ops/math_grad.py formulas)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.indexed_slices import IndexedSlices
from engine.framework.registry import register_gradient
from engine.ops import array_ops, grad_util, math_ops
from engine.ops.array_ops.slicing import _gather_drop_negatives, _infer_unsorted_segment, unsorted_segment_sum
from engine.ops.constant_op import constant
from engine.ops.op_util import dims, make_op, make_tensor, shape, shape_error

_REDUCE = {"Sum": np.add, "Mean": np.add, "Prod": np.multiply, "Max": np.maximum, "Min": np.minimum}


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _identity(kind, dtype):
    """What an empty unsorted segment holds: 0 for sums, 1 for products, the lowest / highest finite value
    of the dtype for max / min (TF's `Eigen::NumTraits<T>::lowest()`, not -inf)."""
    if kind in ("Sum", "Mean", "SqrtN"):
        return np.zeros((), dtype)
    if kind == "Prod":
        return np.ones((), dtype)
    info = np.finfo(dtype) if np.issubdtype(dtype, np.inexact) else np.iinfo(dtype)
    return np.asarray(info.min if kind == "Max" else info.max, dtype)


def _reduce_rows(kind, rows, ids, n):
    """out[i] = the `kind` reduction of rows[j] over j with ids[j] == i, for i < n (ids all in [0, n));
    also the number of rows each segment got."""
    out = np.full((n,) + rows.shape[1:], _identity(kind, rows.dtype), dtype=rows.dtype)
    _REDUCE.get(kind, np.add).at(out, ids, rows)
    return out, np.bincount(ids, minlength=n)[:n]


def _divide_by_counts(total, counts, kind):
    """Mean (or the sum over sqrt(count)) of each segment; 0 for an empty one. Integer means truncate (TF)."""
    shape_ = (-1,) + (1,) * (total.ndim - 1)
    if kind == "SqrtN":
        return (total / np.sqrt(np.maximum(counts, 1)).reshape(shape_)).astype(total.dtype)
    counts = np.maximum(counts, 1).reshape(shape_)
    if np.issubdtype(total.dtype, np.integer):
        return (np.sign(total) * (np.abs(total) // counts)).astype(total.dtype)
    return (total / counts).astype(total.dtype)


def _check_sorted_ids(ids, rows):
    """TF's checks on sorted segment ids, segment by segment: the next segment's id is larger, then this
    segment's id is in range (the order TF's kernel checks them in)."""
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if ids.size else np.zeros(0, np.int64)
    segment_ids = ids[starts]
    for k, out_index in enumerate(segment_ids.tolist()):
        if k + 1 < len(segment_ids) and out_index >= segment_ids[k + 1]:
            raise _invalid("segment ids are not increasing")
        if out_index < 0 or out_index >= rows:
            raise _invalid(f"Segment id {out_index} out of range [0, {rows}), possibly because 'segment_ids' "
                           "input is not sorted.")


# --- SegmentSum / Mean / Max / Min / Prod: sorted segment ids ---------------------------------------------


def _infer_segment(op):
    data, segment_ids = op.inputs[:2]
    dd, sd = dims(data), dims(segment_ids)
    if sd is not None and len(sd) != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {len(sd)}")
    if dd is None:
        return [(data.dtype.base_dtype, _ts.unknown_shape())]
    if not dd:
        raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
    return [(data.dtype.base_dtype, shape((None,) + dd[1:]))]


def _segment_kernel(kind):
    def kernel(data, segment_ids):
        data, ids = np.asarray(data), np.asarray(segment_ids).astype(np.int64)
        if ids.shape[0] != data.shape[0]:
            raise _invalid("segment_ids should be the same size as dimension 0 of input.")
        rows = int(ids[-1]) + 1 if ids.size else 0
        _check_sorted_ids(ids, rows)
        out, counts = _reduce_rows(kind, data, ids, rows)
        if kind == "Mean":
            return _divide_by_counts(out, counts, kind)
        if kind in ("Max", "Min"):  # an empty sorted segment holds 0 (TF), not the dtype's extreme
            out[counts == 0] = 0
        return out

    return kernel


for _kind in ("Sum", "Mean", "Prod", "Max", "Min"):
    registry.register_op(
        f"Segment{_kind}", infer=_infer_segment, kernel=_segment_kernel(_kind), fresh=True,
        inputs=("data: T", "segment_ids: Tindices"),
        allowed={"T": groups.REAL_NUMBER_TYPES if _kind in ("Max", "Min") else groups.NUMBER_TYPES,
                 "Tindices": groups.INDEX_TYPES},
    )


def _segment(kind, data, segment_ids, name):
    with ops.name_scope(name, f"Segment{kind}", [data, segment_ids]) as scope:
        data = ops.convert_to_tensor(data, name="data")
        segment_ids = ops.convert_to_tensor(segment_ids, name="segment_ids")
        return make_tensor(f"Segment{kind}", [data, segment_ids], name=scope,
                           attrs={"T": data.dtype.base_dtype, "Tindices": segment_ids.dtype.base_dtype})


def segment_sum(data, segment_ids, name=None):
    """``tf.math.segment_sum``: sums of the rows of `data` per (sorted) segment id; empty segments hold 0."""
    return _segment("Sum", data, segment_ids, name)


def segment_mean(data, segment_ids, name=None):
    """``tf.math.segment_mean``: means per sorted segment id (integer means truncate); empty ones hold 0."""
    return _segment("Mean", data, segment_ids, name)


def segment_prod(data, segment_ids, name=None):
    """``tf.math.segment_prod``: products per sorted segment id; empty segments hold 1."""
    return _segment("Prod", data, segment_ids, name)


def segment_max(data, segment_ids, name=None):
    """``tf.math.segment_max``: maxima per sorted segment id; empty segments hold 0."""
    return _segment("Max", data, segment_ids, name)


def segment_min(data, segment_ids, name=None):
    """``tf.math.segment_min``: minima per sorted segment id; empty segments hold 0."""
    return _segment("Min", data, segment_ids, name)


def _ones_per_row(data, segment_ids):
    """ones(shape(segment_ids) + [1] * (rank(data) - 1)): one count per row, broadcasting over the rest."""
    tail = _ones_of_rank_difference(data, segment_ids)
    ones_shape = array_ops.concat([array_ops.shape_v1(segment_ids), tail], 0)
    return array_ops.fill(ones_shape, constant(1, dtype=data.dtype.base_dtype))


def _ones_of_rank_difference(data, segment_ids):
    """[1] * (rank(data) - rank(segment_ids)): a constant when both ranks are known, so shapes stay static."""
    dd, sd = dims(data), dims(segment_ids)
    if dd is not None and sd is not None:
        return constant(np.ones(len(dd) - len(sd), np.int32))
    extra = math_ops.subtract(array_ops.rank(data), array_ops.rank(segment_ids))
    return array_ops.ones(array_ops.stack([extra]), dtypes.int32)


@register_gradient("SegmentSum")
def _segment_sum_grad(op, grad):
    return [array_ops.gather(grad, op.inputs[1]), None]


@register_gradient("SegmentMean")
def _segment_mean_grad(op, grad):
    data, segment_ids = op.inputs
    counts = segment_sum(_ones_per_row(data, segment_ids), segment_ids)
    return [array_ops.gather(math_ops.divide(grad, counts), segment_ids), None]


def _segment_min_or_max_grad(op, grad):
    """The gradient shared evenly among the entries equal to their segment's extreme (TF's)."""
    data, segment_ids = op.inputs
    zeros = array_ops.zeros_like(data)
    is_selected = math_ops.equal(data, array_ops.gather(op.outputs[0], segment_ids))
    num_selected = segment_sum(array_ops.cast(is_selected, grad.dtype), segment_ids)
    gathered = array_ops.gather(math_ops.divide(grad, num_selected), segment_ids)
    return [array_ops.where_v2(is_selected, gathered, zeros), None]


register_gradient("SegmentMax")(_segment_min_or_max_grad)
register_gradient("SegmentMin")(_segment_min_or_max_grad)


@register_gradient("SegmentProd")
def _segment_prod_grad(op, grad):
    """d(prod)/dx = prod / x, with zeros handled as TF: a segment with two zeros has no gradient; the zero
    of a segment with one gets the product of the others."""
    data, segment_ids = op.inputs
    dtype = data.dtype.base_dtype
    is_zero = math_ops.equal(data, constant(0, dtype=dtype))
    num_zeros = segment_sum(array_ops.cast(is_zero, dtypes.int32), segment_ids)
    grad = array_ops.where_v2(math_ops.greater(num_zeros, 1), array_ops.zeros_like(grad), grad)
    non_zero_data = array_ops.where_v2(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = segment_prod(non_zero_data, segment_ids)
    gathered_prod = array_ops.gather(op.outputs[0], segment_ids)
    gathered_non_zero_prod = array_ops.gather(non_zero_prod, segment_ids)
    prod_divided_by_el = math_ops.truediv(gathered_prod, non_zero_data)
    partial = array_ops.where_v2(is_zero, gathered_non_zero_prod, prod_divided_by_el)
    return [math_ops.multiply(array_ops.gather(grad, segment_ids), partial), None]


# --- UnsortedSegmentMax / Min / Prod ----------------------------------------------------------------------


def _unsorted_segment_kernel(kind):
    def kernel(data, segment_ids, num_segments):
        data, ids = np.asarray(data), np.asarray(segment_ids).astype(np.int64)
        n = int(num_segments)
        if data.shape[: ids.ndim] != ids.shape:
            raise _invalid(f"data.shape = {list(data.shape)} does not start with segment_ids.shape = "
                           f"{list(ids.shape)}")
        flat_ids = ids.reshape(-1)
        too_big = np.flatnonzero(flat_ids >= n)
        if too_big.size:
            i = int(too_big[0])
            raise _invalid(f"segment_ids[{i}] = {flat_ids[i]} is out of range [0, {n})")
        rows = data.reshape((-1,) + data.shape[ids.ndim:])
        keep = flat_ids >= 0  # negative ids are dropped
        return _reduce_rows(kind, rows[keep], flat_ids[keep], n)[0]

    return kernel


for _kind in ("Max", "Min", "Prod"):
    registry.register_op(
        f"UnsortedSegment{_kind}", infer=_infer_unsorted_segment, kernel=_unsorted_segment_kernel(_kind),
        fresh=True, attrs={"Tnumsegments": dtypes.int32},
        inputs=("data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"),
        allowed={"T": groups.NUMBER_TYPES if _kind == "Prod" else groups.REAL_NUMBER_TYPES,
                 "Tindices": groups.INDEX_TYPES, "Tnumsegments": groups.INDEX_TYPES},
    )


def _unsorted_segment(kind, data, segment_ids, num_segments, name):
    with ops.name_scope(name, f"UnsortedSegment{kind}", [data, segment_ids, num_segments]) as scope:
        data = ops.convert_to_tensor(data, name="data")
        segment_ids = ops.convert_to_tensor(segment_ids, name="segment_ids")
        num_segments = ops.convert_to_tensor(num_segments, name="num_segments")
        return make_tensor(
            f"UnsortedSegment{kind}", [data, segment_ids, num_segments], name=scope,
            attrs={"T": data.dtype.base_dtype, "Tindices": segment_ids.dtype.base_dtype,
                   "Tnumsegments": num_segments.dtype.base_dtype},
        )


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """``tf.math.unsorted_segment_max``: maxima per segment id; an empty segment holds the dtype's lowest
    value; negative ids are dropped."""
    return _unsorted_segment("Max", data, segment_ids, num_segments, name)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """``tf.math.unsorted_segment_min``: minima per segment id; an empty segment holds the dtype's highest
    value; negative ids are dropped."""
    return _unsorted_segment("Min", data, segment_ids, num_segments, name)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    """``tf.math.unsorted_segment_prod``: products per segment id; an empty segment holds 1."""
    return _unsorted_segment("Prod", data, segment_ids, num_segments, name)


def _unsorted_segment_n(data, segment_ids, num_segments):
    """The number of rows in each segment, at least 1, shaped to broadcast against the segment sums."""
    num_segments = ops.convert_to_tensor(num_segments)
    ones_tensor = array_ops.ones(array_ops.shape_v1(segment_ids), dtype=data.dtype)
    n = unsorted_segment_sum(ones_tensor, segment_ids, num_segments)
    dd, sd = dims(data), dims(segment_ids)
    count = tensor_util.constant_value(num_segments)
    if dd is not None and sd is not None and count is not None:  # static: the result keeps its shape
        broadcastable_shape = constant([int(count)] + [1] * (len(dd) - len(sd)), dtype=num_segments.dtype)
    else:
        extra = math_ops.subtract(array_ops.rank(data), array_ops.rank(segment_ids))
        broadcastable_shape = array_ops.concat(
            [array_ops.reshape(num_segments, [1]),
             array_ops.ones(array_ops.stack([extra]), dtype=num_segments.dtype)], axis=0)
    n = array_ops.reshape(n, broadcastable_shape)
    return math_ops.maximum(n, constant(1, dtype=data.dtype.base_dtype))


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """``tf.math.unsorted_segment_mean``: the segment sums over the segment sizes (UnsortedSegmentSum ops,
    as TF builds it); empty segments hold 0."""
    with ops.name_scope(name, "UnsortedSegmentMean"):
        data = ops.convert_to_tensor(data)
        segment_ids = ops.convert_to_tensor(segment_ids)
        n = _unsorted_segment_n(data, segment_ids, num_segments)
        summed = unsorted_segment_sum(data, segment_ids, num_segments)
        return math_ops.truediv(summed, n)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """``tf.math.unsorted_segment_sqrt_n``: the segment sums over the square roots of the segment sizes."""
    with ops.name_scope(name, "UnsortedSegmentSqrtN"):
        data = ops.convert_to_tensor(data)
        segment_ids = ops.convert_to_tensor(segment_ids)
        n = _unsorted_segment_n(data, segment_ids, num_segments)
        summed = unsorted_segment_sum(data, segment_ids, num_segments)
        return math_ops.truediv(summed, math_ops.sqrt(n))


@register_gradient("UnsortedSegmentMax")
def _unsorted_segment_min_or_max_grad(op, grad):
    """As the sorted form's, with entries of negative ids getting none (TF's _UnsortedSegmentMinOrMaxGrad)."""
    data, segment_ids, num_segments = op.inputs
    gathered_outputs = _gather_drop_negatives(op.outputs[0], segment_ids)
    is_positive = _positive_mask(segment_ids, data)
    is_selected = math_ops.logical_and(math_ops.equal(data, gathered_outputs), is_positive)
    num_selected = unsorted_segment_sum(array_ops.cast(is_selected, grad.dtype), segment_ids, num_segments)
    gathered_grads = _gather_drop_negatives(math_ops.divide(grad, num_selected), segment_ids)
    return [array_ops.where_v2(is_selected, gathered_grads, array_ops.zeros_like(gathered_grads)), None, None]


register_gradient("UnsortedSegmentMin")(_unsorted_segment_min_or_max_grad)


def _positive_mask(segment_ids, data):
    """segment_ids >= 0, shaped to broadcast over data's trailing dimensions."""
    keep = math_ops.greater_equal(segment_ids, constant(0, dtype=segment_ids.dtype.base_dtype))
    ones = _ones_of_rank_difference(data, segment_ids)
    return array_ops.reshape(keep, array_ops.concat([grad_util.shape(segment_ids), ones], 0))


@register_gradient("UnsortedSegmentProd")
def _unsorted_segment_prod_grad(op, grad):
    """As SegmentProd's, over unsorted ids (negative ids get no gradient)."""
    data, segment_ids, num_segments = op.inputs
    dtype = data.dtype.base_dtype
    is_zero = math_ops.equal(data, constant(0, dtype=dtype))
    num_zeros = unsorted_segment_sum(array_ops.cast(is_zero, dtypes.int32), segment_ids, num_segments)
    grad = array_ops.where_v2(math_ops.greater(num_zeros, 1), array_ops.zeros_like(grad), grad)
    non_zero_data = array_ops.where_v2(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = unsorted_segment_prod(non_zero_data, segment_ids, num_segments)
    gathered_prod = _gather_drop_negatives(op.outputs[0], segment_ids)
    gathered_non_zero_prod = _gather_drop_negatives(non_zero_prod, segment_ids)
    prod_divided_by_el = math_ops.truediv(gathered_prod, non_zero_data)
    partial = array_ops.where_v2(is_zero, gathered_non_zero_prod, prod_divided_by_el)
    return [math_ops.multiply(_gather_drop_negatives(grad, segment_ids), partial), None, None]


# --- SparseSegmentSum / Mean / SqrtN (and WithNumSegments), their *Grad ops -------------------------------


def _infer_sparse_segment(op):
    data, indices, segment_ids = op.inputs[:3]
    dd, idx, sd = dims(data), dims(indices), dims(segment_ids)
    for d in (idx, sd):
        if d is not None and len(d) != 1:
            raise shape_error(op, f"Shape must be rank 1 but is rank {len(d)}")
    if idx is not None and sd is not None and None not in (idx[0], sd[0]) and idx[0] != sd[0]:
        raise shape_error(op, f"Dimension 0 in both shapes must be equal, but are {idx[0]} and {sd[0]}. "
                              f"Shapes are [{idx[0]}] and [{sd[0]}].")
    if dd is None:
        return [(data.dtype.base_dtype, _ts.unknown_shape())]
    if not dd:
        raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
    rows = None
    if len(op.inputs) == 4:
        n = tensor_util.constant_value(op.inputs[3])
        rows = None if n is None else int(n)
    return [(data.dtype.base_dtype, shape((rows,) + dd[1:]))]


def _sparse_segment_kernel(kind):
    def kernel(data, indices, segment_ids, num_segments=None):
        data = np.asarray(data)
        indices, ids = np.asarray(indices).astype(np.int64), np.asarray(segment_ids).astype(np.int64)
        if num_segments is not None:
            rows = int(num_segments)
        else:
            rows = int(ids[-1]) + 1 if ids.size else 0
        bad = np.flatnonzero((indices < 0) | (indices >= data.shape[0]))
        if bad.size:
            i = int(bad[0])
            raise _invalid(f"Bad: indices[{i}] == {indices[i]} out of range [0, {data.shape[0]})")
        if num_segments is not None and ids.size and int(ids.max()) >= rows:
            raise _invalid("segment ids must be < num_segments")
        _check_sorted_ids(ids, rows)
        out, counts = _reduce_rows("Sum", data[indices], ids, rows)
        return out if kind == "Sum" else _divide_by_counts(out, counts, kind)

    return kernel


_SPARSE_TYPES = {"Sum": groups.REAL_NUMBER_TYPES, "Mean": groups.UNARY_REAL, "SqrtN": groups.UNARY_REAL}

for _kind in ("Sum", "Mean", "SqrtN"):
    for _with_num in (False, True):
        registry.register_op(
            f"SparseSegment{_kind}" + ("WithNumSegments" if _with_num else ""),
            infer=_infer_sparse_segment, kernel=_sparse_segment_kernel(_kind), fresh=True,
            attrs={"Tidx": dtypes.int32, "Tsegmentids": dtypes.int32, "sparse_gradient": False,
                   **({"Tnumsegments": dtypes.int32} if _with_num else {})},
            inputs=("data: T", "indices: Tidx", "segment_ids: Tsegmentids")
            + (("num_segments: Tnumsegments",) if _with_num else ()),
            allowed={"T": _SPARSE_TYPES[_kind], "Tidx": groups.INDEX_TYPES, "Tsegmentids": groups.INDEX_TYPES,
                     **({"Tnumsegments": groups.INDEX_TYPES} if _with_num else {})},
        )


def _sparse_segment(kind, data, indices, segment_ids, name, num_segments, sparse_gradient=False):
    op_type = f"SparseSegment{kind}" + ("" if num_segments is None else "WithNumSegments")
    with ops.name_scope(name, op_type, [data, indices, segment_ids, num_segments]) as scope:
        data = ops.convert_to_tensor(data, name="data")
        indices = ops.convert_to_tensor(indices, name="indices")
        segment_ids = ops.convert_to_tensor(segment_ids, name="segment_ids")
        inputs = [data, indices, segment_ids]
        attrs = {"T": data.dtype.base_dtype, "Tidx": indices.dtype.base_dtype,
                 "Tsegmentids": segment_ids.dtype.base_dtype, "sparse_gradient": bool(sparse_gradient)}
        if num_segments is not None:
            num_segments = ops.convert_to_tensor(num_segments, name="num_segments")
            inputs.append(num_segments)
            attrs["Tnumsegments"] = num_segments.dtype.base_dtype
        return make_tensor(op_type, inputs, name=scope, attrs=attrs)


def sparse_segment_sum(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """``tf.sparse.segment_sum``: sums of ``data[indices]`` per sorted segment id (dense index form)."""
    return _sparse_segment("Sum", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_mean(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """``tf.sparse.segment_mean``: means of ``data[indices]`` per sorted segment id; empty segments hold 0."""
    return _sparse_segment("Mean", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_sqrt_n(data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False):
    """``tf.sparse.segment_sqrt_n``: sums of ``data[indices]`` over sqrt(segment size) per segment id."""
    return _sparse_segment("SqrtN", data, indices, segment_ids, name, num_segments, sparse_gradient)


def _segment_grad_rows(kind, grad, ids):
    """Each looked-up row's share of its segment's gradient: grad[ids], over the segment's size (Mean) or
    its square root (SqrtN)."""
    rows = grad[ids]
    if kind != "Sum":
        counts = np.bincount(ids, minlength=grad.shape[0]).astype(grad.dtype)
        scale = 1 / (counts if kind == "Mean" else np.sqrt(counts))
        rows = rows * scale[ids].reshape((-1,) + (1,) * (grad.ndim - 1))
    return rows


def _sparse_segment_grad_kernel(kind):
    def kernel(grad, indices, segment_ids, output_dim0):
        grad = np.asarray(grad)
        indices, ids = np.asarray(indices).astype(np.int64), np.asarray(segment_ids).astype(np.int64)
        out = np.zeros((int(output_dim0),) + grad.shape[1:], grad.dtype)
        np.add.at(out, indices, _segment_grad_rows(kind, grad, ids))
        return out

    return kernel


def _infer_sparse_segment_grad(op):
    grad, _, _, output_dim0 = op.inputs
    gd = dims(grad)
    n = tensor_util.constant_value(output_dim0)
    n = None if n is None else int(n)
    return [(grad.dtype.base_dtype, _ts.unknown_shape() if gd is None else shape((n,) + gd[1:]))]




def _sparse_segment_grad_v2_kernel(kind):
    """SparseSegment*GradV2: the gradient rows of the distinct indices only (sorted), and those indices:
    the values of an IndexedSlices, as large as the rows looked up whatever the table's size."""

    def kernel(grad, indices, segment_ids, dense_output_dim0):
        grad, indices = np.asarray(grad), np.asarray(indices)
        ids = np.asarray(segment_ids).astype(np.int64)
        bad = np.flatnonzero((indices < 0) | (indices >= int(dense_output_dim0)))
        if bad.size:
            i = int(bad[0])
            raise _invalid(f"Index {indices[i]} out of range [0, {int(dense_output_dim0)})")
        unique, positions = np.unique(indices, return_inverse=True)
        out = np.zeros((unique.size,) + grad.shape[1:], grad.dtype)
        np.add.at(out, positions.reshape(-1), _segment_grad_rows(kind, grad, ids))
        return out, unique

    return kernel


def _infer_sparse_segment_grad_v2(op):
    grad, indices = op.inputs[:2]
    gd = dims(grad)
    values = _ts.unknown_shape() if gd is None else shape((None,) + gd[1:])
    return [(grad.dtype.base_dtype, values), (indices.dtype.base_dtype, shape((None,)))]


for _kind in ("Sum", "Mean", "SqrtN"):
    for _suffix, _infer, _kernel, _dim0 in (
            ("Grad", _infer_sparse_segment_grad, _sparse_segment_grad_kernel, "output_dim0"),
            ("GradV2", _infer_sparse_segment_grad_v2, _sparse_segment_grad_v2_kernel, "dense_output_dim0")):
        registry.register_op(
            f"SparseSegment{_kind}{_suffix}", infer=_infer, kernel=_kernel(_kind), fresh=True,
            attrs={"Tidx": dtypes.int32, "Tsegmentids": dtypes.int32},
            inputs=("grad: T", "indices: Tidx", "segment_ids: Tsegmentids", _dim0),
            allowed={"T": groups.UNARY_REAL, "Tidx": groups.INDEX_TYPES, "Tsegmentids": groups.INDEX_TYPES},
        )


def _sparse_segment_grad(kind):
    def grad_fn(op, grad):
        data, indices, segment_ids = op.inputs[:3]
        if op._get_attr_or("sparse_gradient", False):  # TF's _SparseSegmentReduceGradV2: IndexedSlices
            data_shape = array_ops.shape_v1(data)
            values, unique = make_op(
                f"SparseSegment{kind}GradV2", [grad, indices, segment_ids, data_shape[0]], name=None,
                attrs={"T": grad.dtype.base_dtype, "Tidx": indices.dtype.base_dtype,
                       "Tsegmentids": segment_ids.dtype.base_dtype})._outputs
            return [IndexedSlices(values, unique, data_shape)] + [None] * (len(op.inputs) - 1)
        dim0 = array_ops.shape_v1(data)[0]
        out = make_tensor(
            f"SparseSegment{kind}Grad", [grad, indices, segment_ids, dim0], name=None,
            attrs={"T": grad.dtype.base_dtype, "Tidx": indices.dtype.base_dtype,
                   "Tsegmentids": segment_ids.dtype.base_dtype},
        )
        return [out] + [None] * (len(op.inputs) - 1)

    return grad_fn


for _kind in ("Sum", "Mean", "SqrtN"):
    register_gradient(f"SparseSegment{_kind}")(_sparse_segment_grad(_kind))
    register_gradient(f"SparseSegment{_kind}WithNumSegments")(_sparse_segment_grad(_kind))
