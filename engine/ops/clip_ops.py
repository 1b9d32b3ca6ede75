"""``tf.clip_by_norm``, ``tf.clip_by_global_norm``, ``tf.global_norm`` built as TF 2.21's `clip_ops` builds
them (the same ops and names: ``clip_by_norm/mul``, ``Greater/y``, ``clip_by_global_norm/truediv/x``), from
primitive ops so their gradients come for free.  An IndexedSlices is clipped (and counted in a norm) by
its values, as TF does: the rows of a repeated index count separately, not summed; the result is an
IndexedSlices of the clipped values."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.framework import ops
from engine.framework.indexed_slices import IndexedSlices
from engine.ops import array_ops, constant_op, math_ops, nn_loss_ops


def _values(t):
    return t.values if isinstance(t, IndexedSlices) else t


def _like(t, values):
    """`values` as what `t` was: an IndexedSlices with t's indices, or the Tensor itself."""
    return IndexedSlices(values, t.indices, t.dense_shape) if isinstance(t, IndexedSlices) else values


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t * clip_norm / max(l2norm(t, axes), clip_norm)``; a zero `t` stays zero (no NaN), a negative
    `clip_norm` counts as 0."""
    with ops.name_scope(name, "clip_by_norm", [t, clip_norm]) as name:
        values = ops.convert_to_tensor(_values(t), name="t")
        if np.isscalar(clip_norm):
            clip_norm = max(clip_norm, 0)
        else:
            clip_norm = array_ops.cast(math_ops.maximum(clip_norm, 0), dtype=values.dtype.base_dtype)
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        pred = l2sum > 0
        l2sum_safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = array_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        values.shape.assert_is_compatible_with(intermediate.shape)
        clipped = array_ops.identity(intermediate / math_ops.maximum(l2norm, clip_norm), name=name)
        return _like(t, clipped)


def global_norm(t_list, name=None):
    """``sqrt(sum(l2norm(t) ** 2 for t in t_list))``, ignoring None entries."""
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    with ops.name_scope(name, "global_norm", [t for t in t_list if t is not None]) as name:
        values = [ops.convert_to_tensor(_values(t), name=f"t_{i}")
                  for i, t in enumerate(t_list) if t is not None]
        half_squared = []
        for v in values:
            with ops.colocate_with(v):
                half_squared.append(nn_loss_ops.l2_loss(v))
        total = math_ops.reduce_sum(array_ops.stack(half_squared))
        two = constant_op.constant(2.0, dtype=total.dtype.base_dtype)
        return math_ops.sqrt(total * two, name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor by ``clip_norm / max(global_norm, clip_norm)``; returns (clipped list, norm).

    An infinite or NaN global norm makes every clipped value NaN, as in TensorFlow."""
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    inputs = [t for t in t_list if t is not None] + [clip_norm]
    with ops.name_scope(name, "clip_by_global_norm", inputs) as name:
        scale_for_finite = clip_norm * math_ops.minimum(
            1.0 / use_norm, constant_op.constant(1.0, dtype=use_norm.dtype.base_dtype) / clip_norm)
        # use_norm - use_norm is 0 for finite norms and NaN otherwise.
        scale = scale_for_finite + (use_norm - use_norm)
        values = [None if t is None else ops.convert_to_tensor(_values(t), name=f"t_{i}")
                  for i, t in enumerate(t_list)]
        clipped = []
        for i, (t, v) in enumerate(zip(t_list, values, strict=True)):
            if v is None:
                clipped.append(None)
                continue
            with ops.colocate_with(v):
                c = array_ops.identity(v * array_ops.cast(scale, v.dtype.base_dtype), name=f"{name}_{i}")
            clipped.append(_like(t, c))
        return clipped, use_norm
