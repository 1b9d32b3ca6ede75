"""Indexing: GatherV2 (its gradient an IndexedSlices along axis 0, a dense Tensor along another),
UnsortedSegmentSum (what densifies an IndexedSlices), Slice, StridedSlice (with
StridedSliceGrad, and ``tensor[...]``), ``boolean_mask``: kernels, shape rules, wrappers and gradients."""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, indexed_slices, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, grad_util, math_ops
from engine.ops.array_ops.constructors import ones_like
from engine.ops.array_ops.joins import stack
from engine.ops.op_util import dims, make_tensor, shape, shape_error

_convert = ops.convert_to_tensor
_builtin_slice = builtins.slice
_const_value = tensor_util.constant_value


def _gather_batch_dims(op, batch_dims, axis, idx_rank):
    """`batch_dims` made non-negative and checked against `axis` and the indices' rank (TF's rules)."""
    if batch_dims < 0 and idx_rank is not None:
        batch_dims += idx_rank
    if idx_rank is not None and not 0 <= batch_dims <= idx_rank:
        raise shape_error(op, f"batch_dims ({batch_dims}) must be in [{-idx_rank}, {idx_rank}]")
    if axis is not None and batch_dims > axis:
        raise shape_error(op, f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis})")
    return batch_dims


def _infer_gather(op):
    params, indices, axis_t = op.inputs
    pd, idx = dims(params), dims(indices)
    axis = _const_value(axis_t)
    if pd is None or idx is None or axis is None:
        return [(params.dtype.base_dtype, _ts.unknown_shape())]
    # TF asks params for rank >= axis + 1 (or -axis for a negative axis), and says so in those words.
    ax = int(np.reshape(axis, -1)[0])
    need = ax + 1 if ax >= 0 else -ax
    if len(pd) < need:
        raise shape_error(op, f"Shape must be at least rank {need} but is rank {len(pd)}", computed={2: axis})
    ax = ax + len(pd) if ax < 0 else ax
    b = _gather_batch_dims(op, int(op._attrs.get("batch_dims", 0) or 0), ax, len(idx))
    return [(params.dtype.base_dtype, shape(pd[:ax] + idx[b:] + pd[ax + 1 :]))]


def _gather_kernel(params, indices, axis, batch_dims=0):
    axis = int(axis) % max(np.ndim(params), 1)
    n = np.shape(params)[axis]
    idx = np.asarray(indices)
    bad = (idx < 0) | (idx >= n)
    if bad.any():
        first = idx[bad].reshape(-1)[0]
        pos = np.argwhere(bad)[0]
        raise errors.InvalidArgumentError(
            None, None, f"indices[{','.join(str(i) for i in pos)}] = {first} is not in [0, {n})"
        )
    if batch_dims == 0:
        return np.take(params, idx, axis=axis)
    if batch_dims > axis:
        raise errors.InvalidArgumentError(
            None, None, f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis})"
        )
    # batch_dims > 0: gather separately in every batch entry (the leading `batch_dims` dims of both).
    batch = np.shape(params)[:batch_dims]
    if idx.shape[:batch_dims] != batch:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"params.shape[:{batch_dims}] {list(batch)} should equal indices.shape[:{batch_dims}] "
            f"{list(idx.shape[:batch_dims])}",
        )
    flat_p = np.reshape(params, (-1,) + np.shape(params)[batch_dims:])
    flat_i = np.reshape(idx, (-1,) + idx.shape[batch_dims:])
    parts = [np.take(p, i, axis=axis - batch_dims) for p, i in zip(flat_p, flat_i, strict=True)]
    out_tail = np.shape(params)[batch_dims:axis] + idx.shape[batch_dims:] + np.shape(params)[axis + 1 :]
    return np.reshape(np.stack(parts) if parts else np.zeros((0,) + out_tail, np.asarray(params).dtype),
                      batch + out_tail)


def _compile_gather(op, runtime):
    batch_dims = int(op._attrs.get("batch_dims", 0) or 0)
    if batch_dims == 0:
        return _gather_kernel

    def kernel(params, indices, axis):
        b = batch_dims + np.ndim(indices) if batch_dims < 0 else batch_dims
        return _gather_kernel(params, indices, axis, b)

    return kernel


