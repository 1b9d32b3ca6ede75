"""Products whose output columns a loop reads only partly (engine/runtime/narrowed_products.py): the
read columns alone, the kernel's own error for operands that do not fit, and the cuts Split and SplitV
declare (engine/ops/array_ops/joins.py)."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from engine.framework import errors
from engine.runtime.narrowed_products import narrowed_product


def _matmul_kernel(transpose_b):
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float32, [None, None])
        b = tf.placeholder(tf.float32, [None, None])
        product = tf.matmul(a, b, transpose_b=transpose_b)
    definition = product.op.op_def
    return definition.make_kernel(product.op, None), definition.narrows(product.op)


@pytest.mark.parametrize("transpose_b", [True, False])
def test_the_read_columns_of_the_product(transpose_b):
    kernel, b_axis = _matmul_kernel(transpose_b)
    assert b_axis == (0 if transpose_b else 1)
    rng = np.random.RandomState(0)
    a = rng.randn(8, 16).astype(np.float32)
    b = rng.randn(24, 16).astype(np.float32) if transpose_b else rng.randn(16, 24).astype(np.float32)
    full = kernel(a, b)
    part = narrowed_product(kernel, a, b, b_axis, 5, 19)
    assert part.shape == (8, 14)
    np.testing.assert_allclose(part, full[:, 5:19], rtol=1e-5, atol=1e-5)


def test_operands_that_do_not_fit_raise_the_whole_products_error():
    kernel, b_axis = _matmul_kernel(True)
    a, b = np.ones((2, 3), np.float32), np.ones((6, 4), np.float32)
    with pytest.raises(errors.InvalidArgumentError, match=r"In\[1\]: \[4,6\]"):
        narrowed_product(kernel, a, b, b_axis, 1, 3)


def test_split_and_splitv_declare_their_cuts():
    x = tf.placeholder(tf.float32, [4, 12])
    assert tf.split(x, [2, -1, 3], axis=1)[0].op.op_def.cuts(tf.split(x, [2, -1, 3], axis=1)[0].op) == (
        0, 1, [0, 2, 9, 12])
    even = tf.split(x, 3, axis=-1)[0].op
    assert even.op_def.cuts(even) == (1, 1, [0, 4, 8, 12])
    unknown = tf.split(tf.placeholder(tf.float32, [4, None]), 2, axis=1)[0].op
    assert unknown.op_def.cuts(unknown) is None
