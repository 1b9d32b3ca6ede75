"""``tf.clip_by_norm``, ``tf.clip_by_global_norm``, ``tf.global_norm`` (TF 1.x semantics, built from
primitive ops so their gradients come for free)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.framework import ops
from engine.ops import array_ops, constant_op, math_ops, nn_loss_ops


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t * clip_norm / max(l2norm(t, axes), clip_norm)``; a zero `t` stays zero (no NaN)."""
    with ops.name_scope(name, "clip_by_norm", [t, clip_norm]) as name:
        t = ops.convert_to_tensor(t, name="t")
        l2sum = math_ops.reduce_sum(math_ops.multiply(t, t), axes, keepdims=True)
        pred = math_ops.greater(l2sum, array_ops.zeros_like(l2sum))
        l2sum_safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = array_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        clip = array_ops.cast(clip_norm, t.dtype.base_dtype)
        intermediate = math_ops.multiply(t, clip)
        return array_ops.identity(math_ops.truediv(intermediate, math_ops.maximum(l2norm, clip)), name=name)


def global_norm(t_list, name=None):
    """``sqrt(sum(l2norm(t) ** 2 for t in t_list))``, ignoring None entries."""
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    with ops.name_scope(name, "global_norm", [t for t in t_list if t is not None]) as name:
        values = [ops.convert_to_tensor(t, name=f"t_{i}") for i, t in enumerate(t_list) if t is not None]
        half_squared = [nn_loss_ops.l2_loss(v) for v in values]
        total = math_ops.reduce_sum(array_ops.stack(half_squared))
        two = constant_op.constant(2.0, dtype=total.dtype.base_dtype)
        return math_ops.sqrt(math_ops.multiply(total, two), name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor by ``clip_norm / max(global_norm, clip_norm)``; returns (clipped list, norm).

    An infinite or NaN global norm makes every clipped value NaN, as in TensorFlow."""
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    with ops.name_scope(name, "clip_by_global_norm", [t for t in t_list if t is not None]) as name:
        dtype = use_norm.dtype.base_dtype
        one = constant_op.constant(1.0, dtype=dtype)
        clip = array_ops.cast(clip_norm, dtype)
        scale_for_finite = math_ops.multiply(clip, math_ops.minimum(math_ops.truediv(one, use_norm),
                                                                    math_ops.truediv(one, clip)))
        # use_norm - use_norm is 0 for finite norms and NaN otherwise.
        scale = math_ops.add(scale_for_finite, math_ops.subtract(use_norm, use_norm))
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            t = ops.convert_to_tensor(t, name=f"t_{i}")
            clipped.append(array_ops.identity(math_ops.multiply(t, array_ops.cast(scale, t.dtype.base_dtype)),
                                              name=f"{name[:-1] if name.endswith('/') else name}_{i}"))
        return clipped, use_norm
