"""``tf.signal``'s framing and short-time transforms: ``frame``, ``overlap_and_add``, ``stft``,
``inverse_stft`` (with ``inverse_stft_window_fn``) and the windows (``hann_window``, ``hamming_window``,
``kaiser_window``, ``kaiser_bessel_derived_window``, ``vorbis_window``). All are built from existing ops
(GatherV2, Pad, Reshape, Transpose, RFFT, IRFFT, BesselI0e ...), so they need no kernels or gradients of
their own (python/ops/signal/shape_ops.py, reconstruction_ops.py, spectral_ops.py, window_ops.py).

Deviation: the ops inside those scopes are not all TF's (``frame`` with a non-constant frame_length or
frame_step uses sub-frames of one sample where TF computes their gcd in a while_loop); the outputs'
names, static shapes and values are TF's."""

from __future__ import annotations

import math

import numpy as np

from engine.framework import dtypes, ops, tensor_util
from engine.ops import array_ops, math_ops, nn_ops
from engine.ops.bessel_ops import bessel_i0e
from engine.ops.constant_op import constant
from engine.ops.fft_ops import irfft, rfft


def _scalar(value, name, dtype=None):
    t = ops.convert_to_tensor(value, dtype=dtype, name=name)
    t.shape.assert_has_rank(0)
    return t


def _static_int(t):
    value = tensor_util.constant_value(t)
    return None if value is None else int(value)


