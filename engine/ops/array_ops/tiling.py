"""Tile, Pad, PadV2 and MirrorPad: kernels, shape rules, wrappers and gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtype_groups as groups
from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, constant_op, grad_util, math_ops
from engine.ops.op_util import dims, make_tensor, shape, shape_error

constant = constant_op.constant
_convert = ops.convert_to_tensor
_const_value = tensor_util.constant_value


def _infer_tile(op):
    x, m = op.inputs
    d = dims(x)
    mv = _const_value(m)
    if d is None:
        n = m.shape[0].value if m.shape.ndims == 1 else None
        return [(x.dtype.base_dtype, _ts.unknown_shape(n))]
    if mv is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(len(d)))]
    mv = [int(v) for v in mv.reshape(-1)]
    if len(mv) != len(d):
        raise shape_error(op, f"Shape must be rank {len(d)} but is rank {len(mv)}")
    return [
        (x.dtype.base_dtype, shape(tuple(None if a is None else a * b for a, b in zip(d, mv, strict=True))))
    ]


def _tile_kernel(x, multiples):
    multiples = [int(v) for v in np.reshape(multiples, -1)]
    if len(multiples) != np.ndim(x):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Expected multiples argument to be a vector of length {np.ndim(x)} but got length "
            f"{len(multiples)}",
        )
    return np.tile(x, multiples)


registry.register_op("Tile", infer=_infer_tile, kernel=_tile_kernel,
                     inputs=("input: T", "multiples: Tmultiples"),
                     allowed={"Tmultiples": groups.INDEX_TYPES})


def tile(input, multiples, name=None):  # noqa: A002
    with ops.name_scope(name, "Tile", [input]) as scope:
        input = _convert(input, name="input")  # noqa: A001
        m = (
            multiples
            if isinstance(multiples, ops.Tensor)
            else _convert(multiples, dtype=dtypes.int32, name="multiples")
        )
        return make_tensor(
            "Tile", [input, m], name=scope, attrs={"T": input.dtype.base_dtype, "Tmultiples": m.dtype}
        )


def _infer_pad(op):
    x, p = op.inputs[0], op.inputs[1]
    d = dims(x)
    pv = _const_value(p)
    if d is None:
        n = p.shape[0].value if p.shape.ndims == 2 else None
        return [(x.dtype.base_dtype, _ts.unknown_shape(n))]
    if pv is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(len(d)))]
    pv = np.asarray(pv).reshape(-1, 2)
    if pv.shape[0] != len(d):
        # TF checks the input's rank against the paddings' row count, so the numbers read that way round.
        raise shape_error(op, f"Shape must be rank {pv.shape[0]} but is rank {len(d)}")
    return [
        (
            x.dtype.base_dtype,
            shape(
                tuple(None if a is None else a + int(lo) + int(hi) for a, (lo, hi) in zip(d, pv, strict=True))
            ),
        )
    ]


registry.register_op(
    "Pad", infer=_infer_pad, kernel=lambda x, p: np.pad(x, np.asarray(p).astype(np.int64), mode="constant"),
    inputs=("input: T", "paddings: Tpaddings"),
    allowed={"Tpaddings": groups.INDEX_TYPES},
)
registry.register_op(
    "PadV2",
    infer=_infer_pad,
    kernel=lambda x, p, c: np.pad(x, np.asarray(p).astype(np.int64), mode="constant", constant_values=c),
    inputs=("input: T", "paddings: Tpaddings", "constant_values: T"),
    allowed={"Tpaddings": groups.INDEX_TYPES},
)


def _compile_mirror_pad(op, runtime):
    mode = "reflect" if op._attrs["mode"] in ("REFLECT", b"REFLECT") else "symmetric"
    return lambda x, p: np.pad(x, np.asarray(p).astype(np.int64), mode=mode)


registry.register_op("MirrorPad", infer=_infer_pad, compile=_compile_mirror_pad,
                     inputs=("input: T", "paddings: Tpaddings"),
                     allowed={"Tpaddings": groups.INDEX_TYPES})


def _mirror_pad_grad_kernel(grad, paddings, mode):
    """Folds each padded border of `grad` back onto the input element it mirrors (TF's MirrorPadGrad):
    REFLECT mirrors around the edge element, SYMMETRIC includes it."""
    offset = 1 if mode == "REFLECT" else 0
    out = np.asarray(grad)
    for axis, (before, after) in enumerate(np.asarray(paddings).astype(np.int64).reshape(-1, 2)):
        moved = np.moveaxis(out, axis, 0)
        n = moved.shape[0] - before - after
        core = moved[before:before + n].copy()
        # padded row i (< before) mirrors input row before - 1 - i + offset; padded row before + n + j
        # mirrors input row n - 1 - j - offset.
        np.add.at(core, before - 1 - np.arange(before) + offset, moved[:before])
        np.add.at(core, n - 1 - np.arange(after) - offset, moved[before + n:])
        out = np.moveaxis(core, 0, axis)
    return out


def _infer_mirror_pad_grad(op):
    x, p = op.inputs[0], op.inputs[1]
    d, pv = dims(x), _const_value(p)
    if d is None or pv is None:
        return [(x.dtype.base_dtype, _ts.unknown_shape(None if d is None else len(d)))]
    pv = np.asarray(pv).reshape(-1, 2)
    unpadded = [None if a is None else a - int(lo) - int(hi) for a, (lo, hi) in zip(d, pv, strict=True)]
    return [(x.dtype.base_dtype, shape(tuple(unpadded)))]


def _compile_mirror_pad_grad(op, runtime):
    mode = _text(op._attrs["mode"])
    return lambda grad, p: _mirror_pad_grad_kernel(grad, p, mode)


registry.register_op("MirrorPadGrad", infer=_infer_mirror_pad_grad, compile=_compile_mirror_pad_grad,
                     inputs=("input: T", "paddings: Tpaddings"),
                     allowed={"Tpaddings": groups.INDEX_TYPES})


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def mirror_pad_grad(grad, paddings, mode, name=None):
    """TensorFlow's ``MirrorPadGrad`` (what the MirrorPad gradient adds)."""
    return make_tensor("MirrorPadGrad", [grad, paddings], name=name or "MirrorPadGrad",
                       attrs={"T": grad.dtype.base_dtype, "Tpaddings": paddings.dtype.base_dtype,
                              "mode": _text(mode)})


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """Pads `tensor` with `paddings[i] = [before, after]` per dimension."""
    mode = mode.upper()
    tensor = _convert(tensor)
    if mode == "CONSTANT":
        if not isinstance(constant_values, ops.Tensor) and np.all(np.asarray(constant_values) == 0):
            with ops.name_scope(name, "Pad", [tensor]) as scope:
                p = _convert(paddings, dtype=dtypes.int32, name="paddings")
                return make_tensor(
                    "Pad", [tensor, p], name=scope, attrs={"T": tensor.dtype.base_dtype, "Tpaddings": p.dtype}
                )
        with ops.name_scope(name, "PadV2", [tensor]) as scope:
            p = _convert(paddings, dtype=dtypes.int32, name="paddings")
            c = _convert(constant_values, dtype=tensor.dtype.base_dtype, name="constant_values")
            return make_tensor(
                "PadV2",
                [tensor, p, c],
                name=scope,
                attrs={"T": tensor.dtype.base_dtype, "Tpaddings": p.dtype},
            )
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    with ops.name_scope(name, "MirrorPad", [tensor]) as scope:
        p = _convert(paddings, dtype=dtypes.int32, name="paddings")
        return make_tensor(
            "MirrorPad",
            [tensor, p],
            name=scope,
            attrs={"T": tensor.dtype.base_dtype, "Tpaddings": p.dtype, "mode": mode},
        )

# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Tile")
def _tile_grad(op, grad):
    x, multiples = op.inputs
    xd = grad_util.static_dims(x)
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
    g = array_ops.slice(grad, begin, grad_util.static_shape_or_tensor(x))
    return [g, None] + [None] * (len(op.inputs) - 2)


register_gradient("PadV2")(_pad_grad)


@register_gradient("MirrorPad")
def _mirror_pad_grad(op, grad):
    return [mirror_pad_grad(grad, op.inputs[1], op.get_attr("mode")), None]


@register_gradient("MirrorPadGrad")
def _mirror_pad_grad_grad(op, grad):
    return [pad(grad, op.inputs[1], mode=_text(op.get_attr("mode"))), None]
