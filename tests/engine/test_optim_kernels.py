"""The in-place Apply* kernels against the update rules written out plainly in float64."""

import numpy as np
import pytest

from engine.ops import training_ops as k

RNG = np.random.RandomState(7)


def arrays(*shape, n=4, positive=()):
    out = [RNG.randn(*shape) for _ in range(n)]
    for i in positive:
        out[i] = np.abs(out[i]) + 0.1
    return out


def test_gradient_descent_updates_in_place():
    var, grad = arrays(3, 4, n=2)
    expected = var - 0.5 * grad
    buf = var
    assert k.np_apply_gradient_descent(var, 0.5, grad) is buf
    np.testing.assert_allclose(var, expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    var, accum, grad = arrays(5, n=3)
    lr, mom = 0.1, 0.9
    acc = accum * mom + grad
    expected = var - (grad * lr + acc * mom * lr if nesterov else lr * acc)
    k.np_apply_momentum(var, accum, lr, grad, mom, use_nesterov=nesterov)
    np.testing.assert_allclose(accum, acc)
    np.testing.assert_allclose(var, expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_adam(nesterov):
    var, m, v, grad = arrays(4, 3, positive=(2,))
    lr, b1, b2, eps, b1p, b2p = 0.01, 0.9, 0.999, 1e-8, 0.9**3, 0.999**3
    alpha = lr * np.sqrt(1 - b2p) / (1 - b1p)
    m1 = b1 * m + (1 - b1) * grad
    v1 = b2 * v + (1 - b2) * grad**2
    mhat = (1 - b1) * grad + b1 * m1 if nesterov else m1
    expected = var - alpha * mhat / (np.sqrt(v1) + eps)
    k.np_apply_adam(var, m, v, b1p, b2p, lr, b1, b2, eps, grad, use_nesterov=nesterov)
    np.testing.assert_allclose(m, m1)
    np.testing.assert_allclose(v, v1)
    np.testing.assert_allclose(var, expected)


def test_adam_stays_float32():
    var, m, v, grad = (a.astype(np.float32) for a in arrays(6, positive=(2,)))
    k.np_apply_adam(var, m, v, 0.9, 0.999, 0.001, 0.9, 0.999, 1e-8, grad)
    assert var.dtype == m.dtype == v.dtype == np.float32


def test_rms_prop():
    var, ms, mom, grad = arrays(7, positive=(1,))
    lr, rho, momentum, eps = 0.01, 0.9, 0.5, 1e-10
    ms1 = rho * ms + (1 - rho) * grad**2
    mom1 = momentum * mom + lr * grad / np.sqrt(ms1 + eps)
    expected = var - mom1
    k.np_apply_rms_prop(var, ms, mom, lr, rho, momentum, eps, grad)
    np.testing.assert_allclose(ms, ms1)
    np.testing.assert_allclose(mom, mom1)
    np.testing.assert_allclose(var, expected)


def test_centered_rms_prop():
    var, mg, ms, mom, grad = arrays(7, n=5, positive=(2,))
    mg *= 0.1
    lr, rho, momentum, eps = 0.01, 0.9, 0.5, 1e-10
    ms1 = rho * ms + (1 - rho) * grad**2
    mg1 = rho * mg + (1 - rho) * grad
    mom1 = momentum * mom + lr * grad / np.sqrt(ms1 - mg1**2 + eps)
    expected = var - mom1
    k.np_apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, eps, grad)
    np.testing.assert_allclose(mg, mg1)
    np.testing.assert_allclose(ms, ms1)
    np.testing.assert_allclose(var, expected)


def test_adagrad():
    var, accum, grad = arrays(2, 2, n=3, positive=(1,))
    acc = accum + grad**2
    expected = var - 0.3 * grad / np.sqrt(acc)
    k.np_apply_adagrad(var, accum, 0.3, grad)
    np.testing.assert_allclose(accum, acc)
    np.testing.assert_allclose(var, expected)


def test_adadelta():
    var, accum, accum_update, grad = arrays(9, positive=(1, 2))
    lr, rho, eps = 1.0, 0.95, 1e-6
    acc = rho * accum + (1 - rho) * grad**2
    update = np.sqrt(accum_update + eps) / np.sqrt(acc + eps) * grad
    acc_upd = rho * accum_update + (1 - rho) * update**2
    expected = var - lr * update
    k.np_apply_adadelta(var, accum, accum_update, lr, rho, eps, grad)
    np.testing.assert_allclose(accum, acc)
    np.testing.assert_allclose(accum_update, acc_upd)
    np.testing.assert_allclose(var, expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_bound_adam_with_the_gradient_as_scratch_equals_apply_adam(nesterov):
    n = (1 << 18) + 7
    rng = np.random.RandomState(1)
    base = [rng.randn(n).astype(np.float32) for _ in range(4)]
    base[2] = np.abs(base[2])
    powers, hyper = (0.9**2, 0.999**2), (0.01, 0.9, 0.999, 1e-8)
    expected = [a.copy() for a in base]
    k.np_apply_adam(*expected[:3], *powers, *hyper, expected[3], use_nesterov=nesterov)
    got = [a.copy() for a in base]
    k.adam(np.float32, *hyper, use_nesterov=nesterov, grad_is_scratch=True)(*got[:3], *powers, got[3])
    for a, b in zip(got[:3], expected[:3], strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("grad_is_scratch", [False, True])
def test_blocked_adam_equals_whole_array_passes_on_any_thread_count(monkeypatch, nesterov, grad_is_scratch):
    """A large variable is updated block by block, on the intra-op threads when BLAS runs on one: the
    values are those of the whole-array passes, bit for bit (a short last block included)."""
    from engine.runtime import blas_threads

    rng = np.random.RandomState(3)
    shape = (k._ADAM_BLOCKED // 1000 + 1, 1000 + 7)  # more than _ADAM_BLOCKED elements, a partial block
    base = [rng.randn(*shape).astype(np.float32) for _ in range(4)]
    base[2] = np.abs(base[2])
    powers, hyper = (0.9**3, 0.999**3), (0.01, 0.9, 0.999, 1e-8)
    results = {}
    for name, blocked_from, workers in (("whole", 1 << 62, 1), ("one", k._ADAM_BLOCKED, 1),
                                        ("two", k._ADAM_BLOCKED, 2)):
        monkeypatch.setattr(k, "_ADAM_BLOCKED", blocked_from)
        monkeypatch.setattr(blas_threads.PROCESS, "threads", 1)
        monkeypatch.setattr(blas_threads.PROCESS, "workers", workers)
        arrays_ = [a.copy() for a in base]
        update = k.adam(np.float32, *hyper, use_nesterov=nesterov, grad_is_scratch=grad_is_scratch)
        update(*arrays_[:3], *powers, arrays_[3])
        update(*arrays_[:3], *powers, base[3].copy())  # the block scratch reused
        results[name] = arrays_[:3]
    for name in ("one", "two"):
        for a, b in zip(results[name], results["whole"], strict=True):
            assert a.tobytes() == b.tobytes()
