"""Discrete Fourier transforms over the innermost one, two or three dimensions: FFT, IFFT, FFT2D, IFFT2D,
FFT3D, IFFT3D, RFFT, IRFFT, RFFT2D, IRFFT2D, RFFT3D, IRFFT3D (``tf.fft``, ``tf.signal.fft`` ...): kernels
on numpy.fft, shape rules, registrations, wrappers and gradients (TF's python/ops/signal/fft_ops.py: each
transform's adjoint, scaled; TF has none for RFFT3D and IRFFT3D, so neither has one here)."""

from __future__ import annotations

import numpy as np

from engine.framework import dtypes, errors, ops, registry, tensor_util
from engine.framework import tensor_shape as _ts
from engine.framework.registry import register_gradient
from engine.ops import array_ops, math_ops
from engine.ops.complex_ops import real
from engine.ops.constant_op import constant
from engine.ops.op_util import dims, make_tensor, shape, shape_error
from engine.ops.roll_op import roll

_COMPLEX = ("complex64", "complex128")
_REAL = ("float32", "float64")
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}
_REAL_OF = {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}
_RANK = {"FFT": 1, "IFFT": 1, "FFT2D": 2, "IFFT2D": 2, "FFT3D": 3, "IFFT3D": 3,
         "RFFT": 1, "IRFFT": 1, "RFFT2D": 2, "IRFFT2D": 2, "RFFT3D": 3, "IRFFT3D": 3}
_SUFFIX = {1: "", 2: "2D", 3: "3D"}


def _axes(rank):
    return tuple(range(-rank, 0))


def _complex_kernel(op_type):
    rank = _RANK[op_type]
    fn = np.fft.ifftn if op_type.startswith("I") else np.fft.fftn

    def kernel(x):
        x = np.asarray(x)
        return fn(x, axes=_axes(rank)).astype(x.dtype) if x.size else x.copy()

    return kernel


def _infer_complex(op):
    x = op.inputs[0]
    d = dims(x)
    rank = _RANK[op.type]
    if d is not None and len(d) < rank:
        raise shape_error(op, f"Shape must be at least rank {rank} but is rank {len(d)}")
    return [(x.dtype.base_dtype, x.shape)]


for _op_type in ("FFT", "IFFT", "FFT2D", "IFFT2D", "FFT3D", "IFFT3D"):
    registry.register_op(
        _op_type,
        infer=_infer_complex,
        kernel=_complex_kernel(_op_type),
        fresh=True,
        attrs={"Tcomplex": dtypes.complex64},
        inputs=("input: Tcomplex",),
        allowed={"Tcomplex": _COMPLEX},
    )


def _compile_real_transform(op, runtime):
    rank = _RANK[op.type]
    inverse = op.type.startswith("I")
    out_dtype = dtypes.as_dtype(op.get_attr("Treal" if inverse else "Tcomplex")).as_numpy_dtype

    def kernel(x, fft_length):
        x, lengths = np.asarray(x), [int(v) for v in np.reshape(fft_length, -1)]
        if len(lengths) != rank:
            raise errors.InvalidArgumentError(None, None, f"fft_length must be length {rank} vector")
        if inverse:
            return np.fft.irfftn(x, s=lengths, axes=_axes(rank)).astype(out_dtype)
        return np.fft.rfftn(x, s=lengths, axes=_axes(rank)).astype(out_dtype)

    return kernel


def _infer_real_transform(op):
    x, fft_length = op.inputs
    rank, inverse = _RANK[op.type], op.type.startswith("I")
    out_dtype = dtypes.as_dtype(op.get_attr("Treal" if inverse else "Tcomplex"))
    d = dims(x)
    if d is None:
        return [(out_dtype, _ts.unknown_shape())]
    if len(d) < rank:
        raise shape_error(op, f"Shape must be at least rank {rank} but is rank {len(d)}")
    lengths = tensor_util.constant_value(fft_length)
    if lengths is None:
        return [(out_dtype, shape(d[:-rank] + (None,) * rank))]
    lengths = [int(v) for v in np.reshape(lengths, -1)]
    if not inverse:
        lengths[-1] = lengths[-1] // 2 + 1
    return [(out_dtype, shape(d[:-rank] + tuple(lengths)))]


