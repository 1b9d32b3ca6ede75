"""tf.linalg against TensorFlow 2.21: static shapes, values and gradients of one graph built by the same code
under both (tests/fixtures/linalg_ops/linalg_model.py; tests/fixtures/make_model_fixture.py wrote the
fixture), plus TF's errors and edge cases."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("linalg_ops", "linalg_model.py", "linalg_tf")


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    assert model_fixture.static_signature({**out, **grads}) == META
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=1e-7, atol=1e-9)


def test_op_types_and_names_are_tfs():
    a = tf.eye(3)
    assert tf.matrix_triangular_solve(a, tf.ones([3, 1])).name == "triangular_solve/MatrixTriangularSolve:0"
    assert tf.cholesky_solve(a, tf.ones([3, 1])).name == "cholesky_solve/MatrixTriangularSolve_1:0"
    assert tf.linalg.logdet(a).name == "logdet/mul:0"
    assert tf.norm(a).name == "norm/Squeeze:0"
    assert tf.trace(a).name == "Trace:0"
    assert [t.name for t in tf.linalg.slogdet(a)] == ["LogMatrixDeterminant:0", "LogMatrixDeterminant:1"]
    lstsq = tf.linalg.lstsq(a, tf.ones([3, 1]))
    assert lstsq.name == "matrix_solve_ls/cholesky_solve/MatrixTriangularSolve_1:0"


def test_edge_values_are_tfs():
    with tf.Session() as sess:
        # Not positive definite: NaN in the lower triangle, no error (TF's CPU kernel).
        np.testing.assert_array_equal(np.isnan(sess.run(tf.cholesky([[1.0, 2], [2, 1]]))),
                                      [[True, False], [True, True]])
        # A zero on the diagonal of a triangular solve gives infinities, as TF.
        np.testing.assert_array_equal(sess.run(tf.matrix_triangular_solve([[0.0, 0], [2, 4]], [[1.0], [2]])),
                                      [[np.inf], [-np.inf]])
        sign, log_abs = sess.run(tf.linalg.slogdet([[1.0, 2], [2, 4]]))
        assert sign == 0 and log_abs == -np.inf
        # The eigen decomposition reads the lower triangle only.
        np.testing.assert_allclose(sess.run(tf.linalg.eigvalsh([[2.0, 1], [5, 3]])), [-2.5249374, 7.5249367],
                                   rtol=1e-6)


@pytest.mark.parametrize("build, message", [
    (lambda: tf.matrix_inverse([[1.0, 2], [2, 4]]), "Input is not invertible."),
    (lambda: tf.matrix_solve([[1.0, 2], [2, 4]], [[1.0], [2]]), "Input matrix is not invertible."),
    (lambda: tf.matrix_band_part(tf.placeholder_with_default([1.0, 2, 3], None), 1, 1),
     "input must be at least 2-dim, received shape: [3]"),
])
def test_run_time_errors_are_tfs(build, message):
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(build())
    assert info.value.message.split("\n")[0] == message


@pytest.mark.parametrize("build, message", [
    (lambda: tf.cholesky(tf.ones([2, 3])),
     "Dimensions must be equal, but are 2 and 3 for '{{node Cholesky}}"),
    (lambda: tf.matrix_inverse(tf.ones([3])),
     "Shape must be at least rank 2 but is rank 1 for '{{node MatrixInverse}}"),
    (lambda: tf.matrix_solve(tf.ones([2, 2]), tf.ones([3, 1])),
     "Dimensions must be equal, but are 2 and 3 for '{{node MatrixSolve}}"),
    (lambda: tf.matrix_determinant(tf.ones([2, 3])),
     "Dimensions must be equal, but are 3 and 2 for '{{node MatrixDeterminant}}"),
    (lambda: tf.self_adjoint_eig(tf.ones([2, 3])),
     "Dimensions must be equal, but are 2 and 3 for '{{node SelfAdjointEigV2}}"),
    (lambda: tf.qr(tf.ones([2])), "Shape must be at least rank 2 but is rank 1 for '{{node Qr}}"),
    (lambda: tf.svd(tf.ones([2])), "Shape must be at least rank 2 but is rank 1 for '{{node Svd}}"),
    (lambda: tf.norm(tf.ones([2, 2]), ord="nuc", axis=[0, 1]),
     "'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got nuc"),
    (lambda: tf.norm(tf.ones([2]), ord=-1), "'ord' must be a supported vector norm, got -1"),
    (lambda: tf.norm(tf.ones([2, 2]), axis=[0, 0]),
     "'axis' must be None, an integer, or a tuple of 2 unique integers, got (0, 0)"),
])
def test_build_time_errors_are_tfs(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert str(info.value).startswith(message)


def test_diag_part_of_bands_is_tfs():
    """Values TF 2.21 gives for the same calls (MatrixDiagPartV3: bands packed, aligned and padded)."""
    x = tf.reshape(tf.range(12), [3, 4])
    with tf.Session() as sess:
        band, left_right, offset = sess.run([
            tf.linalg.diag_part(x, k=(-1, 1)),
            tf.linalg.diag_part(x, k=(-1, 1), align="LEFT_RIGHT", padding_value=9),
            tf.linalg.diag_part(x, k=2),
        ])
    np.testing.assert_array_equal(band, [[1, 6, 11], [0, 5, 10], [4, 9, 0]])
    np.testing.assert_array_equal(left_right, [[1, 6, 11], [0, 5, 10], [9, 4, 9]])
    np.testing.assert_array_equal(offset, [2, 7])


def test_diag_and_set_diag_of_bands_are_tfs():
    """Values TF 2.21 gives for the same calls (MatrixDiagV3 / MatrixSetDiagV3)."""
    with tf.Session() as sess:
        band, offset, set_band, plain = sess.run([
            tf.linalg.diag([[1, 2], [3, 4]], k=(0, 1)),
            tf.linalg.diag([1, 2], k=-1, num_cols=4),
            tf.linalg.set_diag(tf.zeros([3, 4], tf.int32), [[1, 2, 3], [4, 5, 6]], k=(0, 1)),
            tf.linalg.diag([1, 2]),
        ])
    np.testing.assert_array_equal(band, [[3, 2], [0, 4]])
    np.testing.assert_array_equal(offset, [[0, 0, 0, 0], [1, 0, 0, 0], [0, 2, 0, 0]])
    np.testing.assert_array_equal(set_band, [[4, 1, 0, 0], [0, 5, 2, 0], [0, 0, 6, 3]])
    np.testing.assert_array_equal(plain, [[1, 0], [0, 2]])
