"""The tap-walking conv/pool kernels (engine/ops/conv_ops.py): scratch buffers reused across steps and
input shapes, and max-pool gradient routing (first maximum, ties, NaN, -inf windows) against loops."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.ops import conv_ops
from engine.runtime import blas_threads
from tests.engine.test_grad_conv import loop_conv

RNG = np.random.RandomState(5)


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_scratch_is_reused_and_kept_apart_by_input_shape():
    """A patch matrix whose padded entries were left zero by one image shape must not serve another
    shape with the same matrix size: 2 images of [4, 6] and 4 of [2, 6] both give 48 rows of patches."""
    x = tf.placeholder(tf.float32, [None, None, 6, 3])
    f = RNG.randn(3, 3, 3, 2).astype(np.float32)
    y = tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME")
    with tf.Session() as sess:
        for shape in [(2, 4, 6, 3), (2, 4, 6, 3), (4, 2, 6, 3), (2, 4, 6, 3), (1, 5, 6, 3)]:
            xv = RNG.randn(*shape).astype(np.float32)
            expected = loop_conv(xv, f, (1, 1, 1, 1), "SAME", (1, 1, 1, 1))
            np.testing.assert_allclose(sess.run(y, {x: xv}), expected, rtol=1e-5, atol=1e-5)


def test_scratch_keeps_buffers_between_calls():
    scratch = conv_ops._Scratch()
    x = RNG.randn(2, 5, 5, 3).astype(np.float32)
    f = RNG.randn(3, 3, 3, 4).astype(np.float32)
    first = conv_ops.np_conv2d(x, f, (1, 1, 1, 1), "SAME", scratch=scratch)
    (key, held), = scratch._free
    again = conv_ops.np_conv2d(x, f, (1, 1, 1, 1), "SAME", scratch=scratch)
    assert scratch._free[0][1] is held and key == ("patches",) + x.shape[1:]
    np.testing.assert_array_equal(first, again)


def loop_max_pool_grad(x, dy, k, s, padding):
    """np.argmax over each window of the input padded with -inf: the first maximum, a NaN first."""
    n, h, w, ch = x.shape
    oh, pt, _ = conv_ops.out_size_and_pad(h, k, s, 1, padding)
    ow, pl, _ = conv_ops.out_size_and_pad(w, k, s, 1, padding)
    xp = np.full((n, h + 2 * k, w + 2 * k, ch), -np.inf, x.dtype)
    xp[:, k:k + h, k:k + w] = x
    dxp = np.zeros(xp.shape, dy.dtype)
    for b in range(n):
        for c in range(ch):
            for i in range(oh):
                for j in range(ow):
                    r, q = i * s - pt + k, j * s - pl + k
                    window = xp[b, r:r + k, q:q + k, c]
                    a, e = np.unravel_index(np.argmax(window), window.shape)
                    dxp[b, r + a, q + e, c] += dy[b, i, j, c]
    return dxp[:, k:k + h, k:k + w]


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("k,s", [(2, 2), (3, 2), (3, 1), (2, 3)])
def test_max_pool_grad_routes_to_the_first_maximum(padding, k, s):
    x = np.round(RNG.randn(2, 7, 6, 3) * 1.5).astype(np.float32)  # many ties
    mask = RNG.rand(*x.shape)
    x[mask < 0.05] = np.nan
    x[mask > 0.85] = -np.inf
    x[1, :3, :3, 2] = -np.inf  # whole windows of -inf, some reaching the padding
    y = conv_ops.np_max_pool(x, (1, k, k, 1), (1, s, s, 1), padding)
    dy = RNG.randn(*y.shape).astype(np.float32)
    got = conv_ops.np_max_pool_grad(x, y, dy, (1, k, k, 1), (1, s, s, 1), padding)
    np.testing.assert_allclose(got, loop_max_pool_grad(x, dy, k, s, padding), rtol=1e-6, atol=1e-6)
    dy[0, 0, 0, 0] = np.nan  # a NaN gradient goes to its window's maximum only
    got = conv_ops.np_max_pool_grad(x, y, dy, (1, k, k, 1), (1, s, s, 1), padding)
    np.testing.assert_allclose(got, loop_max_pool_grad(x, dy, k, s, padding), rtol=1e-6, atol=1e-6)


def test_chunks_on_intra_op_threads_give_the_same_values(monkeypatch):
    """With BLAS held to one thread the convolutions' batch chunks run on the intra-op threads; the
    values are those of one thread, bit for bit (the filter gradient's chunks are summed in order)."""
    x = RNG.randn(40, 12, 12, 16).astype(np.float32)  # several ~2 MiB chunks of patches
    f = RNG.randn(5, 5, 16, 8).astype(np.float32)
    dy = RNG.randn(40, 12, 12, 8).astype(np.float32)
    results = {}
    for workers in (1, 2):
        monkeypatch.setattr(blas_threads.PROCESS, "threads", 1)
        monkeypatch.setattr(blas_threads.PROCESS, "workers", workers)
        results[workers] = (conv_ops.np_conv2d(x, f, (1, 1, 1, 1), "SAME"),
                            conv_ops.np_conv2d_backprop_filter(x, f.shape, dy, (1, 1, 1, 1), "SAME"),
                            conv_ops.np_conv2d_backprop_input(x.shape, f, dy, (1, 1, 1, 1), "SAME"))
    for one, two in zip(results[1], results[2], strict=True):
        np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(results[2][0], loop_conv(x, f, (1, 1, 1, 1), "SAME", (1, 1, 1, 1)),
                               rtol=1e-4, atol=1e-4)


def test_pools_in_batch_chunks_give_the_same_values(monkeypatch):
    """The pooling kernels run in batch chunks: the values are those of the whole batch, bit for bit (a
    NaN gradient in one chunk only)."""
    x = np.round(RNG.randn(40, 12, 12, 64) * 2).astype(np.float32)  # ties; three chunks of images
    x[3, 2:5, 1:4, 7] = np.nan
    ksize, strides = (1, 3, 3, 1), (1, 2, 2, 1)
    y = conv_ops.np_max_pool(x, ksize, strides, "SAME")
    dy = RNG.randn(*y.shape).astype(np.float32)
    dy[30, 1, 1, 5] = np.nan
    g = RNG.randn(*x.shape).astype(np.float32)

    def run():
        return [conv_ops.np_max_pool(x, ksize, strides, "SAME"),
                conv_ops.np_max_pool_grad(x, y, dy, ksize, strides, "SAME"),
                conv_ops.np_max_pool_grad_grad(x, y, g, ksize, strides, "SAME"),
                conv_ops.np_avg_pool(x, ksize, strides, "SAME"),
                conv_ops.np_avg_pool_grad(x.shape, dy, ksize, strides, "SAME")]

    chunked = run()
    monkeypatch.setattr(conv_ops, "_POOL_CHUNK_BYTES", 1 << 40)  # the whole batch in one chunk
    whole = run()
    for a, b in zip(chunked, whole, strict=True):
        assert a.tobytes() == b.tobytes()
    dx = chunked[1]
    assert np.isnan(dx[30]).any() and not np.isnan(np.delete(dx, 30, axis=0)).any()


@pytest.mark.parametrize("channels", [1, 3])
def test_tap_major_patches_give_the_values_of_row_major_ones(monkeypatch, channels):
    """Few channels: the patch matrix is built tap-major and used transposed; the convolution and its
    filter gradient are those of the row-major matrix bit for bit (padding, strides, a last short chunk,
    scratch reused)."""
    x = RNG.randn(300, 13, 11, channels).astype(np.float32)  # several ~2 MiB chunks, the last one short
    f = RNG.randn(5, 3, channels, 6).astype(np.float32)
    results = {}
    for threshold in (4, 0):
        monkeypatch.setattr(conv_ops, "_TAP_MAJOR_CHANNELS", threshold)
        scratch = conv_ops._Scratch()
        for strides in [(1, 1, 1, 1), (1, 2, 3, 1)]:
            y = conv_ops.np_conv2d(x, f, strides, "SAME", scratch=scratch)
            dy = np.random.RandomState(1).randn(*y.shape).astype(np.float32)
            results.setdefault(threshold, []).extend(
                [y, conv_ops.np_conv2d_backprop_filter(x, f.shape, dy, strides, "SAME", scratch=scratch)])
    for tap_major, row_major in zip(results[4], results[0], strict=True):
        assert tap_major.tobytes() == row_major.tobytes()
    np.testing.assert_allclose(results[4][0], loop_conv(x, f, (1, 1, 1, 1), "SAME", (1, 1, 1, 1)),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int32])
