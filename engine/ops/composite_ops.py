"""Math and array functions TF builds from other ops (no op types of their own, so no kernels or
gradients here): `tf.reduce_logsumexp` (TF's math_ops.py) and `tf.sequence_mask` (TF's array_ops.py)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, ops, tensor_util
from engine.ops import array_ops, math_ops


def reduce_logsumexp(
    input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None
):
    """``tf.reduce_logsumexp``: `log(sum(exp(x)))` over `axis`, computed stably around the (finite) max."""
    if axis is not None and reduction_indices is not None:
        raise ValueError("Cannot specify both 'axis' and 'reduction_indices'")
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    axis = reduction_indices if axis is None else axis
    keepdims = bool(keep_dims if keepdims is None else keepdims)
    with ops.name_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        x = ops.convert_to_tensor(input_tensor, name="input_tensor")
        raw_max = math_ops.reduce_max(x, axis, keepdims=True)
        # An infinite max would give inf - inf = nan below; TF shifts by 0 there instead.
        my_max = array_ops.stop_gradient(
            array_ops.where(math_ops.is_finite(raw_max), raw_max, array_ops.zeros_like(raw_max))
        )
        result = math_ops.log(
            math_ops.reduce_sum(math_ops.exp(math_ops.subtract(x, my_max)), axis, keepdims=keepdims)
        )
        if not keepdims:
            my_max = array_ops.reshape(my_max, array_ops.shape_v1(result))
        return math_ops.add(result, my_max, name=scope)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """``tf.sequence_mask``: `mask[..., j] = j < lengths[...]` for j in [0, maxlen) (maxlen defaults to
    max(lengths))."""
    given_maxlen = maxlen
    with ops.name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = ops.convert_to_tensor(lengths, name="lengths")
        if maxlen is None:
            maxlen = math_ops.reduce_max(
                lengths, list(range(lengths.shape.ndims)) if lengths.shape.ndims is not None else None
            )
            maxlen = math_ops.maximum(constant_zero(maxlen.dtype), maxlen)
        else:
            maxlen = ops.convert_to_tensor(maxlen, name="maxlen")
        if maxlen.shape.ndims is not None and maxlen.shape.ndims != 0:
            raise ValueError(
                f"Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = {maxlen} "
                f"with shape '{maxlen.shape}' instead"
            )
        row_vector = math_ops.range(constant_zero(maxlen.dtype), maxlen, constant_one(maxlen.dtype))
        matrix = array_ops.cast(array_ops.expand_dims(lengths, -1), maxlen.dtype)
        result = row_vector < matrix
        static_maxlen = tensor_util.constant_value(maxlen)
        static_lengths = tensor_util.constant_value(lengths)
        if static_maxlen is None and static_lengths is not None and given_maxlen is None:
            # TF's shape inference evaluates max(lengths) of constant lengths; so does this.
            static_maxlen = max(int(np.max(static_lengths)), 0) if np.size(static_lengths) else 0
        if lengths.shape.ndims is not None:
            result.set_shape(
                lengths.shape.concatenate([None if static_maxlen is None else int(static_maxlen)])
            )
        if dtype is None or dtypes.as_dtype(dtype) == dtypes.bool:
            return result
        return array_ops.cast(result, dtype)


def constant_zero(dtype):
    return ops.convert_to_tensor(0, dtype=dtype)


def constant_one(dtype):
    return ops.convert_to_tensor(1, dtype=dtype)