registry.register_op("GatherV2", infer=_infer_gather, compile=_compile_gather, attrs={"batch_dims": 0},
                     inputs=("params: Tparams", "indices: Tindices", "axis: Taxis"),
                     allowed={"Tindices": groups.INT16_INDEX_TYPES, "Taxis": groups.INDEX_TYPES})


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """Gathers slices of `params` along `axis` at `indices`."""
    if axis is None:
        axis = 0
    with ops.name_scope(name, "GatherV2", [params, indices]) as scope:
        params = _convert(params, name="params")
        indices = _convert(indices, name="indices")
        axis_t = axis if isinstance(axis, ops.Tensor) else _convert(axis, dtype=dtypes.int32, name="axis")
        return make_tensor(
            "GatherV2",
            [params, indices, axis_t],
            name=scope,
            attrs={
                "Tparams": params.dtype.base_dtype,
                "Tindices": indices.dtype.base_dtype,
                "Taxis": axis_t.dtype,
                "batch_dims": int(batch_dims),
            },
        )

# --- UnsortedSegmentSum: what the GatherV2 gradient builds ----------------------------------------


def _infer_unsorted_segment(op):
    """The shape rule of every UnsortedSegment* op: [num_segments] + data.shape[rank(segment_ids):], with
    TF's texts when data's shape does not start with segment_ids'."""
    data, segment_ids, num_segments = op.inputs
    dd, sd = dims(data), dims(segment_ids)
    n = tensor_util.constant_value(num_segments)
    n = None if n is None else int(n)
    if dd is None or sd is None:
        return [(data.dtype.base_dtype, _ts.unknown_shape())]
    if len(sd) > len(dd):
        raise shape_error(op, f"Shape must be at least rank {len(sd)} but is rank {len(dd)}")
    for a, b in zip(dd, sd, strict=False):
        if a is not None and b is not None and a != b:
            raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    return [(data.dtype.base_dtype, shape((n,) + dd[len(sd) :]))]


def _unsorted_segment_sum_kernel(data, segment_ids, num_segments):
    """out[i] = sum of data[j...] over every j with segment_ids[j] == i; negative ids are dropped."""
    data, ids = np.asarray(data), np.asarray(segment_ids)
    n = int(num_segments)
    if data.shape[: ids.ndim] != ids.shape:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"data.shape = {list(data.shape)} does not start with segment_ids.shape = {list(ids.shape)}",
        )
    tail = data.shape[ids.ndim :]
    flat_ids = ids.reshape(-1)
    too_big = np.flatnonzero(flat_ids >= n)
    if too_big.size:
        i = int(too_big[0])
        message = f"segment_ids[{i}] = {flat_ids[i]} is out of range [0, {n})"
        raise errors.InvalidArgumentError(None, None, message)
    out = np.zeros((n,) + tail, dtype=data.dtype)
    keep = flat_ids >= 0
    np.add.at(out, flat_ids[keep], data.reshape((-1,) + tail)[keep])
    return out


registry.register_op(
    "UnsortedSegmentSum", infer=_infer_unsorted_segment, kernel=_unsorted_segment_sum_kernel,
    inputs=("data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"),
    allowed={"T": groups.NUMBER_TYPES, "Tindices": groups.INT16_INDEX_TYPES,
             "Tnumsegments": groups.INDEX_TYPES},
)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """``tf.math.unsorted_segment_sum``: sums the rows of `data` into `num_segments` segments."""
    with ops.name_scope(name, "UnsortedSegmentSum", [data, segment_ids, num_segments]) as scope:
        data = ops.convert_to_tensor(data, name="data")
        segment_ids = ops.convert_to_tensor(segment_ids, name="segment_ids")
        if not isinstance(num_segments, ops.Tensor):  # a Tensor keeps its own index type (Tnumsegments)
            num_segments = ops.convert_to_tensor(
                num_segments, dtype=segment_ids.dtype.base_dtype, name="num_segments"
            )
        return make_tensor(
            "UnsortedSegmentSum",
            [data, segment_ids, num_segments],
            name=scope,
            attrs={
                "T": data.dtype.base_dtype,
                "Tindices": segment_ids.dtype.base_dtype,
                "Tnumsegments": num_segments.dtype.base_dtype,
            },
        )


