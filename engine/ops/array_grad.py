"""Gradients of the array ops (TensorFlow's ``python/ops/array_grad.py`` layout)."""

from __future__ import annotations

import numpy as np

from engine.framework import tensor_util
from engine.framework.registry import register_gradient, register_not_differentiable, registered_gradients
from engine.ops import array_grad_ops, array_ops, backprop_ops, grad_util, math_ops
from engine.ops.grad_util import Inputs, unbroadcast


def _dims(t):
    return t.shape._as_tuple()


def _shape_of(x):
    """x's shape as a Python list when static, else a Shape tensor."""
    d = _dims(x)
    if d is not None and None not in d:
        return list(d)
    return grad_util.shape(x)


@register_gradient("Identity")
def _identity_grad(op, grad):
    return [grad]


register_gradient("Snapshot")(_identity_grad)


@register_gradient("PlaceholderWithDefault")
def _placeholder_with_default_grad(op, grad):
    return [grad]


@register_gradient("Reshape")
def _reshape_grad(op, grad):
    d = _dims(op.inputs[0])
    if d is not None and d.count(None) == 1 and 0 not in d:
        # One unknown dim: a -1 wildcard instead of a run-time Shape op (as TF does).
        return [array_ops.reshape(grad, [-1 if x is None else x for x in d]), None]
    return [array_ops.reshape(grad, _shape_of(op.inputs[0])), None]


@register_gradient("ExpandDims")
def _expand_dims_grad(op, grad):
    return [array_ops.reshape(grad, _shape_of(op.inputs[0])), None]


@register_gradient("Squeeze")
def _squeeze_grad(op, grad):
    return [array_ops.reshape(grad, _shape_of(op.inputs[0]))]


@register_gradient("Transpose")
def _transpose_grad(op, grad):
    perm = tensor_util.constant_value(op.inputs[1])
    if perm is not None:
        inverse = np.argsort(np.asarray(perm).reshape(-1)).astype(np.int32)
        return [array_ops.transpose(grad, inverse), None]
    return [array_ops.transpose(grad, array_grad_ops.invert_permutation(op.inputs[1])), None]


def _concat_sizes(values, axis):
    """Sizes along `axis` of each input: a Python list when all are static, else a tensor."""
    sizes = []
    for v in values:
        d = _dims(v)
        if d is None or d[axis] is None:
            break
        sizes.append(d[axis])
    else:
        return sizes
    return array_ops.stack([grad_util.shape(v)[axis] for v in values])


@register_gradient("ConcatV2")
def _concat_grad(op, grad):
    values, axis_t = op.inputs[:-1], op.inputs[-1]
    if len(values) == 1:
        return [grad, None]
    axis = tensor_util.constant_value(axis_t)
    if axis is None:
        # The axis is fed at run time: gather each input's size along it and split there.
        axis = math_ops.floormod(grad_util.as_int32(axis_t), array_ops.rank(values[0]))
        sizes = array_ops.stack([array_ops.gather(grad_util.shape(v), axis) for v in values])
        return list(array_ops.split(grad, sizes, axis=axis, num=len(values))) + [None]
    rank = _dims(op.outputs[0])
    axis = int(axis) % len(rank) if rank is not None else int(axis)
    pieces = array_ops.split(grad, _concat_sizes(values, axis), axis=axis)
    return list(pieces) + [None]


@register_gradient("Pack")
def _pack_grad(op, grad):
    return array_ops.unstack(grad, num=len(op.inputs), axis=op.get_attr("axis"))


@register_gradient("Unpack")
def _unpack_grad(op, *grads):
    filled = [g if g is not None else array_ops.zeros_like(t) for g, t in zip(grads, op.outputs, strict=True)]
    return [array_ops.stack(filled, axis=op.get_attr("axis"))]


def _fill_split_grads(op, grads):
    return [g if g is not None else array_ops.zeros_like(t) for g, t in zip(grads, op.outputs, strict=True)]


@register_gradient("Split")
def _split_grad(op, *grads):
    return [None, array_ops.concat(_fill_split_grads(op, grads), op.inputs[0])]


@register_gradient("SplitV")
def _split_v_grad(op, *grads):
    return [array_ops.concat(_fill_split_grads(op, grads), op.inputs[2]), None, None]


@register_gradient("Tile")
def _tile_grad(op, grad):
    x, multiples = op.inputs
    xd = _dims(x)
    m = tensor_util.constant_value(multiples)
    if xd is not None and m is not None and None not in xd:
        m = [int(v) for v in np.asarray(m).reshape(-1)]
        split = [v for pair in zip(m, xd, strict=True) for v in pair]
        axes = list(range(0, 2 * len(xd), 2))
        return [math_ops.reduce_sum(array_ops.reshape(grad, split), axes), None]
    # grad reshaped to [m0, d0, m1, d1, ...] and summed over the multiples' axes 0, 2, 4, ...
    input_shape = grad_util.shape(x)
    if input_shape.dtype.base_dtype != multiples.dtype.base_dtype:
        input_shape = array_ops.cast(input_shape, multiples.dtype.base_dtype)
    split_shape = array_ops.reshape(array_ops.transpose(array_ops.stack([multiples, input_shape])), [-1])
    if xd is not None:
        axes = list(range(0, 2 * len(xd), 2))
    else:
        axes = math_ops.range(0, array_ops.size(split_shape), 2)
    return [math_ops.reduce_sum(array_ops.reshape(grad, split_shape), axes), None]


