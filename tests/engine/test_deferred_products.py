"""The sum of a loop's products A_t^T B_t held and computed as one GEMM (engine/runtime/deferred_products.py):
the same sum as the per-iteration adds, bounded memory, and operands it cannot hold added at once."""

from __future__ import annotations

import numpy as np
import pytest

from engine.runtime import deferred_products
from engine.runtime.deferred_products import DeferredProducts


def _matmul(a, b):  # stands for the MatMul kernel with transpose_a=True
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"Matrix size-incompatible: {a.shape} {b.shape}")
    return a.T @ b


def _terms(count, rows=3, dtype=np.float32, seed=0):
    rng = np.random.RandomState(seed)
    return [(rng.randn(rows, 4).astype(dtype), rng.randn(rows, 5).astype(dtype)) for _ in range(count)]


def _run(terms, acc, hint=None):
    held = DeferredProducts(_matmul, np.add, hint if hint is not None else [0])
    for a, b in terms:
        acc = held.add_product(acc, a, b)
    return held.flush(acc)


def test_the_held_products_sum_to_the_per_iteration_adds():
    terms = _terms(20)
    expected = np.ones((4, 5), np.float32)
    for a, b in terms:
        expected = expected + a.T @ b
    np.testing.assert_allclose(_run(terms, np.ones((4, 5), np.float32)), expected, rtol=1e-5, atol=1e-5)


def test_operands_are_copied_when_held():
    """A kernel may reuse an operand's buffer after the MatMul read it: the held rows are copies."""
    terms = _terms(3)
    expected = sum(a.T @ b for a, b in terms)
    held = DeferredProducts(_matmul, np.add, [0])
    acc = np.zeros((4, 5), np.float32)
    for a, b in terms:
        acc = held.add_product(acc, a, b)
        a[...] = np.nan  # what an in-place kernel might then write
        b[...] = np.nan
    np.testing.assert_allclose(held.flush(acc), expected, rtol=1e-5, atol=1e-5)


def test_no_iteration_leaves_the_accumulator_as_it_was():
    acc = np.arange(20, dtype=np.float32).reshape(4, 5)
    assert _run([], acc) is acc


def test_rows_past_the_memory_bound_are_summed_in_the_loop(monkeypatch):
    monkeypatch.setattr(deferred_products, "MAX_BYTES", 3 * 9 * 4 * 2)  # two iterations' rows
    terms = _terms(7)
    calls = []

    def counting_matmul(a, b):
        calls.append(a.shape[0])
        return _matmul(a, b)

    held = DeferredProducts(counting_matmul, np.add, [0])
    acc = np.zeros((4, 5), np.float32)
    for a, b in terms:
        acc = held.add_product(acc, a, b)
    acc = held.flush(acc)
    assert calls == [6, 6, 6, 3]
    np.testing.assert_allclose(acc, sum(a.T @ b for a, b in terms), rtol=1e-5, atol=1e-5)


def test_a_mismatched_operand_is_added_at_once_after_the_held_rows():
    """An iteration whose operands the deferral cannot take gets the kernels' own result or error."""
    terms = _terms(3)
    acc = _run(terms[:2] + [(terms[2][0].astype(np.float64), terms[2][1].astype(np.float64))],
               np.zeros((4, 5), np.float32))
    assert acc.dtype == np.float64  # numpy's add of the float64 product, as the Add kernel would give
    held = DeferredProducts(_matmul, np.add, [0])
    acc = held.add_product(np.zeros((4, 5), np.float32), *terms[0])
    with pytest.raises(ValueError, match="size-incompatible"):
        held.add_product(acc, terms[1][0][:2], terms[1][1])


def test_the_row_buffers_take_the_last_runs_size():
    hint = [0]
    _run(_terms(40), np.zeros((4, 5), np.float32), hint)
    assert hint == [120]
    held = DeferredProducts(_matmul, np.add, hint)
    held.add_product(np.zeros((4, 5), np.float32), *_terms(1)[0])
    assert [buffer.shape[0] for buffer in held.held] == [120, 120]


def test_row_sums_of_one_operand():
    """BiasAddGrad's terms: the column sums of each iteration's rows, summed as one."""
    terms = [b for _, b in _terms(9)]
    held = DeferredProducts(lambda b: b.sum(axis=0), np.add, [0])
    acc = np.zeros(5, np.float32)
    for b in terms:
        acc = held.add_product(acc, b)
    np.testing.assert_allclose(held.flush(acc), sum(b.sum(axis=0) for b in terms), rtol=1e-5, atol=1e-5)
