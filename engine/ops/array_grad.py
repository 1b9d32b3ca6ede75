"""Gradients of the array ops (TensorFlow's ``python/ops/array_grad.py`` layout)."""

from __future__ import annotations

import numpy as np

from engine.framework import tensor_util
from engine.framework.registry import register_gradient, register_not_differentiable, registered_gradients
from engine.ops import array_ops, backprop_ops, grad_util, math_ops
from engine.ops.math_grad import _Inputs, unbroadcast


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
    return [array_ops.transpose(grad, array_ops.invert_permutation(op.inputs[1])), None]


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
    axis = tensor_util.constant_value(axis_t)
    if axis is None:
        raise NotImplementedError("ConcatV2 gradient needs a constant axis")
    rank = _dims(op.outputs[0])
    axis = int(axis) % len(rank) if rank is not None else int(axis)
    if len(values) == 1:
        return [grad, None]
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
    pairs = array_ops.transpose(array_ops.stack([multiples, grad_util.shape(x)]))
    split_shape = array_ops.reshape(pairs, [-1])
    rank = len(xd) if xd is not None else None
    if rank is None:
        raise NotImplementedError("Tile gradient needs a static rank")
    g = math_ops.reduce_sum(array_ops.reshape(grad, split_shape), list(range(0, 2 * rank, 2)))
    return [g, None]


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
    """Dense gradient of a gather: ``one_hot(indices)^T @ grad`` along the gathered axis.

    Deviation: TensorFlow returns ``IndexedSlices``; the engine has no sparse gradients, so the gradient
    is a dense tensor of the params' shape (optimizers then update every row)."""
    params, indices, axis_t = op.inputs
    axis = tensor_util.constant_value(axis_t)
    pd = _dims(params)
    if axis is None or pd is None or None in pd or int(op.get_attr("batch_dims") or 0) != 0:
        raise NotImplementedError("GatherV2 gradient needs static params shape, constant axis, batch_dims=0")
    axis = int(axis) % len(pd)
    n = pd[axis]
    perm = [axis] + [i for i in range(len(pd)) if i != axis]
    # grad has shape params[:axis] + indices.shape + params[axis+1:]; move the indices dims to the front.
    idx_rank = len(_dims(indices))
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

    return [None] + unbroadcast(_Inputs(op.inputs[1], op.inputs[2]), gx, gy)


@register_gradient("Fill")
def _fill_grad(op, grad):
    return [None, math_ops.reduce_sum(grad)]


@register_gradient("BroadcastTo")
def _broadcast_to_grad(op, grad):
    return [unbroadcast(_Inputs(op.inputs[0], op.outputs[0]), grad, None)[0], None]


for _t in ("StopGradient", "Shape", "ShapeN", "Size", "Rank", "OneHot", "ZerosLike", "OnesLike",
           "Const", "Placeholder", "InvertPermutation", "Where", "Unique", "StridedSliceGrad"):
    if _t not in registered_gradients():  # an op module may already have declared it
        register_not_differentiable(_t)


def _diag_part(x):
    """The main diagonal of the last two (square) dims, built from primitives."""
    n = _dims(x)[-1]
    eye = np.eye(n, dtype=x.dtype.base_dtype.as_numpy_dtype)
    return math_ops.reduce_sum(math_ops.multiply(x, eye), -1)


@register_gradient("MatrixDiag")
def _matrix_diag_grad(op, grad):
    return [_diag_part(grad)]


@register_gradient("MatrixSetDiag")
def _matrix_set_diag_grad(op, grad):
    n = _dims(grad)[-1]
    off = 1 - np.eye(n, dtype=grad.dtype.base_dtype.as_numpy_dtype)
    return [math_ops.multiply(grad, off), _diag_part(grad)]


# MirrorPad's gradient needs TF's MirrorPadGrad op, which is not implemented yet.
if "MirrorPad" not in registered_gradients():
    register_not_differentiable("MirrorPad")