def _frame_shape(signal, frame_length, frame_step, pad_end, axis):
    """TF's _infer_frame_shape: the frames' static shape (None when the signal's rank is unknown)."""
    length, step, axis = _static_int(frame_length), _static_int(frame_step), _static_int(axis)
    if signal.shape.ndims is None:
        return None
    if axis is None:
        return [None] * (signal.shape.ndims + 1)
    dims = signal.shape.as_list()
    samples = dims[axis]
    num_frames = None
    if samples is not None:
        if step is not None and pad_end:
            num_frames = max(0, -(-samples // step))
        elif step is not None and length is not None:
            num_frames = max(0, (samples - length + step) // step)
    inner = dims[axis:][1:]
    return dims[:axis] + [num_frames, length] + inner


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """``tf.signal.frame``: the windows of `frame_length` samples every `frame_step` samples along `axis`
    (shape outer + [frames, frame_length] + inner); with `pad_end` the end is padded with `pad_value` so
    every sample starts a window's hop."""
    with ops.name_scope(name, "frame", [signal, frame_length, frame_step, pad_value]):
        signal = ops.convert_to_tensor(signal, name="signal")
        signal.shape.with_rank_at_least(1)
        frame_length = _scalar(frame_length, "frame_length")
        frame_step = _scalar(frame_step, "frame_step", dtype=frame_length.dtype.base_dtype)
        axis = _scalar(axis, "axis", dtype=dtypes.int32)
        result_shape = _frame_shape(signal, frame_length, frame_step, pad_end, axis)
        static_axis, ndims = _static_int(axis), signal.shape.ndims
        if static_axis is not None and ndims is not None:
            rank, axis = ndims, range(ndims)[static_axis]  # a constant axis keeps the gradient's static shape
        else:
            rank = array_ops.rank(signal)
            axis = math_ops.floormod(axis, rank)  # a negative axis from the end, as TF's range()[axis]
        samples = array_ops.cast(array_ops.gather(array_ops.shape_v1(signal), axis), frame_length.dtype)
        if pad_end:
            pad_value = _scalar(pad_value, "pad_value", dtype=signal.dtype.base_dtype)
            num_frames = -(-samples // frame_step)
            pad_samples = math_ops.maximum(0, frame_length + frame_step * (num_frames - 1) - samples)
            zeros_before = array_ops.zeros(array_ops.stack([axis, 2]), dtypes.int32)
            zeros_after = array_ops.zeros(array_ops.stack([rank - 1 - axis, 2]), dtypes.int32)
            end = array_ops.expand_dims(array_ops.stack([0, array_ops.cast(pad_samples, dtypes.int32)]), 0)
            paddings = array_ops.concat([zeros_before, end, zeros_after], 0)
            signal = array_ops.pad(signal, paddings, constant_values=pad_value)
            samples = samples + pad_samples
        else:
            num_frames = math_ops.maximum(
                constant(0, dtype=frame_length.dtype), 1 + (samples - frame_length) // frame_step
            )
        # TF's method: cut the signal into sub-frames of a common divisor of frame_length and frame_step
        # (their gcd when both are static, else 1), and gather frames_length / divisor of them per frame.
        length, step = _static_int(frame_length), _static_int(frame_step)
        divisor = math.gcd(length, step) if length is not None and step is not None else 1
        subframes_per_frame = frame_length // divisor
        subframes_per_hop = frame_step // divisor
        num_subframes = samples // divisor
        signal_shape = array_ops.shape_v1(signal)
        index_type = signal_shape.dtype
        outer, inner = signal_shape[:axis], signal_shape[axis + 1:]
        if isinstance(axis, ops.Tensor):
            outer, _, inner = array_ops.split(signal_shape, array_ops.stack([axis, 1, rank - 1 - axis]))

        def middle(*dims):
            return array_ops.cast(array_ops.stack(list(dims)), index_type)

        slice_shape = array_ops.concat([outer, middle(num_subframes * divisor), inner], 0)
        subframe_shape = array_ops.concat([outer, middle(num_subframes, divisor), inner], 0)
        subframes = array_ops.reshape(
            array_ops.strided_slice(signal, array_ops.zeros_like(signal_shape), slice_shape), subframe_shape)
        hops = math_ops.range(num_frames, dtype=frame_length.dtype) * subframes_per_hop
        frame_selector = array_ops.reshape(hops, array_ops.stack([num_frames, 1]))
        subframe_selector = array_ops.reshape(math_ops.range(subframes_per_frame, dtype=frame_length.dtype),
                                              array_ops.stack([1, subframes_per_frame]))
        frames = array_ops.reshape(array_ops.gather(subframes, frame_selector + subframe_selector, axis=axis),
                                   array_ops.concat([outer, middle(num_frames, frame_length), inner], 0))
        if result_shape is not None:
            frames.set_shape(result_shape)
        return frames


def overlap_and_add(signal, frame_step, name=None):
    """``tf.signal.overlap_and_add``: frames [..., frames, frame_length] summed into one signal, frame i
    starting at sample i * frame_step (length (frames - 1) * frame_step + frame_length).

    Each frame is cut into `segments` pieces of frame_step samples; piece j of frame i lands at output
    block i + j. Skewing the [segments, frames] grid by one row per segment (pad, flatten, drop the tail,
    fold again) lines the pieces of one block up in a column, which a sum over segments adds."""
    with ops.name_scope(name, "overlap_and_add", [signal, frame_step]):
        signal = ops.convert_to_tensor(signal, name="signal")
        signal.shape.with_rank_at_least(2)
        frame_step = ops.convert_to_tensor(frame_step, name="frame_step")
        frame_step.shape.assert_has_rank(0)
        if not frame_step.dtype.is_integer:
            raise ValueError(f"frame_step must be an integer. Got {frame_step.dtype}")
        frame_step = array_ops.cast(frame_step, dtypes.int32)
        signal_shape = array_ops.shape_v1(signal)
        outer_rank = array_ops.rank(signal) - 2
        outer, frames, frame_length = array_ops.split(signal_shape, array_ops.stack([outer_rank, 1, 1]))
        frames, frame_length = array_ops.reshape(frames, []), array_ops.reshape(frame_length, [])
        output_length = frame_length + frame_step * (frames - 1)
        step_static = _static_int(frame_step)
        last = signal.shape[-1].value if signal.shape.ndims is not None else None
        if step_static is not None and step_static == last:
            # frames that only touch: their concatenation, one Reshape (TF's fast path)
            full = array_ops.concat([outer, array_ops.expand_dims(output_length, 0)], 0)
            result = array_ops.reshape(signal, full, name="fast_path")
            result.set_shape(_overlap_add_shape(signal, frame_step))
            return result
        segments = -(-frame_length // frame_step)

        def full_shape(*inner):
            return array_ops.concat([outer, array_ops.stack(list(inner))], 0)

        paddings = array_ops.concat(
            [
                array_ops.zeros(array_ops.stack([outer_rank, 2]), dtypes.int32),
                array_ops.reshape(
                    array_ops.stack([0, segments, 0, segments * frame_step - frame_length]), [2, 2]
                ),
            ],
            0,
        )
        pieces = array_ops.reshape(
            array_ops.pad(signal, paddings), full_shape(frames + segments, segments, frame_step)
        )
        perm = array_ops.concat([math_ops.range(outer_rank), outer_rank + constant([1, 0, 2])], 0)
        pieces = array_ops.transpose(pieces, perm)  # [..., segments, frames + segments, frame_step]
        flat = array_ops.reshape(pieces, full_shape(segments * (frames + segments), frame_step))
        skewed = array_ops.reshape(
            flat[..., :-segments, :], full_shape(segments, frames + segments - 1, frame_step)
        )
        summed = math_ops.reduce_sum(skewed, -3)
        result = array_ops.reshape(summed, full_shape((frames + segments - 1) * frame_step))
        result = result[..., :output_length]
        result.set_shape(_overlap_add_shape(signal, frame_step))
        return result


def _overlap_add_shape(signal, frame_step):
    if signal.shape.ndims is None:
        return None
    dims = signal.shape.as_list()
    frames, length, step = dims[-2], dims[-1], _static_int(frame_step)
    known = None not in (frames, length, step)
    return dims[:-2] + [length + step * (frames - 1) if known else None]


# --- windows --------------------------------------------------------------------------------------------


def _raised_cosine_window(name, default_name, window_length, periodic, dtype, a, b):
    """a - b cos(2 pi n / N), N the length (periodic, even length) or the length - 1; length 1 gives [1]."""
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype}")
    with ops.name_scope(name, default_name, [window_length, periodic]):
        window_length = _scalar(window_length, "window_length", dtype=dtypes.int32)
        length_const = _static_int(window_length)
        if length_const == 1:
            return array_ops.ones([1], dtype=dtype)
        periodic = array_ops.cast(_scalar(periodic, "periodic", dtype=dtypes.bool), dtypes.int32)
        even = 1 - math_ops.mod(window_length, 2)
        n = array_ops.cast(window_length + periodic * even - 1, dtype)
        count = array_ops.cast(math_ops.range(window_length), dtype)
        cos_arg = constant(2 * np.pi, dtype=dtype) * count / n
        window = array_ops.cast(a - b * math_ops.cos(cos_arg), dtype)
        if length_const is not None:
            return window
        # TF takes a cond here; a select gives the same values (the formula is 0/0 only for length 1).
        return array_ops.where_v2(math_ops.equal(window_length, 1), array_ops.ones_like(window), window)


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """``tf.signal.hann_window``: 0.5 - 0.5 cos(2 pi n / N)."""
    return _raised_cosine_window(name, "hann_window", window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """``tf.signal.hamming_window``: 0.54 - 0.46 cos(2 pi n / N)."""
    return _raised_cosine_window(name, "hamming_window", window_length, periodic, dtype, 0.54, 0.46)


def _window_length(window_length, dtype):
    """TF's _check_params: a floating dtype and a scalar int32 length."""
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype}")
    return _scalar(window_length, "window_length", dtype=dtypes.int32)


def kaiser_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """``tf.signal.kaiser_window``: I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta), computed with the
    scaled I0e so it does not overflow."""
    with ops.name_scope(name, "kaiser_window"):
        dtype = dtypes.as_dtype(dtype)
        window_length = _window_length(window_length, dtype)
        length = _static_int(window_length)
        if length == 1:
            return array_ops.ones([1], dtype=dtype)
        # float32 first, as TF: its range has no float16
        halflen_float = (array_ops.cast(window_length, dtypes.float32) - 1.0) / 2.0
        arg = array_ops.cast(math_ops.range(-halflen_float, halflen_float + 0.1, dtype=dtypes.float32), dtype)
        beta = array_ops.cast(beta, dtype)
        one = array_ops.cast(1.0, dtype)
        halflen_float = array_ops.cast(halflen_float, dtype)
        num = beta * math_ops.sqrt(nn_ops.relu(one - math_ops.square(arg / halflen_float)))
        window = math_ops.exp(num - beta) * (bessel_i0e(num) / bessel_i0e(beta))
        window.set_shape([length])  # TF's shape inference evaluates the float range when the length is static
        return window


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """``tf.signal.kaiser_bessel_derived_window``: the square root of the normalised running sum of a Kaiser
    window of half the length, mirrored (the power-complementary window of AAC's MDCT)."""
    with ops.name_scope(name, "kaiser_bessel_derived_window"):
        dtype = dtypes.as_dtype(dtype)
        window_length = _window_length(window_length, dtype)
        halflen = window_length // 2
        kaiserw_csum = math_ops.cumsum(kaiser_window(halflen + 1, beta, dtype=dtype))
        halfw = math_ops.sqrt(kaiserw_csum[:-1] / kaiserw_csum[-1])
        window = array_ops.concat((halfw, halfw[::-1]), axis=0)
        length = _static_int(window_length)
        window.set_shape([None if length is None else 2 * (length // 2)])
        return window


def vorbis_window(window_length, dtype=dtypes.float32, name=None):
    """``tf.signal.vorbis_window``: sin(pi / 2 sin^2(pi (n + 0.5) / N)), the power-complementary window of
    Vorbis' MDCT."""
    with ops.name_scope(name, "vorbis_window"):
        dtype = dtypes.as_dtype(dtype)
        window_length = _window_length(window_length, dtype)
        arg = array_ops.cast(math_ops.range(window_length), dtype)
        inner = math_ops.sin(np.pi / array_ops.cast(window_length, dtype) * (arg + 0.5))
        return math_ops.sin(np.pi / 2.0 * math_ops.pow(inner, 2.0))


# --- short-time Fourier transforms ----------------------------------------------------------------------


def _enclosing_power_of_two(value):
    """2**N for the smallest N with 2**N >= value (TF computes it in float32 when value is not static)."""
    static = _static_int(value)
    if static is not None:
        return constant(int(2 ** np.ceil(np.log(static) / np.log(2.0))), value.dtype)
    exponent = math_ops.ceil(math_ops.log(array_ops.cast(value, dtypes.float32)) / math_ops.log(2.0))
    return array_ops.cast(math_ops.pow(2.0, exponent), value.dtype)


def _stft_lengths(frame_length, frame_step, fft_length):
    """The scalar lengths of a short-time transform, fft_length by default the enclosing power of two."""
    frame_length = _scalar(frame_length, "frame_length")
    frame_step = _scalar(frame_step, "frame_step")
    if fft_length is None:
        return frame_length, frame_step, _enclosing_power_of_two(frame_length)
    return frame_length, frame_step, _scalar(fft_length, "fft_length")


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False, name=None):
    """``tf.signal.stft``: the RFFT (of `fft_length`, by default the enclosing power of two) of each
    windowed frame of the innermost dimension: [..., frames, fft_length // 2 + 1]."""
    with ops.name_scope(name, "stft", [signals, frame_length, frame_step]):
        signals = ops.convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length, frame_step, fft_length = _stft_lengths(frame_length, frame_step, fft_length)
        framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed *= window_fn(frame_length, dtype=framed.dtype)
        return rfft(framed, array_ops.stack([fft_length]))


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """``tf.signal.inverse_stft_window_fn``: a window function for `inverse_stft`, the forward window divided
    by the sum of the squared forward windows overlapping each sample (0 where that sum is 0), so that
    stft then inverse_stft gives the signal back."""

    def inverse_window(frame_length, dtype):
        with ops.name_scope(name, "inverse_stft_window_fn", [forward_window_fn]):
            step = _scalar(frame_step, "frame_step")
            frame_length = _scalar(frame_length, "frame_length")
            forward = forward_window_fn(frame_length, dtype=dtype)
            overlaps = -(-frame_length // step)
            denom = array_ops.pad(
                math_ops.square(forward),
                array_ops.reshape(array_ops.stack([0, overlaps * step - frame_length]), [1, 2]),
            )
            denom = math_ops.reduce_sum(
                array_ops.reshape(denom, array_ops.stack([overlaps, step])), 0, keepdims=True
            )
            denom = array_ops.reshape(
                array_ops.tile(denom, array_ops.stack([overlaps, 1])),
                array_ops.expand_dims(overlaps * step, 0),
            )[:frame_length]
            return array_ops.where_v2(
                math_ops.equal(denom, 0.0), array_ops.zeros_like(forward), forward / denom
            )

    return inverse_window


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window, name=None):
    """``tf.signal.inverse_stft``: each frame's IRFFT cropped or zero-padded to `frame_length`, windowed and
    overlap-added. For perfect reconstruction pass ``inverse_stft_window_fn(frame_step)`` as window_fn."""
    with ops.name_scope(name, "inverse_stft", [stfts]):
        stfts = ops.convert_to_tensor(stfts, name="stfts")
        stfts.shape.with_rank_at_least(2)
        frame_length, frame_step, fft_length = _stft_lengths(frame_length, frame_step, fft_length)
        real_frames = irfft(stfts, array_ops.stack([fft_length]))
        length_static = _static_int(frame_length)
        have = real_frames.shape.as_list()[-1] if real_frames.shape.ndims is not None else None
        if length_static is None or have is None:
            real_frames = real_frames[..., :frame_length]
            missing = math_ops.maximum(0, frame_length - array_ops.shape_v1(real_frames)[-1])
            paddings = array_ops.concat(
                [
                    array_ops.zeros(
                        array_ops.stack([array_ops.rank(real_frames) - 1, 2]), frame_length.dtype
                    ),
                    array_ops.reshape(array_ops.stack([0, missing]), [1, 2]),
                ],
                0,
            )
            real_frames = array_ops.pad(real_frames, paddings)
        elif have > length_static:
            real_frames = real_frames[..., :length_static]
        elif have < length_static:
            real_frames = array_ops.pad(
                real_frames, [[0, 0]] * (real_frames.shape.ndims - 1) + [[0, length_static - have]]
            )
        if length_static is not None and real_frames.shape.ndims is not None:
            real_frames.set_shape([None] * (real_frames.shape.ndims - 1) + [length_static])
        if window_fn is not None:
            real_frames *= window_fn(frame_length, dtype=stfts.dtype.real_dtype)
        return overlap_and_add(real_frames, frame_step)
