"""``tf.signal``'s spectral features: ``linear_to_mel_weight_matrix``, ``dct`` / ``idct`` (types I-IV, on
RFFT / IRFFT), ``mdct`` / ``inverse_mdct`` (on the DCT-IV) and ``mfccs_from_log_mel_spectrograms`` (HTK's
scaled DCT-II), built from existing ops as TF builds them (python/ops/signal/mel_ops.py, dct_ops.py,
mfcc_ops.py, spectral_ops.py); no kernels or gradients of their own."""

from __future__ import annotations

import math

from engine.framework import dtypes, ops, tensor_util
from engine.framework import tensor_shape as _ts
from engine.ops import array_ops, math_ops
from engine.ops.complex_ops import complex as make_complex
from engine.ops.complex_ops import real
from engine.ops.fft_ops import irfft, rfft
from engine.ops.reverse_op import reverse
from engine.ops.signal_ops import frame, overlap_and_add, vorbis_window

# The mel scale of HTK and Slaney's toolbox: mel = 1127 ln(1 + hertz / 700).
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies_hertz, name=None):
    with ops.name_scope(name, "hertz_to_mel", [frequencies_hertz]):
        frequencies_hertz = ops.convert_to_tensor(frequencies_hertz)
        return _MEL_HIGH_FREQUENCY_Q * math_ops.log(1.0 + (frequencies_hertz / _MEL_BREAK_FREQUENCY_HERTZ))


def _validate_mel_arguments(num_mel_bins, sample_rate, lower_edge_hertz, upper_edge_hertz, dtype):
    if num_mel_bins <= 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
    if lower_edge_hertz < 0.0:
        raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError(
            f"lower_edge_hertz {lower_edge_hertz:.1f} >= upper_edge_hertz {upper_edge_hertz:.1f}"
        )
    if not isinstance(sample_rate, ops.Tensor):
        if sample_rate <= 0.0:
            raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
        if upper_edge_hertz > sample_rate / 2:
            raise ValueError(
                "upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate / 2). "
                f"Got {upper_edge_hertz} for sample_rate: {sample_rate}"
            )
    if not dtypes.as_dtype(dtype).is_floating:
        raise ValueError(f"dtype must be a floating point type. Got: {dtypes.as_dtype(dtype)}")


def linear_to_mel_weight_matrix(
    num_mel_bins=20,
    num_spectrogram_bins=129,
    sample_rate=8000,
    lower_edge_hertz=125.0,
    upper_edge_hertz=3800.0,
    dtype=dtypes.float32,
    name=None,
):
    """``tf.signal.linear_to_mel_weight_matrix``: [num_spectrogram_bins, num_mel_bins] weights of triangular
    mel filters (peak 1, overlapping halfway, edges evenly spaced in mels between the two edge frequencies)
    over the linear bins from 0 to the Nyquist frequency; the DC bin's row is zero."""
    with ops.name_scope(name, "linear_to_mel_weight_matrix") as name:
        if isinstance(sample_rate, ops.Tensor):
            static = tensor_util.constant_value(sample_rate)
            if static is not None:
                sample_rate = static
        _validate_mel_arguments(num_mel_bins, sample_rate, lower_edge_hertz, upper_edge_hertz, dtype)
        dtype = dtypes.as_dtype(dtype)
        sample_rate = array_ops.cast(sample_rate, dtype, name="sample_rate")
        lower_edge_hertz = ops.convert_to_tensor(lower_edge_hertz, dtype, name="lower_edge_hertz")
        upper_edge_hertz = ops.convert_to_tensor(upper_edge_hertz, dtype, name="upper_edge_hertz")
        zero = ops.convert_to_tensor(0.0, dtype)
        bands_to_zero = 1  # the DC bin carries no mel weight
        nyquist_hertz = sample_rate / 2.0
        linear_frequencies = math_ops.linspace(zero, nyquist_hertz, num_spectrogram_bins)[bands_to_zero:]
        spectrogram_bins_mel = array_ops.expand_dims(_hertz_to_mel(linear_frequencies), 1)
        band_edges_mel = frame(
            math_ops.linspace(
                _hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2
            ),
            frame_length=3,
            frame_step=1,
        )
        lower_edge_mel, center_mel, upper_edge_mel = (
            array_ops.reshape(t, [1, num_mel_bins]) for t in array_ops.split(band_edges_mel, 3, axis=1)
        )
        lower_slopes = (spectrogram_bins_mel - lower_edge_mel) / (center_mel - lower_edge_mel)
        upper_slopes = (upper_edge_mel - spectrogram_bins_mel) / (upper_edge_mel - center_mel)
        weights = math_ops.maximum(zero, math_ops.minimum(lower_slopes, upper_slopes))
        return array_ops.pad(weights, [[bands_to_zero, 0], [0, 0]], name=name)


