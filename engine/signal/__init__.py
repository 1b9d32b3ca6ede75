"""`tf.signal`: the Fourier transforms (engine/ops/fft_ops.py), framing, windows and short-time transforms
(engine/ops/signal_ops.py), mel filters, DCTs and MFCCs (engine/ops/mel_ops.py); re-exports only."""

from __future__ import annotations

from engine.ops.fft_ops import (
    fft,
    fft2d,
    fft3d,
    fftshift,
    ifft,
    ifft2d,
    ifft3d,
    ifftshift,
    irfft,
    irfft2d,
    irfft3d,
    rfft,
    rfft2d,
    rfft3d,
)
from engine.ops.mel_ops import (
    dct,
    idct,
    inverse_mdct,
    linear_to_mel_weight_matrix,
    mdct,
    mfccs_from_log_mel_spectrograms,
)
from engine.ops.signal_ops import (
    frame,
    hamming_window,
    hann_window,
    inverse_stft,
    inverse_stft_window_fn,
    kaiser_bessel_derived_window,
    kaiser_window,
    overlap_and_add,
    stft,
    vorbis_window,
)

__all__ = ["dct", "fft", "fft2d", "fft3d", "fftshift", "frame", "hamming_window", "hann_window", "idct",
           "ifft", "ifft2d", "ifft3d", "ifftshift", "inverse_mdct", "inverse_stft", "inverse_stft_window_fn",
           "kaiser_bessel_derived_window", "kaiser_window", "irfft",
           "irfft2d", "irfft3d", "linear_to_mel_weight_matrix", "mdct", "mfccs_from_log_mel_spectrograms",
           "overlap_and_add", "rfft", "rfft2d", "rfft3d", "stft", "vorbis_window"]
