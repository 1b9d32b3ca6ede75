"""SpaceToBatchND and BatchToSpaceND (``tf.space_to_batch_nd``, ``tf.batch_to_space_nd``, ``tf.manip.*``):
blocks of the spatial dimensions moved into the batch dimension and back. Kernels on numpy reshapes and
transposes in TF's order (block offsets outermost in the batch), TF's shape rule and errors, and the
gradients, each op's being the other."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops.op_util import dims, make_tensor, merge_dims, shape_error


def _check_blocks(block_shape):
    for i, b in enumerate(block_shape):
        if b < 1:
            raise errors.InvalidArgumentError(
                None, None, f"All values in block_shape must be positive, got value, {b} at index {i}.")


def _space_to_batch_kernel(x, block_shape, paddings):
    x = np.asarray(x)
    block = [int(b) for b in np.reshape(block_shape, -1)]
    pads = np.reshape(paddings, (-1, 2)).astype(np.int64)
    _check_blocks(block)
    if (pads < 0).any():
        raise errors.InvalidArgumentError(None, None, "Paddings must be non-negative")
    m = len(block)
    padded = np.pad(x, [(0, 0), *[tuple(p) for p in pads], *[(0, 0)] * (x.ndim - 1 - m)])
    spatial = padded.shape[1:1 + m]
    for i, (s, b) in enumerate(zip(spatial, block, strict=True)):
        if s % b:
            raise errors.InvalidArgumentError(
                None, None, f"padded_shape[{i}]={s} is not divisible by block_shape[{i}]={b}")
    # [batch, s1/b1, b1, ..., sM/bM, bM, rest...] -> [b1, ..., bM, batch, s1/b1, ..., sM/bM, rest...]
    split = [padded.shape[0]] + [d for s, b in zip(spatial, block, strict=True) for d in (s // b, b)]
    rest = list(padded.shape[1 + m:])
    blocked = padded.reshape(split + rest)
    order = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    order += range(1 + 2 * m, blocked.ndim)
    out_shape = [padded.shape[0] * int(np.prod(block))]
    out_shape += [s // b for s, b in zip(spatial, block, strict=True)]
    return np.ascontiguousarray(blocked.transpose(order)).reshape(out_shape + rest)


def _batch_to_space_kernel(x, block_shape, crops):
    x = np.asarray(x)
    block = [int(b) for b in np.reshape(block_shape, -1)]
    crop = np.reshape(crops, (-1, 2)).astype(np.int64)
    _check_blocks(block)
    if (crop < 0).any():
        raise errors.InvalidArgumentError(None, None, "Crops must be non-negative")
    m, prod = len(block), int(np.prod(block))
    if x.shape[0] % prod:
        raise errors.InvalidArgumentError(
            None, None,
            f"Input batch dimension ({x.shape[0]}) is not divisible by product of block sizes ({prod})")
    spatial, rest = list(x.shape[1:1 + m]), list(x.shape[1 + m:])
    for i, (s, b) in enumerate(zip(spatial, block, strict=True)):
        cropped = s * b - crop[i, 0] - crop[i, 1]
        if cropped < 0:
            raise errors.InvalidArgumentError(
                None, None, f"cropped_shape[{i}]={cropped} must be non-negative")
    # [b1, ..., bM, batch, s1, ..., sM, rest...] -> [batch, s1, b1, ..., sM, bM, rest...]
    blocked = x.reshape(block + [x.shape[0] // prod] + spatial + rest)
    order = [m] + [d for i in range(m) for d in (m + 1 + i, i)] + list(range(1 + 2 * m, blocked.ndim))
    full_spatial = [s * b for s, b in zip(spatial, block, strict=True)]
    full = blocked.transpose(order).reshape([x.shape[0] // prod] + full_spatial + rest)
    index = (slice(None), *[slice(int(c0), full.shape[1 + i] - int(c1)) for i, (c0, c1) in enumerate(crop)])
    return np.ascontiguousarray(full[index])


def _infer(op, to_batch):
    x, block_t, pads_t = op.inputs
    db, dp = dims(block_t), dims(pads_t)
    if db is not None and len(db) != 1:
        raise shape_error(op, "block_shape must have rank 1.")
    if dp is not None and len(dp) != 2:
        raise shape_error(op, f"Shape must be rank 2 but is rank {len(dp)}")
    m = db[0] if db is not None else None
    if dp is not None:
        m = merge_dims(op, dp, (m, 2))[0]
    dtype = x.dtype.base_dtype
    d = dims(x)
    if d is None:
        return [(dtype, _ts.unknown_shape())]
    if m is not None and len(d) < m + 1:
        raise shape_error(op, f"Shape must be at least rank {m + 1} but is rank {len(d)}")
    block, pads = tensor_util.constant_value(block_t), tensor_util.constant_value(pads_t)
    if block is None or pads is None:
        if m is None:
            return [(dtype, _ts.unknown_shape(len(d)))]
        return [(dtype, _ts.TensorShape([None] * (m + 1) + list(d[m + 1:])))]
    block = [int(b) for b in np.reshape(block, -1)]
    pads = np.reshape(pads, (-1, 2)).astype(np.int64)
    computed = {1: np.asarray(tensor_util.constant_value(block_t)),
                2: np.asarray(tensor_util.constant_value(pads_t))}
    if any(b < 1 for b in block):
        raise shape_error(op, "block_shape must be positive", computed)
    if (pads < 0).any():
        raise shape_error(op, ("paddings" if to_batch else "crops") + " cannot be negative", computed)
    out = []
    if to_batch:
        out.append(None if d[0] is None else d[0] * int(np.prod(block)))
        for i, b in enumerate(block):
            s = d[1 + i]
            if s is not None:
                s += int(pads[i].sum())
                if s % b:
                    raise shape_error(op, f"Dimension size must be evenly divisible by {b} but is {s}",
                                      computed)
                s //= b
            out.append(s)
    else:
        batch = d[0]
        for b in block if batch is not None else ():  # TF divides by one block size at a time
            if batch % b:
                raise shape_error(op, f"Dimension size must be evenly divisible by {b} but is {batch}",
                                  computed)
            batch //= b
        out.append(batch)
        for i, b in enumerate(block):
            s = d[1 + i]
            if s is not None:
                s, cut = s * b, int(pads[i].sum())
                if cut > s:
                    raise shape_error(op, f"Negative dimension size caused by subtracting {cut} from {s}",
                                      computed)
                s -= cut
            out.append(s)
    return [(dtype, _ts.TensorShape(out + list(d[1 + len(block):])))]


registry.register_op("SpaceToBatchND", infer=lambda op: _infer(op, True), kernel=_space_to_batch_kernel,
                     fresh=True, inputs=("input: T", "block_shape: Tblock_shape", "paddings: Tpaddings"),
                     allowed={"Tblock_shape": groups.INDEX_TYPES, "Tpaddings": groups.INDEX_TYPES})
registry.register_op("BatchToSpaceND", infer=lambda op: _infer(op, False), kernel=_batch_to_space_kernel,
                     fresh=True, inputs=("input: T", "block_shape: Tblock_shape", "crops: Tcrops"),
                     allowed={"Tblock_shape": groups.INDEX_TYPES, "Tcrops": groups.INDEX_TYPES})


def _build(op_type, third, input, block_shape, amounts, name):  # noqa: A002 - TF's argument name
    with ops.name_scope(name, op_type, [input, block_shape, amounts]) as scope:
        x = ops.convert_to_tensor(input, name="input")
        block = ops.convert_to_tensor(block_shape, name="block_shape")
        amounts = ops.convert_to_tensor(amounts, name=third)
        attrs = {"T": x.dtype.base_dtype, "Tblock_shape": block.dtype.base_dtype,
                 "T" + third: amounts.dtype.base_dtype}
        return make_tensor(op_type, [x, block, amounts], name=scope, attrs=attrs)


def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002 - TF's argument name
    """``tf.space_to_batch_nd``: the spatial dimensions zero-padded by `paddings` and cut into blocks of
    `block_shape`, each block offset becoming a slice of the batch dimension."""
    return _build("SpaceToBatchND", "paddings", input, block_shape, paddings, name)


def batch_to_space_nd(input, block_shape, crops, name=None):  # noqa: A002 - TF's argument name
    """``tf.batch_to_space_nd``: the inverse of ``space_to_batch_nd``, cropped by `crops`."""
    return _build("BatchToSpaceND", "crops", input, block_shape, crops, name)


@register_gradient("SpaceToBatchND")
def _space_to_batch_grad(op, grad):
    return [batch_to_space_nd(grad, op.inputs[1], op.inputs[2]), None, None]


@register_gradient("BatchToSpaceND")
def _batch_to_space_grad(op, grad):
    return [space_to_batch_nd(grad, op.inputs[1], op.inputs[2]), None, None]
