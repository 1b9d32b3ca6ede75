"""FtrlOptimizer, AdagradDAOptimizer, ProximalGradientDescentOptimizer and ProximalAdagradOptimizer against
TensorFlow 2.21's tf.compat.v1.train: the ops each adds (names and types), the variables and slots it
creates and their values after five steps, from one model built by the same code on both sides
(tests/fixtures/optimizers/optimizer_cases.py; the fixture is written by make_fixture.py there)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf
from engine.ops import training_ops as k

FIXTURES = Path(__file__).parent.parent / "fixtures" / "optimizers"
spec = importlib.util.spec_from_file_location("optimizer_cases", FIXTURES / "optimizer_cases.py")
cases = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cases)
META = json.loads((FIXTURES / "optimizers_tf.json").read_text())
VALUES = np.load(FIXTURES / "optimizers_tf.npz")


@pytest.fixture(scope="module", params=sorted(cases.CASES))
def trained(request):
    return request.param, *cases.train(tf, request.param)


def test_ops_added_are_tfs(trained):
    case, _, ops = trained
    assert [list(o) for o in ops] == META[case]["ops"]


def test_variables_and_slots_after_five_steps_are_tfs(trained):
    case, values, _ = trained
    assert sorted(values) == META[case]["variables"]
    for name, value in values.items():
        np.testing.assert_allclose(value, VALUES[f"{case}:{name}"], rtol=2e-5, atol=1e-6,
                                   err_msg=f"{case} {name}")


def test_slot_names_and_get_slot():
    with tf.Graph().as_default():
        w = tf.Variable(np.ones((2, 2), np.float32), name="w")
        opt = tf.train.FtrlOptimizer(0.1)
        opt.minimize(tf.reduce_sum(w * w))
        assert opt.get_slot_names() == ["accum", "linear"]
        assert opt.get_slot(w, "accum").op.name == "w/Ftrl"
        assert opt.get_slot(w, "linear").op.name == "w/Ftrl_1"
        step = tf.train.get_or_create_global_step()
        da = tf.train.AdagradDAOptimizer(0.1, step)
        da.minimize(tf.reduce_sum(w * w))
        assert [da.get_slot(w, n).op.name for n in da.get_slot_names()] == ["w/AdagradDA", "w/AdagradDA_1"]


@pytest.mark.parametrize("make, message", [
    (lambda: tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5),
     "learning_rate_power 0.500000 needs to be negative or zero"),
    (lambda: tf.train.FtrlOptimizer(0.1, initial_accumulator_value=-1.0),
     "initial_accumulator_value -1.000000 needs to be positive or zero"),
    (lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0),
     "l1_regularization_strength -1.000000 needs to be positive or zero"),
    (lambda: tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0),
     "initial_accumulator_value must be positive: 0.0"),
    (lambda: tf.train.AdagradDAOptimizer(0.1, None, initial_gradient_squared_accumulator_value=0.0),
     "initial_gradient_squared_accumulator_value must be positive: 0.0"),
])
def test_constructor_errors_are_tfs(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_adagrad_da_global_step_is_int64():
    with tf.Graph().as_default():
        w = tf.Variable(np.ones(3, np.float32), name="w")
        expected = ("Input 'global_step' of 'ApplyAdagradDA' Op has type float32 that does not match "
                    "expected type of int64.")
        with pytest.raises(TypeError, match=expected):
            tf.train.AdagradDAOptimizer(0.1, tf.constant(1.5)).minimize(tf.reduce_sum(w))


def test_ftrl_multiply_linear_by_lr_is_the_same_update():
    rng = np.random.RandomState(0)
    var, grad = rng.randn(2, 5)
    accum = np.abs(rng.randn(5)) + 0.1
    linear = rng.randn(5)
    a = [var.copy(), accum.copy(), linear.copy()]
    b = [var.copy(), accum.copy(), linear * 0.3]
    k.np_apply_ftrl(*a, grad, 0.3, 0.05, 0.1, -0.5)
    k.np_apply_ftrl(*b, grad, 0.3, 0.05, 0.1, -0.5, multiply_linear_by_lr=True)
    np.testing.assert_allclose(a[0], b[0])
    np.testing.assert_allclose(a[2] * 0.3, b[2])
