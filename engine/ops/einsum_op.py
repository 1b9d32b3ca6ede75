"""Einsum (`tf.einsum`): kernel, shape rule, registration, wrapper and gradient.

Equations use letters and at most one `...` per operand; the implicit form (no `->`) gets numpy's and TF's
output: the ellipsis, then the letters used once, sorted."""

from __future__ import annotations

import string

import numpy as np

from engine.framework import errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, grad_util
from engine.ops.op_util import dims, make_tensor, shape, shape_error

_ELLIPSIS = "..."


def _parse(equation, n_inputs):
    """(input subscripts, output subscript) of an equation, with the implicit output filled in."""
    equation = equation.replace(" ", "")
    lhs, arrow, output = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != n_inputs:
        raise ValueError(
            f"Expecting {len(inputs)} inputs for equation '{equation}' but got {n_inputs} input tensors."
        )
    for sub in inputs + [output]:
        letters = sub.replace(_ELLIPSIS, "")
        if sub.count(_ELLIPSIS) > 1 or any(ch not in string.ascii_letters for ch in letters):
            raise ValueError(f"Invalid einsum subscript '{sub}' in equation '{equation}'.")
    if not arrow:
        counts = {}
        for sub in inputs:
            for ch in sub.replace(_ELLIPSIS, ""):
                counts[ch] = counts.get(ch, 0) + 1
        once = "".join(sorted(ch for ch, n in counts.items() if n == 1))
        output = (_ELLIPSIS if any(_ELLIPSIS in s for s in inputs) else "") + once
    return inputs, output


def _einsum_kernel_for(equation):
    def kernel(*operands):
        return np.asarray(np.einsum(equation, *operands))

    return kernel


def _compile_einsum(op, runtime):
    equation = op.get_attr("equation")
    equation = equation.decode() if isinstance(equation, bytes) else equation
    inner = _einsum_kernel_for(equation)

    def kernel(*operands):
        try:
            return inner(*operands)
        except ValueError as e:  # numpy's size mismatch: TF raises InvalidArgumentError at run time
            raise errors.InvalidArgumentError(None, None, f"Expected dimension sizes to match: {e}") from None

    return kernel


def _broadcast_dims(op, parts):
    """The broadcast of the operands' ellipsis dimensions (right-aligned, 1 stretches, None unknown)."""
    n = max((len(p) for p in parts), default=0)
    out = []
    for i in range(n):
        sizes = [p[len(p) - n + i] for p in parts if len(p) - n + i >= 0]
        known = {s for s in sizes if s is not None and s != 1}
        if len(known) > 1:
            raise shape_error(op, f"Expected ellipsis dimensions to be broadcastable, got {sorted(known)}")
        if known:
            out.append(known.pop())
        elif any(s is None for s in sizes):
            out.append(None)
        else:
            out.append(1)
    return out


def _infer_einsum(op):
    equation = op.get_attr("equation")
    equation = equation.decode() if isinstance(equation, bytes) else equation
    inputs, output = _parse(equation, len(op.inputs))
    dtype = op.inputs[0].dtype.base_dtype
    letters, ellipses = {}, []
    for sub, t in zip(inputs, op.inputs, strict=True):
        d = dims(t)
        named = sub.replace(_ELLIPSIS, "")
        if d is None:
            if _ELLIPSIS in sub:
                ellipses.append(None)
            continue
        n_ellipsis = len(d) - len(named)
        if n_ellipsis < 0 or (n_ellipsis and _ELLIPSIS not in sub):
            raise shape_error(op, f"Input subscripts '{sub}' do not match the rank {len(d)} of its operand")
        start = sub.find(_ELLIPSIS)
        if _ELLIPSIS in sub:
            ellipses.append(list(d[start : start + n_ellipsis]))
            d = list(d[:start]) + list(d[start + n_ellipsis :])
        for ch, size in zip(named, d, strict=True):
            seen = letters.get(ch)
            if seen is not None and size is not None and seen != size:
                raise shape_error(op, f"Expected dimension {seen} at axis of label '{ch}', got {size}")
            if seen is None:
                letters[ch] = size
    if _ELLIPSIS in output:
        if any(e is None for e in ellipses):
            return [(dtype, _ts.unknown_shape())]
        before, after = output.split(_ELLIPSIS)
        middle = _broadcast_dims(op, ellipses)
    else:
        before, after, middle = output, "", []
    return [(dtype, shape([letters.get(ch) for ch in before] + middle + [letters.get(ch) for ch in after]))]


