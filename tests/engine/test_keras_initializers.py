"""tf.keras.initializers (TF1's, tf-keras v1) against TensorFlow 2.21: names resolved by `get`,
`serialize` forms, errors, and seeded values under get_variable (tests/fixtures/keras_initializers)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "keras_initializers"
spec = importlib.util.spec_from_file_location("keras_initializer_cases",
                                              FIXTURES / "keras_initializer_cases.py")
model = importlib.util.module_from_spec(spec)
spec.loader.exec_module(model)
THEIRS = json.loads((FIXTURES / "keras_initializers_tf.json").read_text())


@pytest.mark.parametrize("case", sorted(THEIRS["cases"]))
def test_get_and_serialize_are_tfs(case):
    assert json.loads(json.dumps(model.cases(tf)[case])) == THEIRS["cases"][case]


def test_seeded_values_are_tfs():
    ours = model.values(tf)
    assert sorted(ours) == sorted(THEIRS["values"])
    for name, value in THEIRS["values"].items():
        np.testing.assert_allclose(ours[name], value, rtol=1e-6, atol=1e-7, err_msg=name)


def test_keras_defaults_differ_from_tf_initializers():
    assert tf.keras.initializers.RandomNormal().stddev == 0.05
    assert tf.random_normal_initializer().stddev == 1.0
    assert (tf.keras.initializers.RandomUniform().minval, tf.keras.initializers.RandomUniform().maxval) == (
        -0.05, 0.05)


def test_identity_needs_a_matrix():
    with tf.Graph().as_default(), pytest.raises(
            ValueError, match="Identity matrix initializer can only be used for 2D matrices."):
        tf.keras.initializers.Identity()([2, 2, 2])


def test_uniform_unit_scaling_is_tfs():
    """Values TensorFlow 2.21 gives (graph seed 3; `a` with op seed 2 and factor 1.5, `b` a conv kernel)."""
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        a = tf.get_variable("a", [4, 3], initializer=tf.uniform_unit_scaling_initializer(1.5, seed=2))
        b = tf.get_variable("b", [2, 2, 3, 2], initializer=tf.initializers.uniform_unit_scaling())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            a_value, b_value = sess.run([a, b])
    np.testing.assert_allclose(a_value[0], [0.9118818044662476, -0.9210481643676758, -0.8771690130233765],
                               rtol=1e-6)
    np.testing.assert_allclose(b_value[0, 0, 0], [-0.37263596057891846, 0.31469130516052246], rtol=1e-6)
    assert b_value.shape == (2, 2, 3, 2) and np.abs(b_value).max() <= np.sqrt(3 / 12.0)
    assert b.op.graph.get_operation_by_name("b/Initializer/random_uniform/RandomUniform")


def test_orthogonal_is_tfs():
    """Seeded values (tall, wide, conv kernel, float64, gains), the config, TF's ops
    (random_normal, Qr, DiagPart, Sign) and the error for a vector, as TensorFlow 2.21 gives them."""
    ours, theirs = model.orthogonal(tf), THEIRS["orthogonal"]
    assert ours["config"] == theirs["config"]
    assert ours["ops"] == theirs["ops"]
    assert ours["vector_error"] == theirs["vector_error"]
    assert sorted(ours["values"]) == sorted(theirs["values"])
    for name, value in theirs["values"].items():
        np.testing.assert_allclose(ours["values"][name], value, rtol=1e-5, atol=1e-6, err_msg=name)
    tall = np.asarray(ours["values"]["tall"])
    np.testing.assert_allclose(tall.T @ tall, np.eye(3), atol=1e-6)
