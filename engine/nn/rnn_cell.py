"""`tf.nn.rnn_cell`: the RNN cells and wrappers (re-exports only; engine/ops/rnn_cell_impl.py and
rnn_cell_wrappers.py)."""



from engine.ops.rnn_cell_impl import (
    BasicLSTMCell,
    BasicRNNCell,
    GRUCell,
    LSTMCell,
    LSTMStateTuple,
    RNNCell,
)
from engine.ops.rnn_cell_wrappers import DeviceWrapper, DropoutWrapper, MultiRNNCell, ResidualWrapper

# TensorFlow's names only (tests/interop/test_public_names.py checks them against tf.compat.v1.nn.rnn_cell).
__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "GRUCell",
    "LSTMCell",
    "LSTMStateTuple",
    "MultiRNNCell",
    "RNNCell",
    "ResidualWrapper",
]