def _gather_drop_negatives(params, ids):
    """``gather(params, ids)`` with zero rows where an id is negative (the rows the sum dropped)."""
    gathered = array_ops.gather(params, math_ops.maximum(ids, 0))
    keep = math_ops.greater_equal(ids, 0)
    # The mask gets shape ids.shape + [1] * (rank(gathered) - rank(ids)), so it broadcasts over rows.
    gd, idd = dims(gathered), dims(ids)
    if gd is not None and idd is not None:
        ones = np.ones([len(gd) - len(idd)], np.int32)
    else:
        extra = math_ops.subtract(array_ops.rank(gathered), array_ops.rank(ids))
        ones = array_ops.ones(array_ops.expand_dims(extra, 0), dtypes.int32)
    mask_shape = array_ops.concat([grad_util.shape(ids), ones], 0)
    keep = array_ops.reshape(keep, mask_shape)
    return array_ops.where_v2(keep, gathered, array_ops.zeros_like(gathered))


@register_gradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, grad):
    return [_gather_drop_negatives(grad, op.inputs[1]), None, None]

# --- Slice and StridedSlice -----------------------------------------------------------------------


def _infer_slice(op):
    # TF's shape function takes `size` as the output shape and leaves bounds to the kernel: slicing
    # past the end builds and fails when run ("Expected size[0] in [0, 2], but got 3").
    x, b, s = op.inputs
    d = dims(x)
    bv, sv = _const_value(b), _const_value(s)
    if sv is None:
        n = len(d) if d is not None else (s.shape[0].value if s.shape.ndims == 1 else None)
        return [(x.dtype.base_dtype, _ts.unknown_shape(n))]
    sv = [int(v) for v in sv.reshape(-1)]
    for si in sv:
        if si < -1:
            raise ValueError(f"Invalid value in tensor used for shape: {si}")
    bv = [None] * len(sv) if bv is None else [int(v) for v in bv.reshape(-1)]
    d = [None] * len(sv) if d is None else d
    out = [si if si != -1 else (None if di is None or bi is None else di - bi)
           for di, bi, si in zip(d, bv, sv, strict=True)]
    return [(x.dtype.base_dtype, shape(tuple(out)))]


def _slice_kernel(x, begin, size):
    idx = []
    for i, (b, s, n) in enumerate(zip(np.reshape(begin, -1), np.reshape(size, -1), np.shape(x), strict=True)):
        b, s = int(b), int(s)
        if not 0 <= b <= n:
            raise errors.InvalidArgumentError(None, None, f"Expected begin[{i}] in [0, {n}], but got {b}")
        if s == -1:
            s = n - b
        if not 0 <= s <= n - b:
            raise errors.InvalidArgumentError(None, None, f"Expected size[{i}] in [0, {n - b}], but got {s}")
        idx.append(_builtin_slice(b, b + s))
    return np.asarray(x)[tuple(idx)]


registry.register_op("Slice", infer=_infer_slice, kernel=_slice_kernel,
                     inputs=("input: T", "begin: Index", "size: Index"),
                     allowed={"Index": groups.INDEX_TYPES})


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's name
    """`size[i]` elements from `begin[i]` in each dimension (-1: to the end)."""
    with ops.name_scope(name, "Slice", [input_]) as scope:
        input_ = _convert(input_, name="input")
        b = begin if isinstance(begin, ops.Tensor) else _convert(begin, dtype=dtypes.int32, name="begin")
        s = size if isinstance(size, ops.Tensor) else _convert(size, dtype=b.dtype, name="size")
        return make_tensor(
            "Slice", [input_, b, s], name=scope, attrs={"T": input_.dtype.base_dtype, "Index": b.dtype}
        )


def _strided_index(begin, end, strides, attrs):
    """The numpy index tuple equivalent to StridedSlice's begin/end/strides and masks."""
    bm, em = attrs["begin_mask"], attrs["end_mask"]
    ellipsis, new_axis, shrink = attrs["ellipsis_mask"], attrs["new_axis_mask"], attrs["shrink_axis_mask"]
    index = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides, strict=True)):
        bit = 1 << i
        if ellipsis & bit:
            index.append(Ellipsis)
        elif new_axis & bit:
            index.append(None)
        elif shrink & bit:
            index.append(int(b))
        else:
            index.append(_builtin_slice(None if bm & bit else int(b), None if em & bit else int(e), int(s)))
    return tuple(index)