registry.register_op(
    "Einsum", infer=_infer_einsum, compile=_compile_einsum, fresh=True, inputs=("inputs: N*T",)
)


def einsum(equation, *inputs, **kwargs):
    """``tf.einsum(equation, *inputs, name=None)``: numpy's Einstein summation as one Einsum op."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"invalid keyword arguments for this function: {', '.join(sorted(kwargs))}")
    with ops.name_scope(name, "einsum", [equation, inputs]):
        tensors = [ops.convert_to_tensor(x, name="inputs") for x in inputs]
        subs, output = _parse(equation, len(tensors))
        resolved = ",".join(subs) + "->" + output
        return make_tensor("Einsum", tensors, name="Einsum",
                           attrs={"equation": resolved, "N": len(tensors), "T": tensors[0].dtype.base_dtype})


def _diagonal_letters(sub):
    """`sub` with each repeated letter's later occurrences renamed to unused letters, and the (letter, new)
    pairs: "iij" -> ("iAj", [("i", "A")])."""
    free = [ch for ch in string.ascii_letters[::-1] if ch not in sub]
    seen, pairs, renamed = set(), [], []
    for ch in sub.replace(_ELLIPSIS, "\0"):
        if ch != "\0" and ch in seen:
            new = free.pop(0)
            pairs.append((ch, new))
            renamed.append(new)
        else:
            seen.add(ch)
            renamed.append(ch)
    return "".join(renamed).replace("\0", _ELLIPSIS), pairs


@register_gradient("Einsum")
def _einsum_grad(op, grad):
    """Each operand's gradient is itself an einsum: the output gradient contracted with the other operands
    into the operand's letters. Letters summed away in the forward (only in that operand) come back as
    size-1 axes broadcast to the operand's shape; repeated letters (diagonals) by multiplying with identity
    matrices; broadcast ellipsis dimensions are summed back (`grad_util.unbroadcast`)."""
    equation = op.get_attr("equation")
    equation = equation.decode() if isinstance(equation, bytes) else equation
    subs, output = _parse(equation, len(op.inputs))
    grads = []
    for i, x in enumerate(op.inputs):
        others = [(s, t) for j, (s, t) in enumerate(zip(subs, op.inputs, strict=True)) if j != i]
        renamed, pairs = _diagonal_letters(subs[i])
        available = set(output) | {ch for s, _ in others for ch in s}
        kept = "".join(ch for ch in _labels(subs[i]) if ch in available or ch == ".").replace(".", _ELLIPSIS)
        contraction = ",".join([output] + [s for s, _ in others]) + "->" + kept
        g = einsum(contraction, grad, *[t for _, t in others])
        current = kept
        if pairs:
            # g[..i..] * eye[i, i'] puts the gradient on the diagonal of a repeated label.
            eyes = [array_ops.matrix_diag(array_ops.ones(array_ops.stack([_label_size(x, renamed, new)]),
                                                         dtype=x.dtype.base_dtype)) for _, new in pairs]
            extra = "".join(dict.fromkeys(old for old, _ in pairs if old not in kept))
            current = kept + extra + "".join(new for _, new in pairs)
            g = einsum(",".join([kept] + [old + new for old, new in pairs]) + "->" + current, g, *eyes)
        for ch in renamed.replace(_ELLIPSIS, ""):
            if ch not in current:  # summed away in the forward: a size-1 axis, broadcast below
                g = array_ops.expand_dims(g, -1)
                current += ch
        if current != renamed:
            g = einsum(f"{current}->{renamed}", g)
        g = g + array_ops.zeros_like(x)  # broadcast to x's shape (restored and broadcast-ellipsis axes)
        grads.append(grad_util.unbroadcast(grad_util.Inputs(x, g), g, None)[0])
    return grads


def _labels(sub):
    """The distinct labels of a subscript in order, the ellipsis as '.'."""
    return "".join(dict.fromkeys(sub.replace(_ELLIPSIS, ".")))


def _label_size(x, renamed, label):
    """The run-time size of `label`'s axis of x (a repeated label must not follow an ellipsis)."""
    head = renamed.split(_ELLIPSIS)[0]
    if label not in head:
        raise ValueError("einsum gradient: a repeated label after '...' is not supported")
    return array_ops.shape_v1(x)[head.index(label)]
