"""Counting values into bins: DenseBincount (``tf.bincount``, ``tf.math.bincount``) and HistogramFixedWidth
(``tf.histogram_fixed_width``). TF gives neither a gradient. Kernels, shape rules, registrations and
wrappers."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.constant_op import constant
from engine.ops.op_util import dims, make_tensor, shape, shape_error


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _compile_dense_bincount(op, runtime):
    binary_output = bool(op.get_attr("binary_output"))

    def kernel(arr, size, weights):
        arr, weights, size = np.asarray(arr), np.asarray(weights), int(size)
        if size < 0:
            raise _invalid(f"size ({size}) must be non-negative")
        if arr.size and arr.min() < 0:
            raise _invalid("Input arr must be non-negative!")
        if weights.size and weights.shape != arr.shape:
            raise _invalid("`weights` must be the same shape as `arr` or a length-0 `Tensor`, in which case "
                           f"it acts as all weights equal to 1. Received {_shape_text(weights.shape)}")
        rows = arr.reshape(-1, arr.shape[-1]) if arr.ndim == 2 else arr.reshape(1, -1)
        w_rows = weights.reshape(rows.shape) if weights.size else None
        out = np.zeros((rows.shape[0], size), weights.dtype)
        for r, row in enumerate(rows):
            keep = row < size  # values past the last bin are ignored
            if binary_output:
                out[r, row[keep]] = 1
            else:
                w = None if w_rows is None else w_rows[r][keep]
                out[r] = np.bincount(row[keep], weights=w, minlength=size)[:size].astype(weights.dtype)
        return out if arr.ndim == 2 else out[0]

    return kernel


def _shape_text(s):
    return "[" + ", ".join(str(d) for d in s) + "]"


def _infer_dense_bincount(op):
    arr, size, weights = op.inputs
    ad = dims(arr)
    n = tensor_util.constant_value(size)
    n = None if n is None else int(n)
    if ad is not None and len(ad) > 2:
        raise shape_error(op, f"Shape must be at most rank 2 but is rank {len(ad)}")
    if ad is None:
        return [(weights.dtype.base_dtype, _ts.unknown_shape())]
    return [(weights.dtype.base_dtype, shape((n,) if len(ad) <= 1 else (ad[0], n)))]


registry.register_op(
    "DenseBincount", infer=_infer_dense_bincount, compile=_compile_dense_bincount,
    attrs={"binary_output": False},
    inputs=("input: Tidx", "size: Tidx", "weights: T"),
    allowed={"Tidx": ("int32", "int64"), "T": ("int32", "int64", "float32", "float64")},
)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None):
    """``tf.bincount`` (TF1's ``bincount_v1``): how often each value of the non-negative ints `arr` occurs
    (or the sum of their `weights`), in ``max(arr) + 1`` bins, at least `minlength`, at most `maxlength`."""
    with ops.name_scope(name, "bincount", [arr, weights, minlength, maxlength]):
        arr = ops.convert_to_tensor(arr, name="arr")
        if weights is not None:
            weights = ops.convert_to_tensor(weights, name="weights")
        if not arr.dtype.is_integer:
            arr = array_ops.cast(arr, dtypes.int32)
        array_is_nonempty = math_ops.greater(array_ops.size(arr), 0)
        output_size = math_ops.multiply(array_ops.cast(array_is_nonempty, arr.dtype),
                                        math_ops.add(math_ops.reduce_max(arr), constant(1, dtype=arr.dtype)))
        if minlength is not None:
            minlength = ops.convert_to_tensor(minlength, name="minlength", dtype=arr.dtype)
            output_size = math_ops.maximum(minlength, output_size)
        if maxlength is not None:
            maxlength = ops.convert_to_tensor(maxlength, name="maxlength", dtype=arr.dtype)
            output_size = math_ops.minimum(maxlength, output_size)
        if weights is not None:
            weights = array_ops.reshape(weights, [-1])
        arr = array_ops.reshape(arr, [-1])
        if weights is None:
            weights = constant([], dtype=dtypes.as_dtype(dtype))
        return make_tensor(
            "DenseBincount", [arr, output_size, weights], name="DenseBincount",
            attrs={"Tidx": arr.dtype.base_dtype, "T": weights.dtype.base_dtype, "binary_output": False},
        )


def _compile_histogram(op, runtime):
    out_dtype = dtypes.as_dtype(op.get_attr("dtype")).as_numpy_dtype

    def kernel(values, value_range, nbins):
        values, value_range, nbins = np.asarray(values), np.asarray(value_range), int(nbins)
        if nbins <= 0:
            raise _invalid(f"nbins should be a positive number, but got '{nbins}'")
        low, high = value_range[0], value_range[1]
        if not low < high:
            raise _invalid("value_range should satisfy value_range[0] < value_range[1], but got "
                           f"'[{_number(low)}, {_number(high)}]'")
        # TF's kernel: clamp below, shift in the values' dtype, then (x - low) / step in double, capped at
        # the last bin and truncated.
        step = (float(high) - float(low)) / nbins
        shifted = (np.maximum(values, low) - low).astype(np.float64)
        index = np.minimum(shifted / step, nbins - 1).astype(np.int32)
        return np.bincount(index.reshape(-1), minlength=nbins).astype(out_dtype)

    return kernel


def _number(v):
    return str(int(v)) if float(v).is_integer() else str(float(v))


def _infer_histogram(op):
    nbins = tensor_util.constant_value(op.inputs[2])
    if nbins is not None and int(nbins) <= 0:
        raise shape_error(op, f"Requires nbins > 0: {int(nbins)}", computed={2: nbins})
    return [(dtypes.as_dtype(op.get_attr("dtype")), shape((None if nbins is None else int(nbins),)))]


registry.register_op(
    "HistogramFixedWidth", infer=_infer_histogram, compile=_compile_histogram, attrs={"dtype": dtypes.int32},
    inputs=("values: T", "value_range: T", "nbins"), allowed={"T": ("int32", "int64", "float32", "float64")},
)


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """``tf.histogram_fixed_width``: counts of `values` in `nbins` equal bins over `value_range`; values
    below or above the range count in the first or last bin."""
    with ops.name_scope(name, "histogram_fixed_width", [values, value_range, nbins]) as scope:
        values = ops.convert_to_tensor(values, name="values")
        value_range = ops.convert_to_tensor(value_range, dtype=values.dtype.base_dtype, name="value_range")
        nbins = ops.convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
        return make_tensor("HistogramFixedWidth", [values, value_range, nbins], name=scope,
                           attrs={"T": values.dtype.base_dtype, "dtype": dtypes.as_dtype(dtype)})