@pytest.mark.parametrize("k,s,padding", [(2, 2, "SAME"), (2, 2, "VALID"), (3, 3, "SAME"), (2, 3, "VALID"),
                                         (1, 2, "SAME")])
def test_disjoint_max_pool_grad_gives_the_summed_kernels_values(dtype, k, s, padding):
    """Windows that do not overlap: the gradient is written, not summed into zeros, and is the summing
    kernel's bit for bit (a -0 gradient becomes +0 there; NaN and infinite gradients go to the maximum
    only; inputs in no window, as VALID leaves them, get 0)."""
    rng = np.random.RandomState(11)
    x = np.round(rng.randn(5, 9, 7, 4) * 1.5).astype(dtype)  # ties
    if dtype != np.int32:
        mask = rng.rand(*x.shape)
        x[mask < 0.05] = np.nan
        x[mask > 0.9] = -np.inf
        x[1, :3, :3, 2] = -np.inf
    geo = conv_ops._Geometry(x.shape, k, k, (1, s, s, 1), (1, 1, 1, 1), padding)
    dy = (rng.randn(x.shape[0], geo.oh, geo.ow, x.shape[3]) * 3).astype(dtype)
    if dtype != np.int32:
        dy[rng.rand(*dy.shape) < 0.2] = -0.0
        dy[0, 0, 0, :2] = [np.nan, np.inf]
    got = conv_ops._max_pool_grad_disjoint(x, dy, geo)
    assert got.tobytes() == conv_ops._max_pool_grad_summed(x, dy, geo).tobytes()
    y = conv_ops.np_max_pool(x, (1, k, k, 1), (1, s, s, 1), padding)
    assert conv_ops.np_max_pool_grad(x, y, dy, (1, k, k, 1), (1, s, s, 1), padding).tobytes() == got.tobytes()


def test_row_major_patches_from_padded_windows():
    """More channels: the patch matrix is copied from a window view of the chunk's images within their
    padding (a scratch whose border stays zero); reused across image shapes, strides, dilations and
    both paddings (VALID windows that leave rows and columns unread included), its values are the loop's."""
    f = RNG.randn(3, 4, 6, 5).astype(np.float32)
    scratch = {}
    for shape in [(3, 9, 8, 6), (2, 9, 8, 6), (3, 7, 11, 6), (3, 9, 8, 6)]:
        x = RNG.randn(*shape).astype(np.float32)
        for strides, dilations in [((1, 1, 1, 1), (1, 1, 1, 1)), ((1, 2, 3, 1), (1, 1, 1, 1)),
                                   ((1, 1, 1, 1), (1, 2, 2, 1))]:
            for padding in ("SAME", "VALID"):
                s = scratch.setdefault((strides, dilations, padding), conv_ops._Scratch())
                got = conv_ops.np_conv2d(x, f, strides, padding, dilations, scratch=s)
                expected = loop_conv(x, f, strides, padding, dilations)
                np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