@register_gradient("Pad")
def _pad_grad(op, grad):
    x, paddings = op.inputs[0], op.inputs[1]
    p = tensor_util.constant_value(paddings)
    if p is not None:
        begin = [int(v) for v in np.asarray(p)[:, 0]]
    else:
        begin = array_ops.reshape(array_ops.slice(paddings, [0, 0], [-1, 1]), [-1])
    g = array_ops.slice(grad, begin, _shape_of(x))
    return [g, None] + [None] * (len(op.inputs) - 2)


register_gradient("PadV2")(_pad_grad)


@register_gradient("Slice")
def _slice_grad(op, grad):
    x, begin = op.inputs[0], op.inputs[1]
    xd, yd = _dims(x), _dims(op.outputs[0])
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
    """Dense gradient of a gather: the gradient rows summed into the rows they were gathered from.

    Deviation: TensorFlow returns ``IndexedSlices``; the engine has no sparse gradients, so the gradient
    is a dense tensor of the params' shape (optimizers then update every row)."""
    params, indices, axis_t = op.inputs
    axis = tensor_util.constant_value(axis_t)
    pd, idd = _dims(params), _dims(indices)
    if axis is None or pd is None or None in pd or idd is None or int(op.get_attr("batch_dims") or 0) != 0:
        return [_gather_grad_dynamic(op, grad), None, None]
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
    return [dense, None, None]


def _gather_grad_dynamic(op, grad):
    """The gather gradient when the params' shape, the axis or `batch_dims` ask for run-time shapes.

    With P = shape(params), a = axis and b = batch_dims, grad has shape P[:a] + indices.shape[b:] +
    P[a+1:].  It is reshaped to P[:a] + [-1] + P[a+1:], the index axis moved to just after the batch
    axes, the batches flattened into the rows with each batch's indices offset by b * P[a], summed with
    ``UnsortedSegmentSum`` into B * P[a] rows, and put back into P's layout."""
    params, indices, axis_t = op.inputs
    pd, idd = _dims(params), _dims(indices)
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
    dense = array_grad_ops.unsorted_segment_sum(values, ids, num_segments)
    dense = array_ops.reshape(dense, array_ops.concat([batch, array_ops.reshape(n, [1]), mid, inner], 0))
    return array_ops.transpose(dense, array_grad_ops.invert_permutation(perm))


@register_gradient("StridedSlice")
def _strided_slice_grad(op, grad):
    x, begin, end, strides = op.inputs
    attrs = {k: op.get_attr(k) for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                          "shrink_axis_mask")}
    return [backprop_ops.strided_slice_grad(grad_util.shape(x), begin, end, strides, grad, **attrs),
            None, None, None]


@register_gradient("Select")
def _select_grad(op, grad):
    cond = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    return [None, array_ops.where(cond, grad, zeros), array_ops.where(cond, zeros, grad)]


@register_gradient("SelectV2")
def _select_v2_grad(op, grad):
    cond = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    gx = array_ops.where_v2(cond, grad, zeros)
    gy = array_ops.where_v2(cond, zeros, grad)

    return [None] + unbroadcast(Inputs(op.inputs[1], op.inputs[2]), gx, gy)


@register_gradient("Fill")
def _fill_grad(op, grad):
    return [None, math_ops.reduce_sum(grad)]


@register_gradient("BroadcastTo")
def _broadcast_to_grad(op, grad):
    return [unbroadcast(Inputs(op.inputs[0], op.outputs[0]), grad, None)[0], None]


for _t in ("StopGradient", "Shape", "ShapeN", "Size", "Rank", "OneHot", "ZerosLike", "OnesLike",
           "BroadcastGradientArgs",
           "Const", "Placeholder", "InvertPermutation", "Where", "Unique", "StridedSliceGrad"):
    if _t not in registered_gradients():  # an op module may already have declared it
        register_not_differentiable(_t)


def _eye_like(x):
    """The identity matrix matching x's last dim: a Const when that dim is static, else built at run time
    (``Range``/``Equal``/``Cast``)."""
    n = _dims(x)[-1] if _dims(x) is not None else None
    dtype = x.dtype.base_dtype
    if n is not None:
        return np.eye(n, dtype=dtype.as_numpy_dtype)
    positions = grad_util.iota(0, array_ops.gather(grad_util.shape(x), array_ops.rank(x) - 1))
    same = math_ops.equal(array_ops.expand_dims(positions, 1), array_ops.expand_dims(positions, 0))
    return array_ops.cast(same, dtype)


def _diag_part(x):
    """The main diagonal of the last two (square) dims, built from primitives."""
    return math_ops.reduce_sum(math_ops.multiply(x, _eye_like(x)), -1)


@register_gradient("MatrixDiag")
def _matrix_diag_grad(op, grad):
    return [_diag_part(grad)]


@register_gradient("MatrixSetDiag")
def _matrix_set_diag_grad(op, grad):
    eye = _eye_like(grad)
    off = 1 - eye if isinstance(eye, np.ndarray) else math_ops.subtract(array_ops.ones_like(eye), eye)
    return [math_ops.multiply(grad, off), _diag_part(grad)]


# MirrorPad's gradient needs TF's MirrorPadGrad op, which is not implemented yet.
if "MirrorPad" not in registered_gradients():
    register_not_differentiable("MirrorPad")


@register_gradient("Cast")
def _cast_grad(op, grad):
    src = op.inputs[0].dtype.base_dtype
    if src.is_floating and grad.dtype.base_dtype.is_floating:
        return [array_ops.cast(grad, src)]
    return [None]

