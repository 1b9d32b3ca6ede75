"""``tf.norm`` / ``tf.linalg.norm``: vector and matrix norms, built from reductions as TF builds them
(no op types of their own)."""

from __future__ import annotations

import numbers

import numpy as np

from engine.framework import ops
from engine.ops import array_ops, math_ops
from engine.ops.linalg_ops import svd


def _check(ord, axis):  # noqa: A002 - TF's argument name
    """TF's argument checks; returns (is_matrix_norm, axis as a tuple or None)."""
    is_matrix_norm = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix_norm:
        axis = tuple(axis)
        if not isinstance(axis[0], int) or not isinstance(axis[1], int) or axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        supported = ["euclidean", "fro", 1, 2, np.inf]
        if ord not in supported:
            raise ValueError(f"'ord' must be a supported matrix norm in {supported}, got {ord}")
        return True, axis
    if not (isinstance(axis, int) or axis is None):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
    supported = ["euclidean", 1, 2, np.inf]
    if (not isinstance(ord, numbers.Real) or ord <= 0) and ord not in supported:
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    return False, None if axis is None else (axis,)


def _matrix_2_norm(tensor, axis):
    """The largest singular value over the two `axis` dimensions (moved last), kept as size-1 dimensions.
    Deviation: TF normalises the axes with map_fn loops; here the rank must be known statically."""
    rank = tensor.shape.ndims
    if rank is None:
        raise ValueError("norm(ord=2) over two axes needs the static rank of the tensor")
    positive = [a % rank for a in axis]
    perm_before = [a for a in range(rank) if a not in positive] + positive
    perm_after = [perm_before.index(a) for a in range(rank)]
    singular = svd(array_ops.transpose(tensor, perm_before), compute_uv=False)
    largest = math_ops.reduce_max(math_ops.abs(singular), axis=-1, keepdims=True)
    return array_ops.transpose(array_ops.expand_dims(largest, -1), perm_after)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):  # noqa: A002
    """``tf.norm``: the vector norm of `tensor` (flattened, or along `axis`) or, for two axes, the matrix norm
    ('euclidean'/'fro', 1, 2, inf); `ord` any positive p for vectors."""
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    keepdims = bool(keep_dims if keepdims is None else keepdims)
    is_matrix_norm, axis = _check(ord, axis)
    with ops.name_scope(name, "norm", [tensor]):
        tensor = ops.convert_to_tensor(tensor)
        if ord in ["fro", "euclidean", 2, 2.0]:
            if is_matrix_norm and ord in [2, 2.0]:
                result = _matrix_2_norm(tensor, axis)
            else:
                result = math_ops.sqrt(math_ops.reduce_sum(tensor * tensor, axis, keepdims=True))
        else:
            result = math_ops.abs(tensor)
            if ord == 1:
                result = math_ops.reduce_sum(result, None if axis is None else axis[0], keepdims=True)
                if is_matrix_norm:
                    result = math_ops.reduce_max(result, axis[-1], keepdims=True)
            elif ord == np.inf:
                if is_matrix_norm:
                    result = math_ops.reduce_sum(result, axis[1], keepdims=True)
                result = math_ops.reduce_max(result, None if axis is None else axis[0], keepdims=True)
            else:  # a general p-norm (positive p)
                summed = math_ops.reduce_sum(math_ops.pow(result, ord), axis, keepdims=True)
                result = math_ops.pow(summed, 1.0 / ord)
        if not keepdims:
            result = array_ops.squeeze(result, axis)
        return result


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002 - TF's argument name
    """``tf.linalg.normalize``: (tensor / its norm, the norm), the norm as `norm(..., keepdims=True)`."""
    with ops.name_scope(name, "normalize", [tensor]):
        tensor = ops.convert_to_tensor(tensor)
        tensor_norm = array_ops.cast(norm(tensor, ord, axis, keepdims=True), tensor.dtype.base_dtype)
        return tensor / tensor_norm, tensor_norm
