"""Sums down the rows of tall arrays with short rows (engine/ops/math_ops/reductions.py `sum_rows`): a
bias gradient's Sum and BiasAddGrad, k rows at a time, closer to the exact sum than row after row."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.ops.math_ops.reductions import WIDE_ROW, sum_rows


@pytest.mark.parametrize(("rows", "width"), [(50_176, 32), (4_099, 64), (100_003, 7), (9, 32), (5_000, 4096)])
def test_sum_rows_is_the_sum_down_the_rows(rows, width):
    x = np.random.RandomState(rows).rand(rows, width).astype(np.float32)
    exact = x.astype(np.float64).sum(axis=0)
    total = sum_rows(x)
    assert total.dtype == np.float32 and total.shape == (width,)
    row_by_row = np.add.reduce(x, axis=0)
    if WIDE_ROW // width < 2 or rows < 4 * (WIDE_ROW // width):
        np.testing.assert_array_equal(total, row_by_row)  # too little to gain: numpy's own reduction
        return
    # never further from the exact sum than numpy's row-by-row reduction, and within float32 rounding
    assert np.abs(total - exact).max() <= np.abs(row_by_row - exact).max() + 1e-6 * np.abs(exact).max()
    np.testing.assert_allclose(total, exact, rtol=2e-6)


def test_bias_gradients_use_it_and_keep_shapes():
    x_value = np.random.RandomState(0).rand(64, 28, 28, 32).astype(np.float32)
    x = tf.constant(x_value)
    b = tf.zeros([32])
    y = tf.nn.bias_add(x, b)
    summed = tf.reduce_sum(x, axis=[0, 1, 2])
    kept = tf.reduce_sum(x, axis=[0, 1, 2], keepdims=True)
    (grad,) = tf.gradients(tf.reduce_sum(y * y), [b])
    with tf.Session() as sess:
        s, k, g = sess.run([summed, kept, grad])
    exact = x_value.astype(np.float64).sum(axis=(0, 1, 2))
    np.testing.assert_allclose(s, exact, rtol=2e-6)
    assert k.shape == (1, 1, 1, 32)
    np.testing.assert_array_equal(k.reshape(-1), s)
    np.testing.assert_allclose(g, 2 * (x_value.astype(np.float64)).sum(axis=(0, 1, 2)), rtol=2e-6)
