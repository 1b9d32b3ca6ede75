"""Candidate samplers, compute_accidental_hits, nce_loss and sampled_softmax_loss against TensorFlow 2.21
(tests/fixtures/sparse/sampling_model.py runs here and under the `tf_python` oracle): seeded samplers give
TF's candidates and expected counts bit for bit over several runs, the losses and gradients TF's values;
and a word2vec-style skip-gram model trains with nce_loss and with sampled_softmax_loss."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.engine.sparse_models import load, tensorflow_side

LOSSES = ("nce", "nce_two_true_hits", "sampled_softmax", "sampled_softmax_div", "sampled_softmax_mod")


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


@pytest.fixture(scope="module")
def tensorflow_results(tf_python):
    return tensorflow_side(tf_python, "sampling_model")


@pytest.fixture
def engine_results():
    module = load("sampling_model")
    return module.run(tf, module.build(tf, tf.random))


def test_seeded_samplers_give_tensorflows_candidates_and_expected_counts(engine_results, tensorflow_results):
    assert sorted(engine_results) == sorted(tensorflow_results)
    for key in engine_results:
        if key not in LOSSES:
            assert engine_results[key] == tensorflow_results[key], key


def test_sampled_losses_and_gradients_match_tensorflow(engine_results, tensorflow_results):
    for key in LOSSES:
        for ours, theirs in zip(engine_results[key], tensorflow_results[key], strict=True):
            for a, b in zip(ours, theirs, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=key)


def test_sampler_errors_are_tfs():
    with pytest.raises(
        TypeError,
        match="Input 'true_classes' of 'UniformCandidateSampler' Op has type int32 "
        "that does not match expected type of int64.",
    ):
        tf.random.uniform_candidate_sampler(tf.constant([[1]]), 1, 2, True, 5)
    with pytest.raises(ValueError, match="Must provide either vocab_file or unigrams."):
        tf.random.fixed_unigram_candidate_sampler(tf.constant([[1]], tf.int64), 1, 2, True, 5)
    classes = tf.placeholder(tf.int64, [None, 1])
    sampled = tf.random.uniform_candidate_sampler(classes, 1, 6, True, 5, seed=1)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Sampler's range is too small."):
            sess.run(sampled, {classes: [[1]]})
        small = tf.random.uniform_candidate_sampler(classes, 1, 2, True, 5, seed=1)
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"`true_candidate` out of range \[0, 5\), "
            "received 7",
        ):
            sess.run(small, {classes: [[7]]})


def _skip_gram_pairs(corpus, window):
    pairs = [
        (corpus[i], corpus[j])
        for i in range(len(corpus))
        for j in range(max(0, i - window), min(len(corpus), i + window + 1))
        if i != j
    ]
    return np.array([p[0] for p in pairs]), np.array([[p[1]] for p in pairs])


@pytest.mark.parametrize("loss_fn", ["nce_loss", "sampled_softmax_loss"])
def test_word2vec_skip_gram_trains(loss_fn):
    """A toy corpus of two topics: after training, each word's nearest neighbour is from its own topic."""
    vocab, dim = 12, 8
    rng = np.random.RandomState(0)
    topic_a, topic_b = np.arange(6), np.arange(6, 12)
    corpus = np.concatenate([rng.choice(topic_a if k % 2 == 0 else topic_b, 30) for k in range(20)])
    inputs_np, labels_np = _skip_gram_pairs(corpus, 2)
    tf.set_random_seed(1)
    embeddings = tf.Variable(tf.random_uniform([vocab, dim], -1.0, 1.0), name="embeddings")
    weights = tf.Variable(tf.truncated_normal([vocab, dim], stddev=1.0 / np.sqrt(dim)), name="nce_weights")
    biases = tf.Variable(tf.zeros([vocab]), name="nce_biases")
    inputs = tf.placeholder(tf.int32, [None])
    labels = tf.placeholder(tf.int64, [None, 1])
    embed = tf.nn.embedding_lookup(embeddings, inputs)
    loss = tf.reduce_mean(
        getattr(tf.nn, loss_fn)(weights, biases, labels, embed, num_sampled=4, num_classes=vocab)
    )
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    normalized = embeddings / tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keepdims=True))
    similarity = tf.matmul(normalized, normalized, transpose_b=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        history = []
        for _ in range(200):
            batch = rng.choice(len(inputs_np), 64)
            value, _ = sess.run([loss, train], {inputs: inputs_np[batch], labels: labels_np[batch]})
            history.append(value)
        sims = sess.run(similarity)
    assert np.mean(history[-20:]) < 0.85 * np.mean(history[:20]), (history[:20], history[-20:])
    np.fill_diagonal(sims, -np.inf)
    same_topic = [(np.argmax(sims[w]) < 6) == (w < 6) for w in range(vocab)]
    assert sum(same_topic) >= 10, sims