# --- DCT ------------------------------------------------------------------------------------------------


def _validate_dct_arguments(input_tensor, dct_type, n, axis, norm):
    if axis != -1:
        raise ValueError(f"axis must be -1. Got: {axis}")  # TF raises NotImplementedError here
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if dct_type not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if dct_type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        last = _ts.dimension_value(input_tensor.shape[-1]) if input_tensor.shape.ndims else None
        if last is not None and last < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")


def _last_dim(t):
    d = _ts.dimension_value(t.shape[-1]) if t.shape.ndims else None
    return d if d else array_ops.shape_v1(t)[-1]


def _edge_weights(axis_dim, first, rest):
    """[first, rest, rest, ...] of length axis_dim (the DCT's orthonormal scaling)."""
    return array_ops.pad(
        array_ops.expand_dims(first, 0),
        array_ops.stack([array_ops.stack([0, axis_dim - 1])]),
        constant_values=rest,
    )


def _dct_internal(x, dct_type, n, norm):
    x = ops.convert_to_tensor(x)
    zero = ops.convert_to_tensor(0.0, dtype=x.dtype.base_dtype)
    if n is not None:
        seq_len = _last_dim(x)
        if isinstance(seq_len, int) and n <= seq_len:
            x = x[..., 0:n]
        elif isinstance(seq_len, int):
            x = array_ops.pad(x, [[0, 0]] * (x.shape.ndims - 1) + [[0, n - seq_len]])
        else:
            raise ValueError("dct with `n` needs the static size of the last dimension")
    axis_dim = _last_dim(x)
    axis_dim_float = array_ops.cast(axis_dim, x.dtype.base_dtype)
    if dct_type == 1:
        return real(rfft(array_ops.concat([x, x[..., -2:0:-1]], axis=-1)))
    if dct_type == 2:
        scale = 2.0 * math_ops.exp(
            make_complex(zero, -math_ops.range(axis_dim_float) * math.pi * 0.5 / axis_dim_float)
        )
        dct2 = real(rfft(x, fft_length=array_ops.stack([2 * axis_dim]))[..., :axis_dim] * scale)
        if norm == "ortho":
            n1 = 0.5 * math_ops.rsqrt(axis_dim_float)
            dct2 *= _edge_weights(axis_dim, n1, n1 * math.sqrt(2.0))
        return dct2
    if dct_type == 3:
        if norm == "ortho":
            n1 = math_ops.sqrt(axis_dim_float)
            x *= _edge_weights(axis_dim, n1, n1 * math.sqrt(0.5))
        else:
            x *= axis_dim_float
        scale = 2.0 * math_ops.exp(
            make_complex(zero, math_ops.range(axis_dim_float) * math.pi * 0.5 / axis_dim_float)
        )
        return real(irfft(scale * make_complex(x, zero), fft_length=array_ops.stack([2 * axis_dim])))[
            ..., :axis_dim
        ]
    with ops.name_scope(None, "dct", [x]):  # TF's type IV calls its whole dct again, scope and all
        dct2 = _dct_internal(x, 2, 2 * axis_dim, None)
    dct4 = dct2[..., 1::2]
    if norm == "ortho":
        dct4 *= math.sqrt(0.5) * math_ops.rsqrt(axis_dim_float)
    return dct4


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002 - TF's argument names
    """``tf.signal.dct``: the discrete cosine transform of type I-IV over the innermost dimension (cropped
    or zero-padded to `n`), unnormalised or orthonormal (`norm="ortho"`), as scipy.fftpack.dct."""
    with ops.name_scope(name, "dct", [input]):
        x = ops.convert_to_tensor(input)
        _validate_dct_arguments(x, type, n, axis, norm)
        return _dct_internal(x, type, n, norm)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """``tf.signal.idct``: the DCT of the inverse type (I: I, II: III, III: II, IV: IV); with
    `norm="ortho"` the exact inverse of `dct`, without it scaled by 2N (as TF)."""
    with ops.name_scope(name, "dct", [input]):  # TF's idct opens the dct scope
        x = ops.convert_to_tensor(input)
        _validate_dct_arguments(x, type, n, axis, norm)
        return _dct_internal(x, {1: 1, 2: 3, 3: 2, 4: 4}[type], n, norm)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """``tf.signal.mfccs_from_log_mel_spectrograms``: the DCT-II of each log-mel spectrogram scaled by
    sqrt(2 / N) / 2 (HTK's scaling, which differs from the orthonormal DCT in bin 0)."""
    with ops.name_scope(name, "mfccs_from_log_mel_spectrograms", [log_mel_spectrograms]):
        log_mel_spectrograms = ops.convert_to_tensor(log_mel_spectrograms)
        num_mel_bins = (
            _ts.dimension_value(log_mel_spectrograms.shape[-1]) if log_mel_spectrograms.shape.ndims else None
        )
        if num_mel_bins == 0:
            raise ValueError(f"num_mel_bins must be positive. Got: {log_mel_spectrograms}")
        if num_mel_bins is None:
            num_mel_bins = array_ops.shape_v1(log_mel_spectrograms)[-1]
        dct2 = dct(log_mel_spectrograms, type=2)
        return dct2 * math_ops.rsqrt(array_ops.cast(num_mel_bins, dct2.dtype) * 2.0)


