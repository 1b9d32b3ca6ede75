"""TF1's `tf.spectral`: the Fourier transforms and DCTs under their older namespace (`tf.signal`'s own
functions; the framing, windows and short-time transforms are `tf.signal`'s alone, as in TF)."""

from __future__ import annotations

from engine import signal as _signal

dct, idct = _signal.dct, _signal.idct
fft, fft2d, fft3d = _signal.fft, _signal.fft2d, _signal.fft3d
ifft, ifft2d, ifft3d = _signal.ifft, _signal.ifft2d, _signal.ifft3d
rfft, rfft2d, rfft3d = _signal.rfft, _signal.rfft2d, _signal.rfft3d
irfft, irfft2d, irfft3d = _signal.irfft, _signal.irfft2d, _signal.irfft3d

__all__ = ["dct", "fft", "fft2d", "fft3d", "idct", "ifft", "ifft2d", "ifft3d", "irfft", "irfft2d", "irfft3d",
           "rfft", "rfft2d", "rfft3d"]
