"""`tf.nn`: activations and helpers (re-exports only).

Loss functions and conv/pool ops (owned by the training module) are added below by import lines.
"""

# ruff: noqa: F401 - this module only re-exports the public API

# Losses, convolution and pooling (engine/ops/nn_loss_ops.py, engine/ops/conv_ops.py).
from engine.ops.conv_ops import (  # noqa: E402
    avg_pool,
    conv2d,
    conv2d_backprop_filter,
    conv2d_backprop_input,
    max_pool,
)
from engine.ops.math_ops import sigmoid, tanh
from engine.ops.nn_loss_ops import (  # noqa: E402
    l2_loss,
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2,
    sparse_softmax_cross_entropy_with_logits,
)
from engine.ops.nn_ops import (
    bias_add,
    dropout,
    elu,
    leaky_relu,
    log_softmax,
    relu,
    relu6,
    selu,
    softmax,
    softplus,
    softsign,
)

# TensorFlow's names only (tests/interop/test_public_names.py checks them against tf.compat.v1.nn).
__all__ = [
    "avg_pool",
    "bias_add",
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "dropout",
    "elu",
    "l2_loss",
    "leaky_relu",
    "log_softmax",
    "max_pool",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "sigmoid_cross_entropy_with_logits",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "softplus",
    "softsign",
    "sparse_softmax_cross_entropy_with_logits",
    "tanh",
]
