"""ReverseV2 (`tf.reverse`, `tf.reverse_v2`): kernel, shape rule, registration, wrapper and gradient."""

from __future__ import annotations

import numpy as np

from engine.framework import errors, ops, registry
from engine.framework.registry import register_gradient
from engine.ops.op_util import infer_same, make_tensor

_REVERSE_TYPES = (
    "uint8",
    "int8",
    "uint16",
    "int16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "bool",
    "bfloat16",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "string",
)


def _reverse_kernel(tensor, axis):
    tensor = np.asarray(tensor)
    axes = [int(a) for a in np.asarray(axis).reshape(-1)]
    rank = tensor.ndim
    seen = set()
    for a in axes:
        if not -rank <= a < rank:
            raise errors.InvalidArgumentError(
                None, None, f"'axis'[{axes.index(a)}] = {a} is out of valid range [0, {rank - 1}]"
            )
        if a % rank in seen:
            raise errors.InvalidArgumentError(None, None, f"axis {a % rank} specified more than once.")
        seen.add(a % rank)
    return np.flip(tensor, tuple(seen)).copy() if seen else tensor.copy()


registry.register_op(
    "ReverseV2",
    infer=infer_same,
    kernel=_reverse_kernel,
    fresh=True,
    inputs=("tensor: T", "axis: Tidx"),
    allowed={"Tidx": ("int32", "int64"), "T": _REVERSE_TYPES},
)


def reverse(tensor, axis, name=None):
    """``tf.reverse``: `tensor` with the listed axes reversed."""
    with ops.name_scope(name, "ReverseV2", [tensor, axis]) as scope:
        tensor = ops.convert_to_tensor(tensor, name="tensor")
        axis_t = ops.convert_to_tensor(axis, name="axis")
        return make_tensor(
            "ReverseV2",
            [tensor, axis_t],
            name=scope,
            attrs={"T": tensor.dtype.base_dtype, "Tidx": axis_t.dtype.base_dtype},
        )


@register_gradient("ReverseV2")
def _reverse_grad(op, grad):
    return [reverse(grad, op.inputs[1]), None]