# --- MDCT -----------------------------------------------------------------------------------------------


def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None):
    """``tf.signal.mdct``: the modified DCT of windowed half-overlapping frames (frame_length a multiple of
    4): each frame folded into half its length, then a DCT-IV; [..., frames, frame_length // 2]."""
    with ops.name_scope(name, "mdct", [signals, frame_length]):
        signals = ops.convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length = ops.convert_to_tensor(frame_length, name="frame_length")
        frame_length.shape.assert_has_rank(0)
        length_static = tensor_util.constant_value(frame_length)
        if length_static is not None:
            if length_static % 4 != 0:
                raise ValueError("The frame length must be a multiple of 4.")
            frame_step = ops.convert_to_tensor(length_static // 2, dtype=frame_length.dtype)
        else:
            frame_step = frame_length // 2
        framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed *= window_fn(frame_length, dtype=framed.dtype)
        else:
            framed *= 1.0 / math.sqrt(2)
        a, b, c, d = array_ops.split(framed, 4, axis=-1)
        folded = array_ops.concat((-reverse(c, [-1]) - d, a - reverse(b, [-1])), axis=-1)
        return dct(folded, type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None):
    """``tf.signal.inverse_mdct``: frames back from `mdct` (DCT-IV, unfolded, windowed) overlap-added; with
    the default window (or `kaiser_bessel_derived_window`) the signal is reconstructed."""
    with ops.name_scope(name, "inverse_mdct", [mdcts]):
        mdcts = ops.convert_to_tensor(mdcts, name="mdcts")
        mdcts.shape.with_rank_at_least(2)
        half_len = array_ops.cast(_ts.dimension_value(mdcts.shape[-1]), dtypes.int32)
        if norm is None:
            half_len_float = array_ops.cast(half_len, mdcts.dtype.base_dtype)
            result_idct4 = (0.5 / half_len_float) * dct(mdcts, type=4)
        elif norm == "ortho":
            result_idct4 = dct(mdcts, type=4, norm="ortho")
        else:
            raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")
        first, second = array_ops.split(result_idct4, 2, axis=-1)
        unfolded = (second, -reverse(second, [-1]), -reverse(first, [-1]), -first)
        real_frames = array_ops.concat(unfolded, axis=-1)
        if window_fn is not None:
            real_frames *= window_fn(2 * half_len, dtype=mdcts.dtype.base_dtype)
        else:
            real_frames *= 1.0 / math.sqrt(2)
        return overlap_and_add(real_frames, half_len)