for _op_type in ("RFFT", "IRFFT", "RFFT2D", "IRFFT2D", "RFFT3D", "IRFFT3D"):
    _in = "Tcomplex" if _op_type.startswith("I") else "Treal"
    registry.register_op(
        _op_type,
        infer=_infer_real_transform,
        compile=_compile_real_transform,
        fresh=True,
        attrs={"Treal": dtypes.float32, "Tcomplex": dtypes.complex64},
        inputs=(f"input: {_in}", "fft_length"),
        allowed={_in: _COMPLEX if _in == "Tcomplex" else _REAL},
    )


def _complex_transform(op_type, x, name):
    x = ops.convert_to_tensor(x, name="input")
    if x.dtype.base_dtype not in _REAL_OF:
        x = array_ops.cast(x, dtypes.complex64)
    return make_tensor(op_type, [x], name=name or op_type, attrs={"Tcomplex": x.dtype.base_dtype})


def fft(input, name=None):  # noqa: A002 - TF's argument name
    """``tf.signal.fft`` / ``tf.fft``: the DFT over the innermost dimension."""
    return _complex_transform("FFT", input, name)


def ifft(input, name=None):  # noqa: A002
    """``tf.signal.ifft`` / ``tf.ifft``: the inverse DFT over the innermost dimension."""
    return _complex_transform("IFFT", input, name)


def fft2d(input, name=None):  # noqa: A002
    """``tf.signal.fft2d`` / ``tf.fft2d``: the DFT over the two innermost dimensions."""
    return _complex_transform("FFT2D", input, name)


def ifft2d(input, name=None):  # noqa: A002
    """``tf.signal.ifft2d`` / ``tf.ifft2d``: the inverse DFT over the two innermost dimensions."""
    return _complex_transform("IFFT2D", input, name)


def fft3d(input, name=None):  # noqa: A002
    """``tf.signal.fft3d`` / ``tf.fft3d``: the DFT over the three innermost dimensions."""
    return _complex_transform("FFT3D", input, name)


def ifft3d(input, name=None):  # noqa: A002
    """``tf.signal.ifft3d`` / ``tf.ifft3d``: the inverse DFT over the three innermost dimensions."""
    return _complex_transform("IFFT3D", input, name)


def _fft_length(x, rank, fft_length, inverse):
    """TF's default fft_length: the input's inner dimensions (for an inverse, 2 * (last - 1))."""
    if fft_length is not None:
        return ops.convert_to_tensor(fft_length, dtype=dtypes.int32, name="fft_length")
    d = dims(x)
    if d is not None and None not in d[-rank:]:
        inner = list(d[-rank:])
        if inverse:
            inner[-1] = 2 * (inner[-1] - 1)
        return constant(np.array(inner, np.int32), name="fft_length")
    inner = array_ops.shape_v1(x)[-rank:]
    if inverse:
        last = 2 * (inner[-1] - 1)
        inner = array_ops.concat([inner[:-1], array_ops.expand_dims(last, 0)], 0)
    return inner


