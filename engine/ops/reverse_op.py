"""ReverseV2 (`tf.reverse`, `tf.reverse_v2`) and ReverseSequence (`tf.reverse_sequence`, which reverses
each batch entry's first `seq_lengths[b]` steps, as bidirectional RNNs need): kernels, shape rules,
registrations, wrappers and gradients."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework.registry import register_gradient
from engine.ops.op_util import infer_same, make_tensor, shape_error

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


def _compile_reverse_sequence(op, runtime):
    seq_dim, batch_dim = op.get_attr("seq_dim"), op.get_attr("batch_dim")

    def kernel(tensor, seq_lengths):
        tensor, lengths = np.asarray(tensor), np.asarray(seq_lengths).reshape(-1)
        if lengths.shape[0] != tensor.shape[batch_dim]:
            raise errors.InvalidArgumentError(
                None, None,
                f"Length of seq_lengths != input.dims({batch_dim}), ({lengths.shape[0]} vs. "
                f"{tensor.shape[batch_dim]})",
            )
        out = tensor.copy()
        for b, length in enumerate(lengths):
            if not 0 <= length <= tensor.shape[seq_dim]:
                raise errors.InvalidArgumentError(None, None, f"seq_lens({b}) > input.dim({seq_dim})")
            # Entry b's first `length` steps, reversed in place of themselves (the rest is copied).
            index = [np.s_[:]] * tensor.ndim
            index[batch_dim] = b
            index[seq_dim] = np.s_[: int(length)]
            moved_seq_dim = seq_dim - (batch_dim < seq_dim)
            out[tuple(index)] = np.flip(tensor[tuple(index)], moved_seq_dim)
        return out

    return kernel


def _infer_reverse_sequence(op):
    tensor, lengths = op.inputs
    seq_dim, batch_dim = op.get_attr("seq_dim"), op.get_attr("batch_dim")
    if lengths.shape.rank is not None and lengths.shape.rank != 1:
        raise shape_error(op, f"Shape must be rank 1 but is rank {lengths.shape.rank}")
    rank = tensor.shape.rank
    if rank is not None:
        if batch_dim >= rank:
            raise shape_error(op, f"batch_dim must be < input rank: {batch_dim} vs. {rank}")
        if seq_dim >= rank:
            raise shape_error(op, f"seq_dim must be < input rank: {seq_dim} vs. {rank}")
    if batch_dim == seq_dim:
        raise shape_error(op, f"seq_dim and batch_dim must not be equal: {seq_dim}")
    return [(tensor.dtype.base_dtype, tensor.shape)]


registry.register_op(
    "ReverseSequence",
    infer=_infer_reverse_sequence,
    compile=_compile_reverse_sequence,
    fresh=True,
    attrs={"batch_dim": 0},
    inputs=("input: T", "seq_lengths: Tlen"),
    allowed={"Tlen": ("int32", "int64")},
)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None,  # noqa: A002
                     batch_dim=None):
    """``tf.reverse_sequence``: along `seq_axis`, the first `seq_lengths[b]` entries of each batch entry b
    (along `batch_axis`) reversed, the rest kept.  TF 1.x's `seq_dim`/`batch_dim` are the old names."""
    if seq_axis is not None and seq_dim is not None:
        raise ValueError("Cannot specify both 'seq_axis' and 'seq_dim'")
    if batch_axis is not None and batch_dim is not None:
        raise ValueError("Cannot specify both 'batch_axis' and 'batch_dim'")
    seq_axis = seq_axis if seq_axis is not None else seq_dim
    batch_axis = batch_axis if batch_axis is not None else (batch_dim if batch_dim is not None else 0)
    with ops.name_scope(name, "ReverseSequence", [input, seq_lengths]) as scope:
        tensor = ops.convert_to_tensor(input, name="input")
        lengths = ops.convert_to_tensor(seq_lengths, name="seq_lengths", preferred_dtype=dtypes.int64)
        return make_tensor(
            "ReverseSequence",
            [tensor, lengths],
            name=scope,
            attrs={"seq_dim": int(seq_axis), "batch_dim": int(batch_axis), "T": tensor.dtype.base_dtype,
                   "Tlen": lengths.dtype.base_dtype},
        )


@register_gradient("ReverseSequence")
def _reverse_sequence_grad(op, grad):
    """The same reversal undoes itself; lengths get no gradient."""
    return [reverse_sequence(grad, op.inputs[1], seq_axis=op.get_attr("seq_dim"),
                             batch_axis=op.get_attr("batch_dim")), None]
