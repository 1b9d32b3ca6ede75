"""``tf.keras`` as TF1 graph-mode scripts use it (re-exports only): its initializers."""

from engine.keras import initializers

__all__ = ["initializers"]
