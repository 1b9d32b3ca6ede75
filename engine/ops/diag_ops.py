"""Diagonals of tensors of any even rank: Diag (``tf.diag``, ``tf.linalg.tensor_diag``) and DiagPart
(``tf.diag_part``, ``tf.linalg.tensor_diag_part``), each the other's gradient; and Cross (``tf.cross``,
``tf.linalg.cross``, the 3-vector product). Kernels, shape rules, registrations, wrappers, gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops.op_util import broadcast_dims, dims, make_tensor, shape, shape_error

_DIAG_TYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "complex64", "complex128")
_CROSS_TYPES = (
    "float32",
    "float64",
    "int32",
    "uint8",
    "int16",
    "int8",
    "int64",
    "bfloat16",
    "uint16",
    "float16",
    "uint32",
    "uint64",
)


def _diag_kernel(diagonal):
    """out[i1..ik, i1..ik] = diagonal[i1..ik], zeros elsewhere."""
    d = np.asarray(diagonal)
    flat = np.diag(d.reshape(-1))
    return flat.reshape(d.shape + d.shape)


def _diag_part_kernel(x):
    x = np.asarray(x)
    half = x.shape[: x.ndim // 2]
    n = int(np.prod(half, dtype=np.int64))
    return np.ascontiguousarray(np.diagonal(x.reshape(n, n))).reshape(half)


def _infer_diag(op):
    x = op.inputs[0]
    d = dims(x)
    return [(x.dtype.base_dtype, _ts.unknown_shape() if d is None else shape(d + d))]


def _infer_diag_part(op):
    x = op.inputs[0]
    d = dims(x)
    if d is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape())]
    if len(d) % 2:
        raise shape_error(op, f"Input must have even rank <= 6, input rank is {len(d)}")
    half = len(d) // 2
    out = []
    for a, b in zip(d[:half], d[half:], strict=True):
        if a is not None and b is not None and a != b:
            raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
        out.append(a if a is not None else b)
    return [(x.dtype.base_dtype, shape(tuple(out)))]


registry.register_op(
    "Diag",
    infer=_infer_diag,
    kernel=_diag_kernel,
    fresh=True,
    inputs=("diagonal: T",),
    allowed={"T": _DIAG_TYPES},
)
registry.register_op(
    "DiagPart",
    infer=_infer_diag_part,
    kernel=_diag_part_kernel,
    fresh=True,
    inputs=("input: T",),
    allowed={"T": _DIAG_TYPES},
)


def diag(diagonal, name=None):
    """``tf.diag`` / ``tf.linalg.tensor_diag``: the tensor of twice the rank with `diagonal` on its
    diagonal."""
    x = ops.convert_to_tensor(diagonal, name="diagonal")
    return make_tensor("Diag", [x], name=name or "Diag", attrs={"T": x.dtype.base_dtype})


def diag_part(input, name=None):  # noqa: A002 - TF's argument name
    """``tf.diag_part`` / ``tf.linalg.tensor_diag_part``: the diagonal of an even-rank tensor."""
    x = ops.convert_to_tensor(input, name="input")
    return make_tensor("DiagPart", [x], name=name or "DiagPart", attrs={"T": x.dtype.base_dtype})


@register_gradient("Diag")
def _diag_grad(_, grad):
    return [diag_part(grad)]


@register_gradient("DiagPart")
def _diag_part_grad(_, grad):
    return [diag(grad)]


def _infer_cross(op):
    a, b = op.inputs
    da, db = dims(a), dims(b)
    for d in (da, db):
        if d is not None and (not d or (d[-1] is not None and d[-1] != 3)):
            raise shape_error(
                op,
                f"Dimension must be 3 but is {d[-1]}" if d else "Shape must be at least rank 1 but is rank 0",
            )
    if da is None or db is None:
        return [(a.dtype.base_dtype, _ts.unknown_shape())]
    if len(da) != len(db):
        raise shape_error(op, f"Shapes must be equal rank, but are {len(da)} and {len(db)}")
    return [(a.dtype.base_dtype, shape(broadcast_dims(op, da, db)))]


registry.register_op(
    "Cross",
    infer=_infer_cross,
    kernel=lambda a, b: np.cross(np.asarray(a), np.asarray(b)),
    fresh=True,
    inputs=("a: T", "b: T"),
    allowed={"T": _CROSS_TYPES},
)


def cross(a, b, name=None):
    """``tf.cross`` / ``tf.linalg.cross``: the vector product of the 3-vectors in the last dimension."""
    a = ops.convert_to_tensor(a, name="a")
    b = ops.convert_to_tensor(b, dtype=a.dtype.base_dtype, name="b")
    return make_tensor("Cross", [a, b], name=name or "Cross", attrs={"T": a.dtype.base_dtype})


@register_gradient("Cross")
def _cross_grad(op, grad):
    """d(a x b) = da x b + a x db, so a gets b x grad and b gets grad x a (TF's _CrossGrad)."""
    a, b = op.inputs
    return [cross(b, grad), cross(grad, a)]