def _pad_to_fft_length(x, rank, fft_length, inverse):
    """TF's _maybe_pad_for_rfft: zero-pads the inner dimensions up to fft_length (an inverse's last one to
    fft_length // 2 + 1 bins) before the op, which then only crops; an empty input is left as it is."""
    d = dims(x)
    if d is not None and 0 in d:
        return x
    lengths = tensor_util.constant_value(fft_length)
    if lengths is not None and d is not None and None not in d[-rank:]:
        target = [int(v) for v in np.reshape(lengths, -1)]
        if inverse:
            target[-1] = target[-1] // 2 + 1
        pads = [[0, max(t - have, 0)] for t, have in zip(target, d[-rank:], strict=False)]
        if any(pad > 0 for _, pad in pads):
            return array_ops.pad(x, [[0, 0]] * max(len(d) - len(target), 0) + pads)
        return x
    if inverse:
        fft_length = array_ops.concat([fft_length[:-1], fft_length[-1:] // 2 + 1], 0)
    inner = array_ops.shape_v1(x)[-rank:]
    outer = array_ops.zeros(array_ops.expand_dims(math_ops.maximum(0, array_ops.rank(x) - rank), 0),
                            fft_length.dtype)
    after = array_ops.concat([outer, math_ops.maximum(0, fft_length - inner)], 0)
    return array_ops.pad(x, array_ops.stack([array_ops.zeros_like(after), after], axis=1))


def _real_transform(op_type, x, fft_length, name):
    rank, inverse = _RANK[op_type], op_type.startswith("I")
    with ops.name_scope(name, op_type.lower(), [x]) as scope:
        x = ops.convert_to_tensor(x, name="input")
        if inverse:
            complex_type = x.dtype.base_dtype if x.dtype.base_dtype in _REAL_OF else dtypes.complex64
            x = array_ops.cast(x, complex_type) if x.dtype.base_dtype != complex_type else x
            real_type = _REAL_OF[complex_type]
        else:
            real_type = x.dtype.base_dtype if x.dtype.base_dtype in _COMPLEX_OF else dtypes.float32
            x = array_ops.cast(x, real_type) if x.dtype.base_dtype != real_type else x
            complex_type = _COMPLEX_OF[real_type]
        length = _fft_length(x, rank, fft_length, inverse)
        x = _pad_to_fft_length(x, rank, length, inverse)
        attrs = {"Treal": real_type, "Tcomplex": complex_type}
        return make_tensor(op_type, [x, length], name=scope, attrs=attrs)


def rfft(input_tensor, fft_length=None, name=None):
    """``tf.signal.rfft``: the DFT of a real signal over the innermost dimension (fft_length // 2 + 1 bins),
    the signal cropped or zero-padded to `fft_length`."""
    return _real_transform("RFFT", input_tensor, fft_length, name)


def irfft(input_tensor, fft_length=None, name=None):
    """``tf.signal.irfft``: the real signal of `fft_length` samples whose RFFT is `input_tensor`."""
    return _real_transform("IRFFT", input_tensor, fft_length, name)


def rfft2d(input_tensor, fft_length=None, name=None):
    """``tf.signal.rfft2d``: `rfft` over the two innermost dimensions."""
    return _real_transform("RFFT2D", input_tensor, fft_length, name)


def irfft2d(input_tensor, fft_length=None, name=None):
    """``tf.signal.irfft2d``: `irfft` over the two innermost dimensions."""
    return _real_transform("IRFFT2D", input_tensor, fft_length, name)


def rfft3d(input_tensor, fft_length=None, name=None):
    """``tf.signal.rfft3d``: `rfft` over the three innermost dimensions."""
    return _real_transform("RFFT3D", input_tensor, fft_length, name)


def irfft3d(input_tensor, fft_length=None, name=None):
    """``tf.signal.irfft3d``: `irfft` over the three innermost dimensions."""
    return _real_transform("IRFFT3D", input_tensor, fft_length, name)


def _shift(x, axes, name, default_name, sign):
    with ops.name_scope(name, default_name) as scope:
        x = ops.convert_to_tensor(x)
        if axes is None:
            axes = tuple(range(x.shape.ndims))
            shift = array_ops.shape_v1(x) // 2
        elif isinstance(axes, int):
            shift = array_ops.shape_v1(x)[axes] // 2
        else:
            rank = array_ops.rank(x)
            axes = array_ops.where(math_ops.less(axes, 0), axes + rank, axes)  # negative axes from the end
            shift = array_ops.gather(array_ops.shape_v1(x), axes) // 2
        return roll(x, shift if sign > 0 else -shift, axes, scope)


def fftshift(x, axes=None, name=None):
    """``tf.signal.fftshift``: the zero-frequency bin moved to the centre (a roll by half of each axis)."""
    return _shift(x, axes, name, "fftshift", 1)


def ifftshift(x, axes=None, name=None):
    """``tf.signal.ifftshift``: the inverse of `fftshift`."""
    return _shift(x, axes, name, "ifftshift", -1)


# --- gradients ------------------------------------------------------------------------------------------


def _inner_size(t, rank):
    """The number of elements of the `rank` innermost dimensions, as t's dtype."""
    d = dims(t)
    if d is not None and None not in d[-rank:]:
        return constant(float(np.prod(d[-rank:])), dtype=t.dtype.base_dtype)
    size = math_ops.reduce_prod(array_ops.shape_v1(t)[-rank:])
    return array_ops.cast(size, t.dtype.base_dtype)


def _complex_grad(inverse_type):
    """FFT's gradient is n * IFFT(grad) and IFFT's FFT(grad) / n (the adjoints)."""

    def grad_fn(op, grad):
        rank = _RANK[op.type]
        transformed = _complex_transform(inverse_type, grad, None)
        size = _inner_size(grad, rank)
        return [transformed * size if op.type.startswith("F") else transformed / size]

    return grad_fn


register_gradient("FFT")(_complex_grad("IFFT"))
register_gradient("IFFT")(_complex_grad("FFT"))
register_gradient("FFT2D")(_complex_grad("IFFT2D"))
register_gradient("IFFT2D")(_complex_grad("FFT2D"))
register_gradient("FFT3D")(_complex_grad("IFFT3D"))
register_gradient("IFFT3D")(_complex_grad("FFT3D"))


def _rfft_grad(op, grad):
    """The adjoint of 'pad or crop to fft_length, DFT, keep the first n // 2 + 1 bins' for a real signal:
    the bins zero-padded to the full spectrum, inverse-transformed, scaled by the size, real part, cropped
    or padded back to the input's length. (TF builds IRFFT plus correction terms; the values agree.)"""
    x, fft_length = op.inputs
    rank = _RANK[op.type]
    inverse = "IFFT" + _SUFFIX[rank]
    full = fft_length[-1]
    bins = array_ops.shape_v1(grad)[-1]
    pad_rows = array_ops.zeros(array_ops.stack([array_ops.rank(grad) - 1, 2]), dtypes.int32)
    last = array_ops.expand_dims(array_ops.stack([0, full - bins]), 0)
    spectrum = array_ops.pad(grad, array_ops.concat([pad_rows, last], 0))
    size = array_ops.cast(math_ops.reduce_prod(fft_length), grad.dtype.base_dtype)
    signal = real(_complex_transform(inverse, spectrum, None) * size)
    return [_fit_inner(signal, array_ops.shape_v1(x), rank), None]


def _fit_inner(t, target_shape, rank):
    """t cropped or zero-padded in its `rank` innermost dimensions to those of target_shape."""
    have = array_ops.shape_v1(t)
    keep = math_ops.minimum(have, target_shape)
    cropped = array_ops.slice(t, array_ops.zeros_like(have), keep)
    outer = array_ops.zeros(array_ops.stack([array_ops.rank(t), 1]), dtypes.int32)
    after = array_ops.expand_dims(target_shape - keep, 1)
    return array_ops.pad(cropped, array_ops.concat([outer, after], 1))


register_gradient("RFFT")(_rfft_grad)
register_gradient("RFFT2D")(_rfft_grad)


def _irfft_grad(op, grad):
    """TF's _irfft_grad_helper: RFFT(grad) / size, doubling the bins Hermitian symmetry folded together."""
    x, fft_length = op.inputs
    rank = _RANK[op.type]
    forward = "RFFT" + _SUFFIX[rank]
    real_type = grad.dtype.base_dtype
    is_odd = math_ops.floormod(fft_length[-1], 2)
    last = array_ops.shape_v1(x)[-1]
    mask = array_ops.concat(
        [
            constant([1.0], dtype=real_type),
            2.0 * array_ops.ones(array_ops.expand_dims(last - 2 + is_odd, 0), real_type),
            array_ops.ones(array_ops.expand_dims(1 - is_odd, 0), real_type),
        ],
        0,
    )
    rsize = math_ops.reciprocal(array_ops.cast(math_ops.reduce_prod(fft_length), real_type))
    the_rfft = make_tensor(
        forward, [grad, fft_length], name=None, attrs={"Treal": real_type, "Tcomplex": _COMPLEX_OF[real_type]}
    )
    return [the_rfft * array_ops.cast(rsize * mask, _COMPLEX_OF[real_type]), None]


register_gradient("IRFFT")(_irfft_grad)
register_gradient("IRFFT2D")(_irfft_grad)
