"""Cast and its wrappers (``tf.cast``, ``to_float``, ``saturate_cast``, ...): kernel, shape rule, gradient."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry
from engine.framework.indexed_slices import IndexedSlices
from engine.framework.registry import register_gradient
from engine.ops import array_ops
from engine.ops.op_util import make_tensor

_convert = ops.convert_to_tensor


def _compile_cast(op, runtime):
    dst = op._attrs["DstT"]
    npd = dst.as_numpy_dtype
    if dst == dtypes.string:
        raise errors.UnimplementedError(None, op, "Cast to string is not supported")

    def kernel(x):
        return np.asarray(x).astype(npd)

    if not dst.is_complex:

        def real_kernel(x):  # a complex value cast to a real type keeps its real part, as TF's kernel
            x = np.asarray(x)
            return (np.real(x) if np.iscomplexobj(x) else x).astype(npd)

        return real_kernel
    return kernel


registry.register_op(
    "Cast",
    infer=lambda op: [(op._attrs["DstT"], op.inputs[0].shape)],
    compile=_compile_cast,
    attrs={"Truncate": False},
)


def cast(x, dtype, name=None):
    """`x` converted to `dtype` (floats truncate toward zero when cast to ints, as in TF)."""
    base = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, ops.Tensor) and x.dtype.base_dtype == base:
        return x  # before the name scope, as TF's: a no-op cast takes no name
    with ops.name_scope(name, "Cast", [x]) as scope:
        if isinstance(x, IndexedSlices):  # as TF: the values cast; a Cast's gradient stays sparse
            return IndexedSlices(cast(x.values, base, name=scope), x.indices, x.dense_shape)
        x = _convert(x, name="x")
        if x.dtype.base_dtype == base:
            return x
        return make_tensor(
            "Cast", [x], name=scope, attrs={"SrcT": x.dtype.base_dtype, "DstT": base, "Truncate": False}
        )


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    """``tf.to_double``: TF 1.x's deprecated spelling of ``cast(x, tf.float64)``."""
    return cast(x, dtypes.float64, name=name)


def to_complex64(x, name="ToComplex64"):
    return cast(x, dtypes.complex64, name=name)


def to_complex128(x, name="ToComplex128"):
    return cast(x, dtypes.complex128, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def saturate_cast(value, dtype, name=None):
    with ops.name_scope(name, "saturate_cast", [value]) as scope:
        value = _convert(value, name="value")
        dtype = dtypes.as_dtype(dtype)
        if value.dtype.min < dtype.min or value.dtype.max > dtype.max:
            from engine.ops import math_ops

            value = math_ops.clip_by_value(value, dtype.min, dtype.max)
        return cast(value, dtype, name=scope)

# --- gradients ------------------------------------------------------------------------------------


@register_gradient("Cast")
def _cast_grad(op, grad):
    src, dst = op.inputs[0].dtype.base_dtype, grad.dtype.base_dtype
    if (src.is_floating or src.is_complex) and (dst.is_floating or dst.is_complex):  # TF's: real part
        return [array_ops.cast(grad, src)]
    return [None]

