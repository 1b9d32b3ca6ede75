"""`tf.contrib.rnn`: TF 1.15's aliases of the `tf.nn.rnn_cell` cells and `tf.nn.static_rnn` family
(re-exports only)."""

from engine.nn import rnn_cell as _rnn_cell
from engine.nn.rnn_cell import *  # noqa: F403 - the same cells under contrib's name
from engine.ops.rnn import static_bidirectional_rnn, static_rnn

__all__ = [*_rnn_cell.__all__, "static_bidirectional_rnn", "static_rnn"]
