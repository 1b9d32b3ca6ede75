"""`tf.nn.nce_loss` and `tf.nn.sampled_softmax_loss`: losses over the true classes and a sample of the
others, for large output vocabularies (word2vec).  Built from other ops as TF builds them
(`_compute_sampled_logits`): the candidate sampler (log-uniform by default), embedding lookups of the
weights and biases of the true and sampled classes, logits corrected by log(expected count), accidental
hits masked with -FLT_MAX through SparseToDense."""

from __future__ import annotations

from engine.framework import dtypes, ops
from engine.ops import array_ops, math_ops
from engine.ops.candidate_sampling_ops import compute_accidental_hits, log_uniform_candidate_sampler
from engine.ops.embedding_ops import embedding_lookup
from engine.ops.nn_loss_ops import sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits_v2
from engine.ops.sparse_ops import sparse_to_dense


def _sum_rows(x):
    """Each row of the matrix x summed, as a matmul with a column of ones (TF's `_sum_rows`)."""
    cols = array_ops.shape_v1(x)[1]
    ones = array_ops.ones(array_ops.stack([cols, 1]), x.dtype)
    return array_ops.reshape(math_ops.matmul(x, ones), [-1])


def _compute_sampled_logits(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    subtract_log_q=True,
    remove_accidental_hits=False,
    partition_strategy="mod",
    name=None,
    seed=None,
):
    """(logits, labels) of shape [batch, num_true + num_sampled]: the true classes' logits first, then the
    sampled ones; labels 1/num_true for the true classes, 0 for the sampled."""
    if not isinstance(weights, list):
        weights = list(weights) if isinstance(weights, tuple) else [weights]
    with ops.name_scope(name, "compute_sampled_logits", weights + [biases, inputs, labels]):
        labels = ops.convert_to_tensor(labels)
        if labels.dtype.base_dtype != dtypes.int64:
            labels = array_ops.cast(labels, dtypes.int64)
        labels_flat = array_ops.reshape(labels, [-1])
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                true_classes=labels,
                num_true=num_true,
                num_sampled=num_sampled,
                unique=True,
                range_max=num_classes,
                seed=seed,
            )
        sampled, true_expected_count, sampled_expected_count = (
            array_ops.stop_gradient(s) for s in sampled_values
        )
        sampled = array_ops.cast(sampled, dtypes.int64)
        all_ids = array_ops.concat([labels_flat, sampled], 0)
        # Weights: [num_true * batch + num_sampled, dim], the true classes' rows first.
        all_w = embedding_lookup(weights, all_ids, partition_strategy=partition_strategy)
        inputs = ops.convert_to_tensor(inputs)
        if all_w.dtype.base_dtype != inputs.dtype.base_dtype:
            all_w = array_ops.cast(all_w, inputs.dtype.base_dtype)
        true_w = array_ops.slice(all_w, [0, 0], array_ops.stack([array_ops.shape_v1(labels_flat)[0], -1]))
        sampled_w = array_ops.slice(all_w, array_ops.stack([array_ops.shape_v1(labels_flat)[0], 0]), [-1, -1])
        sampled_logits = math_ops.matmul(inputs, sampled_w, transpose_b=True)
        all_b = embedding_lookup(biases, all_ids, partition_strategy=partition_strategy)
        if all_b.dtype.base_dtype != inputs.dtype.base_dtype:
            all_b = array_ops.cast(all_b, inputs.dtype.base_dtype)
        true_b = array_ops.slice(all_b, [0], array_ops.shape_v1(labels_flat))
        sampled_b = array_ops.slice(all_b, array_ops.shape_v1(labels_flat), [-1])
        # True logits: each input row dotted with its num_true true weight rows.
        dim = array_ops.shape_v1(true_w)[1:2]
        new_true_w_shape = array_ops.concat([[-1, num_true], dim], 0)
        row_wise_dots = math_ops.multiply(
            array_ops.expand_dims(inputs, 1), array_ops.reshape(true_w, new_true_w_shape)
        )
        dots_as_matrix = array_ops.reshape(row_wise_dots, array_ops.concat([[-1], dim], 0))
        true_logits = array_ops.reshape(_sum_rows(dots_as_matrix), [-1, num_true])
        true_b = array_ops.reshape(true_b, [-1, num_true])
        true_logits += true_b
        sampled_logits += sampled_b
        if remove_accidental_hits:
            acc_indices, acc_ids, acc_weights = compute_accidental_hits(labels, sampled, num_true=num_true)
            acc_indices_2d = array_ops.reshape(acc_indices, [-1, 1])
            acc_ids_2d_int32 = array_ops.reshape(array_ops.cast(acc_ids, dtypes.int32), [-1, 1])
            sparse_indices = array_ops.concat([acc_indices_2d, acc_ids_2d_int32], 1, "sparse_indices")
            sampled_logits_shape = array_ops.concat(
                [array_ops.shape_v1(labels)[:1], array_ops.expand_dims(num_sampled, 0)], 0
            )
            if sampled_logits.dtype.base_dtype != acc_weights.dtype.base_dtype:
                acc_weights = array_ops.cast(acc_weights, sampled_logits.dtype.base_dtype)
            sampled_logits += sparse_to_dense(
                sparse_indices, sampled_logits_shape, acc_weights, default_value=0.0, validate_indices=False
            )
        if subtract_log_q:
            true_logits -= math_ops.log(true_expected_count)
            sampled_logits -= math_ops.log(sampled_expected_count)
        out_logits = array_ops.concat([true_logits, sampled_logits], 1)
        out_labels = array_ops.concat(
            [array_ops.ones_like(true_logits) / num_true, array_ops.zeros_like(sampled_logits)], 1
        )
        return out_logits, out_labels


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, partition_strategy="mod", name="nce_loss"):
    """``tf.nn.nce_loss``: per example, the noise-contrastive estimation loss (sigmoid cross-entropy of
    the true classes against `num_sampled` sampled ones), a [batch] Tensor."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values, True,
        remove_accidental_hits, partition_strategy, name)
    sampled_losses = sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name="sampled_losses")
    return _sum_rows(sampled_losses)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True, partition_strategy="mod",
                         name="sampled_softmax_loss", seed=None):
    """``tf.nn.sampled_softmax_loss``: per example, the softmax cross-entropy over the true classes and
    `num_sampled` sampled ones (accidental hits removed by default), a [batch] Tensor."""
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values, True,
        remove_accidental_hits, partition_strategy, name, seed)
    labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
