"""`tf.contrib`: only the `tf.contrib.layers` names TF1 scripts import most (engine/contrib/layers)."""

from engine.contrib import layers

__all__ = ["layers"]
