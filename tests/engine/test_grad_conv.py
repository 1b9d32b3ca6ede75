"""tf.nn.conv2d / max_pool / avg_pool against plain loops over TF's SAME/VALID geometry, and a small
MNIST-style CNN that trains."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.ops import conv_ops

RNG = np.random.RandomState(11)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def loop_conv(x, f, strides, padding, dilations):
    kh, kw, _, co = f.shape
    n, h, w, _ = x.shape
    oh, pt, _ = conv_ops.out_size_and_pad(h, kh, strides[1], dilations[1], padding)
    ow, pl, _ = conv_ops.out_size_and_pad(w, kw, strides[2], dilations[2], padding)
    out = np.zeros((n, oh, ow, co))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    r = i * strides[1] + a * dilations[1] - pt
                    c = j * strides[2] + b * dilations[2] - pl
                    if 0 <= r < h and 0 <= c < w:
                        out[:, i, j, :] += x[:, r, c, :] @ f[a, b]
    return out


def loop_pool(x, k, s, padding, reduce):
    n, h, w, ch = x.shape
    oh, pt, _ = conv_ops.out_size_and_pad(h, k, s, 1, padding)
    ow, pl, _ = conv_ops.out_size_and_pad(w, k, s, 1, padding)
    out = np.zeros((n, oh, ow, ch))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * s - pt, j * s - pl
            window = x[:, max(r0, 0) : r0 + k, max(c0, 0) : c0 + k, :]
            out[:, i, j, :] = reduce(window, axis=(1, 2))
    return out


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize(
    "strides,dilations",
    [
        ((1, 1, 1, 1), (1, 1, 1, 1)),
        ((1, 2, 2, 1), (1, 1, 1, 1)),
        ((1, 3, 2, 1), (1, 1, 1, 1)),
        ((1, 1, 1, 1), (1, 2, 3, 1)),
    ],
)
def test_conv2d_matches_loops(padding, strides, dilations):
    x = RNG.randn(2, 9, 8, 3).astype(np.float32)
    f = RNG.randn(3, 2, 3, 4).astype(np.float32)
    y = tf.nn.conv2d(x, f, strides=list(strides), padding=padding, dilations=list(dilations))
    with tf.Session() as sess:
        got = sess.run(y)
    assert y.shape.as_list() == list(got.shape)
    np.testing.assert_allclose(got, loop_conv(x, f, strides, padding, dilations), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("k,s", [(2, 2), (3, 2), (3, 1)])
def test_pooling_matches_loops(padding, k, s):
    x = RNG.randn(2, 7, 6, 3).astype(np.float32)
    mp = tf.nn.max_pool(x, ksize=[1, k, k, 1], strides=[1, s, s, 1], padding=padding)
    ap = tf.nn.avg_pool(x, ksize=[1, k, k, 1], strides=[1, s, s, 1], padding=padding)
    with tf.Session() as sess:
        got_max, got_avg = sess.run([mp, ap])
    np.testing.assert_allclose(got_max, loop_pool(x, k, s, padding, np.max), rtol=1e-6)
    # TF's SAME average pooling divides by the number of real (unpadded) inputs in the window.
    np.testing.assert_allclose(got_avg, loop_pool(x, k, s, padding, np.mean), rtol=1e-5)


def test_conv_refuses_to_run_nchw_and_rejects_bad_padding():
    x = tf.placeholder(tf.float32, [1, 4, 4, 1])
    f = tf.constant(np.ones((2, 2, 1, 1), np.float32))
    nchw = tf.nn.conv2d(tf.transpose(x, [0, 3, 1, 2]), f, strides=[1, 1, 1, 1], padding="SAME",
                        data_format="NCHW")
    assert nchw.shape.as_list() == [1, 1, 4, 4]
    with tf.Session() as sess, pytest.raises(tf.errors.UnimplementedError, match="only supports the NHWC"):
        sess.run(nchw, {x: np.ones((1, 4, 4, 1), np.float32)})
    with pytest.raises(ValueError, match="padding"):
        tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="FULL")


def test_small_cnn_trains():
    """The classic TF1 MNIST-style CNN (conv-relu-pool x2, dense, softmax) learns a toy task."""
    n = 64
    images = RNG.rand(n, 8, 8, 1).astype(np.float32)
    labels = (images[:, :4].mean(axis=(1, 2, 3)) > images[:, 4:].mean(axis=(1, 2, 3))).astype(np.int32)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y = tf.placeholder(tf.int32, [None])
    w1 = tf.Variable(tf.truncated_normal([3, 3, 1, 8], stddev=0.3, seed=1))
    h = tf.nn.max_pool(
        tf.nn.relu(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME")), [1, 2, 2, 1], [1, 2, 2, 1], "SAME"
    )
    w2 = tf.Variable(tf.truncated_normal([3, 3, 8, 8], stddev=0.3, seed=2))
    h = tf.nn.avg_pool(
        tf.nn.relu(tf.nn.conv2d(h, w2, [1, 1, 1, 1], "SAME")), [1, 2, 2, 1], [1, 2, 2, 1], "VALID"
    )
    flat = tf.reshape(h, [-1, 2 * 2 * 8])
    w3 = tf.Variable(tf.truncated_normal([32, 2], stddev=0.3, seed=3))
    logits = tf.matmul(flat, w3) + tf.Variable(tf.zeros([2]))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.02).minimize(loss)
    feed = {x: images, y: labels}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, feed)
        for _ in range(150):
            sess.run(train, feed)
        last = sess.run(loss, feed)
    assert last < 0.5 * first
