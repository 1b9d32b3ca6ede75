"""`tf.debugging`: the finiteness tests under TF's ``tf.debugging`` names (re-exports only)."""

# ruff: noqa: F401 - this module only re-exports the public API

from engine.ops.math_ops import is_finite, is_inf, is_nan

__all__ = ["is_finite", "is_inf", "is_nan"]
