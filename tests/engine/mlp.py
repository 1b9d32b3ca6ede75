"""The small relu MLP several engine tests train (6 -> 5 relu -> 5 relu -> 4, softmax cross-entropy)."""

from __future__ import annotations

import numpy as np

import engine as tf


def relu_mlp():
    """Builds the model in the default graph from fixed values; returns (x, y, logits, loss, x value,
    y value)."""
    rng = np.random.RandomState(3)
    xv = rng.randn(8, 6).astype(np.float32)
    yv = np.eye(4, dtype=np.float32)[rng.randint(0, 4, 8)]
    x = tf.placeholder(tf.float32, [None, 6], name="x")
    y = tf.placeholder(tf.float32, [None, 4], name="y")
    h = x
    for i, size in enumerate([5, 5, 4]):
        with tf.variable_scope(f"layer{i}"):
            w0 = rng.randn(h.shape[1].value, size).astype(np.float32)
            w = tf.get_variable("w", initializer=tf.constant(w0))
            b = tf.get_variable("b", initializer=tf.constant(rng.randn(size).astype(np.float32) * 0.1))
            h = tf.matmul(h, w) + b
            if i < 2:
                h = tf.nn.relu(h)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
    return x, y, h, loss, xv, yv
