"""`tf.nn`: activations and helpers (re-exports only).

Loss functions and conv/pool ops (owned by the training module) are added below by import lines.
"""

# ruff: noqa: F401 - this module only re-exports the public API

# Recurrent networks: static_rnn (engine/ops/rnn.py), dynamic_rnn (engine/ops/dynamic_rnn.py) and the
# `rnn_cell` namespace of cells.
from engine.nn import rnn_cell

# Losses, convolution and pooling (engine/ops/nn_loss_ops.py, engine/ops/conv_ops.py).
from engine.ops.conv3d_ops import avg_pool3d, conv3d, conv3d_transpose, max_pool3d
from engine.ops.conv_ops import (  # noqa: E402
    avg_pool,
    conv2d,
    conv2d_backprop_filter,
    conv2d_backprop_input,
    max_pool,
)
from engine.ops.depthwise_conv_ops import depthwise_conv2d, depthwise_conv2d_native, separable_conv2d
from engine.ops.dynamic_rnn import bidirectional_dynamic_rnn, dynamic_rnn, raw_rnn
from engine.ops.embedding_ops import embedding_lookup
from engine.ops.lrn_ops import local_response_normalization, lrn
from engine.ops.math_ops import sigmoid, tanh
from engine.ops.nn_impl import (
    atrous_conv2d,
    avg_pool1d,
    avg_pool2d,
    batch_normalization,
    conv1d,
    conv1d_transpose,
    conv2d_transpose,
    crelu,
    fused_batch_norm,
    l2_normalize,
    log_poisson_loss,
    max_pool1d,
    max_pool2d,
    moments,
    normalize_moments,
    relu_layer,
    sufficient_statistics,
    swish,
    weighted_cross_entropy_with_logits,
    weighted_moments,
    xw_plus_b,
    zero_fraction,
)
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
from engine.ops.rnn import static_bidirectional_rnn, static_rnn
from engine.ops.top_k_ops import in_top_k, top_k

# TensorFlow's names only (tests/interop/test_public_names.py checks them against tf.compat.v1.nn).
__all__ = [
    "atrous_conv2d",
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_normalization",
    "bias_add",
    "bidirectional_dynamic_rnn",
    "conv1d",
    "conv1d_transpose",
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "crelu",
    "depthwise_conv2d",
    "depthwise_conv2d_native",
    "dropout",
    "dynamic_rnn",
    "elu",
    "embedding_lookup",
    "fused_batch_norm",
    "in_top_k",
    "l2_loss",
    "l2_normalize",
    "leaky_relu",
    "local_response_normalization",
    "log_poisson_loss",
    "log_softmax",
    "lrn",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "moments",
    "normalize_moments",
    "raw_rnn",
    "relu",
    "relu6",
    "relu_layer",
    "rnn_cell",
    "selu",
    "separable_conv2d",
    "sigmoid",
    "sigmoid_cross_entropy_with_logits",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "softplus",
    "softsign",
    "sparse_softmax_cross_entropy_with_logits",
    "static_bidirectional_rnn",
    "static_rnn",
    "sufficient_statistics",
    "swish",
    "tanh",
    "top_k",
    "weighted_cross_entropy_with_logits",
    "weighted_moments",
    "xw_plus_b",
    "zero_fraction",
]

# --- the sparse slice: embeddings of SparseTensor ids, candidate sampling, sampled losses -----------------
from engine.ops.candidate_sampling_ops import (  # noqa: E402
    all_candidate_sampler,
    compute_accidental_hits,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)
from engine.ops.embedding_sparse import embedding_lookup_sparse, safe_embedding_lookup_sparse  # noqa: E402
from engine.ops.sampled_losses import nce_loss, sampled_softmax_loss  # noqa: E402

__all__ += [
    "all_candidate_sampler",
    "compute_accidental_hits",
    "embedding_lookup_sparse",
    "fixed_unigram_candidate_sampler",
    "learned_unigram_candidate_sampler",
    "log_uniform_candidate_sampler",
    "nce_loss",
    "safe_embedding_lookup_sparse",
    "sampled_softmax_loss",
    "uniform_candidate_sampler",
]
