"""`tf.contrib`: only the `tf.contrib.layers` names TF1 scripts import most (engine/contrib/layers) and
`tf.contrib.rnn`'s cells and static RNNs (engine/contrib/rnn.py)."""

from engine.contrib import layers, rnn

__all__ = ["layers", "rnn"]