_STRIDED_ATTRS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _infer_strided_slice(op):
    x, b, e, s = op.inputs
    d = dims(x)
    bv, ev, sv = _const_value(b), _const_value(e), _const_value(s)
    if d is None or sv is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())]
    if bv is None or ev is None:
        return [(x.dtype.base_dtype, _strided_shape_unknown_bounds(d, sv.reshape(-1), op._attrs))]
    index = _strided_index(bv.reshape(-1), ev.reshape(-1), sv.reshape(-1), op._attrs)
    # Slice a zero-stride view twice with different stand-ins for unknown dims: output dims that
    # change with the stand-in depend on an unknown dim and stay unknown.
    results = []
    for stand_in in (1000003, 1000033):
        concrete = tuple(stand_in if di is None else di for di in d)
        try:
            results.append(np.broadcast_to(np.empty((), np.int8), concrete)[index].shape)
        except IndexError as err:
            raise shape_error(op, f"slice index out of bounds ({err})") from None
    out = tuple(a if a == bb else None for a, bb in zip(results[0], results[1], strict=True))
    return [(x.dtype.base_dtype, shape(out))]


def _strided_shape_unknown_bounds(d, strides, attrs):
    """StridedSlice's shape when begin or end is not a constant (TF's shape function then knows the
    masks and strides only): a shrunk axis goes, a new axis is 1, an axis whose begin and end are both
    masked keeps ceil(dim / |stride|), every other sliced axis is unknown (`x[i]` in a loop is a scalar)."""
    bm, em = attrs["begin_mask"], attrs["end_mask"]
    ellipsis, new_axis, shrink = attrs["ellipsis_mask"], attrs["new_axis_mask"], attrs["shrink_axis_mask"]
    spec = len(strides)
    consuming = sum(1 for i in range(spec) if not (ellipsis | new_axis) & (1 << i))
    out, axis = [], 0
    for i in range(spec):
        bit = 1 << i
        if ellipsis & bit:
            covered = max(len(d) - consuming, 0)
            out.extend(d[axis : axis + covered])
            axis += covered
        elif new_axis & bit:
            out.append(1)
        elif axis < len(d):
            if not shrink & bit:
                full = bm & bit and em & bit
                size = d[axis]
                out.append(-(-size // abs(int(strides[i]))) if full and size is not None else None)
            axis += 1
    if not ellipsis:  # the input's remaining axes, whole (TF's implicit trailing ellipsis)
        out.extend(d[axis:])
    return shape(tuple(out))


def _compile_strided_slice(op, runtime):
    attrs = {k: op._attrs[k] for k in _STRIDED_ATTRS}

    def kernel(x, begin, end, strides):
        index = _strided_index(np.reshape(begin, -1), np.reshape(end, -1), np.reshape(strides, -1), attrs)
        try:
            return np.asarray(x)[index]
        except IndexError:
            raise errors.InvalidArgumentError(None, None, "slice index out of bounds") from None

    return kernel


registry.register_op(
    "StridedSlice",
    infer=_infer_strided_slice,
    compile=_compile_strided_slice,
    attrs={k: 0 for k in _STRIDED_ATTRS},
    inputs=("input: T", "begin: Index", "end: Index", "strides: Index"),
    allowed={"Index": groups.INT16_INDEX_TYPES},
)


def strided_slice(
    input_,
    begin,
    end,
    strides=None,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
    var=None,
    name=None,
):
    """numpy-style strided slicing with TF's mask attrs (what `tensor[...]` builds)."""
    if strides is None:
        strides = ones_like(begin) if isinstance(begin, ops.Tensor) else [1] * len(begin)
    input_ = _convert(input_)
    b = begin if isinstance(begin, ops.Tensor) else _convert(begin, dtype=dtypes.int32)
    e = end if isinstance(end, ops.Tensor) else _convert(end, dtype=b.dtype)
    s = strides if isinstance(strides, ops.Tensor) else _convert(strides, dtype=b.dtype)
    return make_tensor(
        "StridedSlice",
        [input_, b, e, s],
        name=name or "StridedSlice",
        attrs={
            "T": input_.dtype.base_dtype,
            "Index": b.dtype,
            "begin_mask": begin_mask,
            "end_mask": end_mask,
            "ellipsis_mask": ellipsis_mask,
            "new_axis_mask": new_axis_mask,
            "shrink_axis_mask": shrink_axis_mask,
        },
    )


def _slice_helper(tensor, slice_spec, var=None):
    """`tensor[slice_spec]` as TF builds it: stacked begin/end/strides and a StridedSlice op."""
    if isinstance(slice_spec, (bool, np.bool_)) or (
        isinstance(slice_spec, ops.Tensor) and slice_spec.dtype == dtypes.bool
    ):
        raise TypeError(
            "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/"
            "tf.int64 tensors are valid indices, got " + repr(slice_spec)
        )
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    for index, s in enumerate(slice_spec):
        bit = 1 << index
        if isinstance(s, _builtin_slice):
            for part in (s.start, s.stop, s.step):
                if part is not None and not _is_index(part):
                    raise TypeError(
                        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                        f"tf.int32/tf.int64 tensors are valid indices, got {part!r}"
                    )
            if s.start is not None:
                begin.append(s.start)
            else:
                begin.append(0)
                begin_mask |= bit
            if s.stop is not None:
                end.append(s.stop)
            else:
                end.append(0)
                end_mask |= bit
            strides.append(s.step if s.step is not None else 1)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= bit
        else:
            if not _is_index(s):
                raise TypeError(
                    "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                    f"tf.int32/tf.int64 tensors are valid indices, got {s!r}"
                )
            begin.append(s)
            end.append(s + 1 if not isinstance(s, ops.Tensor) else s + 1)
            strides.append(1)
            shrink_axis_mask |= bit
    with ops.name_scope(None, "strided_slice", [tensor] + begin + end + strides) as scope:
        if begin:
            packed_begin, packed_end, packed_strides = stack(begin), stack(end), stack(strides)
            # As TF: an int64 bound makes all three int64 (StridedSlice takes one index type).
            packed = (packed_begin, packed_end, packed_strides)
            if any(t.dtype == dtypes.int64 for t in packed):
                packed_begin, packed_end, packed_strides = (
                    t if t.dtype == dtypes.int64 else array_ops.cast(t, dtypes.int64) for t in packed)
        else:
            empty = np.zeros([0], dtype=np.int32)
            packed_begin = packed_end = packed_strides = _convert(empty)
        return strided_slice(
            tensor,
            packed_begin,
            packed_end,
            packed_strides,
            begin_mask=begin_mask,
            end_mask=end_mask,
            shrink_axis_mask=shrink_axis_mask,
            new_axis_mask=new_axis_mask,
            ellipsis_mask=ellipsis_mask,
            var=var,
            name=scope,
        )


def _is_index(x):
    if isinstance(x, ops.Tensor):
        return x.dtype.base_dtype in (dtypes.int32, dtypes.int64)
    return isinstance(x, (numbers.Integral, _ts.Dimension)) and not isinstance(x, bool)


ops.Tensor.__getitem__ = _slice_helper


# --- StridedSliceGrad: what the StridedSlice gradient builds --------------------------------------


def _strided_slice_grad_compile(op, runtime):
    attrs = {k: op.get_attr(k) for k in _STRIDED_ATTRS}

    def kernel(shape, begin, end, strides, dy):
        out = np.zeros([int(d) for d in np.reshape(shape, -1)], dtype=np.asarray(dy).dtype)
        index = _strided_index(np.reshape(begin, -1), np.reshape(end, -1), np.reshape(strides, -1), attrs)
        out[index] = dy
        return out

    return kernel


def _strided_slice_grad_infer(op):
    return [(op.inputs[4].dtype.base_dtype, tensor_util.constant_value_as_shape(op.inputs[0]))]


registry.register_op("StridedSliceGrad", infer=_strided_slice_grad_infer, compile=_strided_slice_grad_compile,
                     attrs={k: 0 for k in _STRIDED_ATTRS},
                     inputs=("shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"),
                     allowed={"Index": groups.INDEX_TYPES})


def strided_slice_grad(shape, begin, end, strides, dy, name=None, **masks):
    attrs = {"T": dy.dtype.base_dtype, "Index": begin.dtype.base_dtype, **{k: int(masks.get(k, 0))
                                                                            for k in _STRIDED_ATTRS}}
    return make_tensor("StridedSliceGrad", [shape, begin, end, strides, dy],
                       name=name or "StridedSliceGrad", attrs=attrs)


# --- boolean_mask ---------------------------------------------------------------------------------


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """Elements of `tensor` where `mask` is true (built from Where, Squeeze and GatherV2). A mask of rank
    k > 1 covers `tensor`'s dimensions from `axis` on: those k dimensions are flattened into one first,
    as TF does (TF reshapes for a 1-D mask too; the engine leaves that Reshape out)."""
    with ops.name_scope(name, values=[tensor, mask]):
        tensor = ops.convert_to_tensor(tensor, name="tensor")
        mask = ops.convert_to_tensor(mask, name="mask")
        ndims_mask = mask.shape.ndims
        if ndims_mask is not None and ndims_mask > 1:
            start = axis or 0
            tensor.shape[start : start + ndims_mask].assert_is_compatible_with(mask.shape)
            shape = array_ops.shape_v1(tensor)
            leading = math_ops.reduce_prod(shape[start : start + ndims_mask], [0])
            tensor = array_ops.reshape(tensor, array_ops.concat(
                [shape[:start], array_ops.expand_dims(leading, 0), shape[start + ndims_mask :]], 0))
            mask = array_ops.reshape(mask, [-1])
        indices = array_ops.squeeze(array_ops.where(mask), axis=[1])
        return gather(tensor, indices, axis=axis or 0)


# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Slice")
def _slice_grad(op, grad):
    x, begin = op.inputs[0], op.inputs[1]
    xd, yd = grad_util.static_dims(x), grad_util.static_dims(op.outputs[0])
    b = tensor_util.constant_value(begin)
    if b is not None and xd is not None and yd is not None and None not in xd and None not in yd:
        b = [int(v) for v in np.asarray(b).reshape(-1)]
        paddings = [[bi, xi - bi - yi] for bi, xi, yi in zip(b, xd, yd, strict=True)]
        if all(p == [0, 0] for p in paddings):
            return [grad, None, None]
        return [array_ops.pad(grad, paddings), None, None]
    after = math_ops.subtract(math_ops.subtract(grad_util.shape(x), grad_util.shape(op.outputs[0])), begin)
    paddings = array_ops.stack([begin, after], axis=1)
    return [array_ops.pad(grad, paddings), None, None]


@register_gradient("GatherV2")
def _gather_grad(op, grad):
    """A gather along axis 0 gives TF's IndexedSlices: the incoming gradient reshaped to one row per index
    (``gradients/GatherV2_grad/Reshape``), the flattened indices (``Reshape_1``) and the params' shape
    (``Shape``, made beside the params).  Along another axis the gradient is dense (`_gather_grad_dense`)."""
    params, indices, axis_t = op.inputs
    if _const_value(axis_t) is None or int(np.reshape(_const_value(axis_t), -1)[0]) != 0:
        return [_gather_grad_dense(op, indexed_slices.to_tensor_no_warning(grad)), None, None]
    with ops.colocate_with(params):
        params_shape = array_ops.shape_v1(params)
    indices_size = array_ops.expand_dims(array_ops.size(indices), 0)
    values_shape = array_ops.concat([indices_size, params_shape[1:]], 0)
    values = array_ops.reshape(indexed_slices.to_tensor_no_warning(grad), values_shape)
    flat_indices = array_ops.reshape(indices, indices_size)
    set_row_shapes(values, flat_indices, indices, params.shape)
    return [indexed_slices.IndexedSlices(values, flat_indices, params_shape), None, None]


def set_row_shapes(values, flat_indices, indices, params_shape):
    """The static shapes TF's shape inference gives a gather gradient's rows (it evaluates the constant
    shape the reshape gets; the engine's does not): one row per index, each of params' row shape."""
    n = indices.shape.num_elements() if indices.shape.is_fully_defined() else None
    flat_indices.set_shape([n])
    if params_shape.ndims is not None:
        values.set_shape(_ts.TensorShape([n]).concatenate(params_shape[1:]))


def _gather_grad_dense(op, grad):
    """Dense gradient of a gather along a non-zero axis: the gradient rows summed into the rows they were
    gathered from (a one-hot MatMul when the shapes are static, else `_gather_grad_dynamic`)."""
    params, indices, axis_t = op.inputs
    axis = tensor_util.constant_value(axis_t)
    pd, idd = grad_util.static_dims(params), grad_util.static_dims(indices)
    if axis is None or pd is None or None in pd or idd is None or int(op.get_attr("batch_dims") or 0) != 0:
        return _gather_grad_dynamic(op, grad)
    axis = int(axis) % len(pd)
    n = pd[axis]
    perm = [axis] + [i for i in range(len(pd)) if i != axis]
    # grad has shape params[:axis] + indices.shape + params[axis+1:]; move the indices dims to the front.
    idx_rank = len(idd)
    g_rank = len(pd) - 1 + idx_rank
    idx_axes = list(range(axis, axis + idx_rank))
    g_perm = idx_axes + [i for i in range(g_rank) if i not in idx_axes]
    g = grad if g_perm == list(range(g_rank)) else array_ops.transpose(grad, g_perm)
    rest = [pd[i] for i in perm[1:]]
    flat_rest = int(np.prod(rest, dtype=np.int64)) if rest else 1
    g2 = array_ops.reshape(g, [-1, flat_rest])
    onehot = array_ops.one_hot(array_ops.reshape(indices, [-1]), n, dtype=grad.dtype.base_dtype)
    dense = math_ops.matmul(onehot, g2, transpose_a=True)
    dense = array_ops.reshape(dense, [n] + rest)
    if perm != list(range(len(pd))):
        dense = array_ops.transpose(dense, np.argsort(perm).astype(np.int32))
    return dense


def _gather_grad_dynamic(op, grad):
    """The gather gradient when the params' shape, the axis or `batch_dims` ask for run-time shapes.

    With P = shape(params), a = axis and b = batch_dims, grad has shape P[:a] + indices.shape[b:] +
    P[a+1:].  It is reshaped to P[:a] + [-1] + P[a+1:], the index axis moved to just after the batch
    axes, the batches flattened into the rows with each batch's indices offset by b * P[a], summed with
    ``UnsortedSegmentSum`` into B * P[a] rows, and put back into P's layout."""
    params, indices, axis_t = op.inputs
    pd, idd = grad_util.static_dims(params), grad_util.static_dims(indices)
    p_shape = grad_util.shape(params)
    rank = len(pd) if pd is not None else array_ops.size(p_shape)
    axis = tensor_util.constant_value(axis_t)
    if axis is not None and pd is not None:
        a = int(axis) % len(pd)
    else:
        a = math_ops.floormod(grad_util.as_int32(axis_t), rank)
    b = int(op.get_attr("batch_dims") or 0)
    if b < 0:
        b = b + len(idd) if idd is not None else math_ops.add(array_ops.rank(indices), b)

    def dims_of(start, limit):
        return array_ops.gather(p_shape, grad_util.iota(start, limit))

    a_plus_1 = a + 1 if isinstance(a, int) else math_ops.add(a, 1)
    a_vec = [a] if isinstance(a, int) else array_ops.reshape(a, [1])
    outer, inner = dims_of(0, a), dims_of(a_plus_1, rank)
    batch, mid = dims_of(0, b), dims_of(b, a)  # P[:b] and P[b:a]
    values = array_ops.reshape(grad, array_ops.concat([outer, [-1], inner], 0))
    iota = grad_util.iota
    perm = array_ops.concat([iota(0, b), a_vec, iota(b, a), iota(a_plus_1, rank)], 0)
    values = array_ops.transpose(values, perm)  # P[:b] + [M] + P[b:a] + P[a+1:]
    values = array_ops.reshape(values, array_ops.concat([[-1], mid, inner], 0))
    n = array_ops.gather(p_shape, a)
    ids = grad_util.as_int32(indices)
    if isinstance(b, int) and b == 0:
        ids, num_segments = array_ops.reshape(ids, [-1]), n
    else:
        num_batches = math_ops.reduce_prod(batch)
        offsets = math_ops.multiply(grad_util.iota(0, num_batches), n)
        ids = array_ops.reshape(ids, array_ops.stack([num_batches, -1]))
        ids = array_ops.reshape(math_ops.add(ids, array_ops.expand_dims(offsets, 1)), [-1])
        num_segments = math_ops.multiply(num_batches, n)
    dense = array_ops.unsorted_segment_sum(values, ids, num_segments)
    dense = array_ops.reshape(dense, array_ops.concat([batch, array_ops.reshape(n, [1]), mid, inner], 0))
    return array_ops.transpose(dense, array_ops.invert_permutation(perm))


@register_gradient("StridedSlice")
def _strided_slice_grad(op, grad):
    x, begin, end, strides = op.inputs
    attrs = {k: op.get_attr(k) for k in _STRIDED_ATTRS}
    return [strided_slice_grad(grad_util.shape(x), begin, end, strides, grad, **attrs),
            None, None, None]


@register_gradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    """StridedSliceGrad scatters `dy` into zeros; its gradient slices the same window back out."""
    _, begin, end, strides, _ = op.inputs
    attrs = {k: op.get_attr(k) for k in _STRIDED_ATTRS}
    return [None, None, None, None, strided_slice(grad, begin, end, strides, **attrs)]
