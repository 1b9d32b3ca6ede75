"""Argument normalisation shared by the layers, and `smart_cond` for `training` given as bool or tensor."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.framework.tensor_util import constant_value
from engine.ops import cond


def normalize_tuple(value, n, name):
    """An int or an iterable of n ints, as a tuple of n ints (TF's `conv_utils.normalize_tuple` errors)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        value_tuple = tuple(value)
    except TypeError:
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
        ) from None
    if len(value_tuple) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}")
    for single in value_tuple:
        if not isinstance(single, int):
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {value} including element "
                f"{single} of type {type(single)}"
            )
    return value_tuple


def normalize_padding(value):
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ("valid", "same"):
        raise ValueError(
            f'The `padding` argument must be a list/tuple or one of "valid", "same" (or "causal", only for '
            f"`Conv1D). Received: {value}"
        )
    return padding


def normalize_data_format(data_format):
    """"channels_first" or "channels_last" (the default), with TF's error for anything else."""
    data_format = "channels_last" if data_format is None else data_format.lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", "channels_last". Received: '
            + str(data_format)
        )
    return data_format


def smart_cond(pred, true_fn, false_fn, name=None):
    """`true_fn()` or `false_fn()` when `pred` is a Python bool or a constant tensor, else a `tf.cond` of
    them (TF's `smart_cond`): only the branch `pred` picks runs."""
    if isinstance(pred, ops.Tensor):
        static = constant_value(pred)
        if static is not None:
            pred = bool(static)
    if isinstance(pred, ops.Tensor):
        if pred.dtype.base_dtype != dtypes.bool:
            raise TypeError(
                f"`pred` must be a Tensor, or a Python bool, or 1 or 0. Found instead: {pred.dtype}"
            )
        return cond.cond(pred, true_fn=true_fn, false_fn=false_fn, name=name)
    if pred not in (True, False, 0, 1):
        raise TypeError(f"`pred` must be a Tensor, or a Python bool, or 1 or 0. Found instead: {type(pred)}")
    return true_fn() if pred else false_fn()
