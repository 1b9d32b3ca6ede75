"""`tf.signal` (and TF1's `tf.spectral`): the Fourier transforms (re-exports only; engine/ops/fft_ops.py)."""

from __future__ import annotations

from engine.ops.fft_ops import fft, fft2d, ifft, ifft2d, irfft, irfft2d, rfft, rfft2d

__all__ = ["fft", "fft2d", "ifft", "ifft2d", "irfft", "irfft2d", "rfft", "rfft2d"]
