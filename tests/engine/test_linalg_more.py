"""tf.linalg's LU family, expm, sqrtm, logm and matrix_rank against TensorFlow 2.21: static shapes, values
and gradients of one graph built by the same code under both (tests/fixtures/linalg_ops/linalg_more_model.py;
tests/fixtures/make_model_fixture.py wrote the fixture), plus TF's names, errors and edge values."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("linalg_ops", "linalg_more_model.py", "linalg_more_tf")


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    assert model_fixture.static_signature({**out, **grads}) == META
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=1e-5, atol=1e-6)


def test_output_names_and_shapes_are_tfs():
    """What TensorFlow 2.21 names and shapes the same calls."""
    x = tf.linalg.lu(tf.ones([2, 3, 3]))
    built = [
        x.lu, tf.linalg.sqrtm(tf.eye(2)), tf.linalg.logm(tf.eye(2, dtype=tf.complex64)),
        tf.linalg.expm(tf.eye(2)),
        tf.linalg.expm(tf.ones([2, 2, 2], tf.float64)), tf.linalg.matrix_rank(tf.eye(2)),
        tf.linalg.lu_solve(x.lu, x.p, tf.ones([2, 3, 1])), tf.linalg.lu_matrix_inverse(x.lu, x.p),
        tf.linalg.lu_reconstruct(x.lu, x.p), tf.linalg.lu_reconstruct(x.lu[0], x.p[0]),
        tf.linalg.lu_solve(x.lu[0], x.p[0], tf.ones([3, 2])),
    ]
    assert [f"{t.name} {t.shape}" for t in built] == [
        "Lu:0 (2, 3, 3)", "MatrixSquareRoot:0 (2, 2)", "MatrixLogarithm:0 (2, 2)",
        "matrix_exponential/Reshape_1:0 (2, 2)", "matrix_exponential_1/Reshape_1:0 (2, 2, 2)",
        "matrix_rank/Sum:0 ()", "lu_solve/triangular_solve_1/MatrixTriangularSolve:0 (2, 3, 1)",
        "lu_matrix_inverse/lu_solve/triangular_solve_1/MatrixTriangularSolve:0 (2, 3, 3)",
        "lu_reconstruct/Reshape_2:0 (2, 3, 3)", "lu_reconstruct_1/GatherV2:0 (3, 3)",
        "lu_solve_1/triangular_solve_1/MatrixTriangularSolve:0 (3, 2)",
    ]


def test_singular_lu_is_tfs_error():
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(tf.linalg.lu([[1.0, 2.0], [2.0, 4.0]]))
    assert info.value.message.split("\n")[0] == "Input is not invertible."


def test_square_root_of_a_real_matrix_without_one_is_nan():
    with tf.Session() as sess:
        assert np.isnan(sess.run(tf.linalg.sqrtm([[-1.0, 0.0], [0.0, 4.0]]))).all()  # as TF's kernel


@pytest.mark.parametrize("build, error, message", [
    (lambda: tf.linalg.lu(tf.ones([2, 3])), ValueError,
     "Dimensions must be equal, but are 2 and 3 for '{{node Lu}} = Lu[T=DT_FLOAT, output_idx_type=DT_INT32]"
     "(ones)' with input shapes: [2,3]."),
    (lambda: tf.linalg.sqrtm(tf.ones([2, 3])), ValueError,
     "Dimensions must be equal, but are 2 and 3 for '{{node MatrixSquareRoot}} = MatrixSquareRoot[T=DT_FLOAT]"
     "(ones)' with input shapes: [2,3]."),
    (lambda: tf.linalg.logm(tf.ones([2, 2])), TypeError,
     "Value passed to parameter 'input' has DataType float32 not in list of allowed values: complex64, "
     "complex128"),
    (lambda: tf.linalg.lu_solve(tf.ones([3, 3]), tf.range(3), tf.ones([3])), ValueError,
     "Input `rhs` must have at least 2 dimensions."),
    (lambda: tf.linalg.lu_solve(tf.ones([3, 3]), tf.range(3), tf.ones([2, 1])), ValueError,
     "`lower_upper.shape[-1]` must equal `rhs.shape[-1]`."),
])
def test_build_time_errors_are_tfs(build, error, message):
    with pytest.raises(error) as info:
        build()
    assert str(info.value) == message


def test_complex_gradients_are_tfs():
    """Gradients through complex Cholesky, inverse, determinant, solves, eigen, QR and SVD decompositions,
    sqrtm and adjoint matmuls (tests/fixtures/linalg_ops/linalg_complex_model.py) are TF's."""
    meta, values, model = model_fixture.load("linalg_ops", "linalg_complex_model.py", "linalg_complex_tf")
    feeds, out, grads = model.build(tf)
    assert model_fixture.static_signature({**out, **grads}) == meta
    model_fixture.assert_values_match(feeds, {**out, **grads}, values, rtol=1e-7, atol=1e-9)


def test_matvec_normalize_and_aliases_are_tfs():
    """Names, shapes and values TensorFlow 2.21 gives for the same calls."""
    a = tf.constant(np.arange(12.0).reshape(2, 2, 3))
    b = tf.constant([[1.0, 2], [3, 4]], tf.float64)
    out = [tf.linalg.matvec(a, b, transpose_a=True),
           tf.linalg.matvec(a[0], tf.constant([1.0, 2, 3], tf.float64)),
           *tf.linalg.normalize(a, axis=-1), *tf.linalg.normalize(a, ord=1),
           tf.linalg.l2_normalize(a, axis=1), tf.linalg.einsum("ij,jk->ik", a[0], tf.transpose(a[1]))]
    assert [f"{t.name} {t.shape}" for t in out] == [
        "MatVec/Squeeze:0 (2, 3)", "MatVec_1/Squeeze:0 (2,)", "normalize/truediv:0 (2, 2, 3)",
        "normalize/norm/Sqrt:0 (2, 2, 1)", "normalize_1/truediv:0 (2, 2, 3)",
        "normalize_1/norm/Sum:0 (1, 1, 1)",
        "l2_normalize:0 (2, 2, 3)", "einsum/Einsum:0 (2, 2)"]
    with tf.Session() as sess:
        matvec, vector, unit, length, _, total, _, _ = sess.run(out)
    np.testing.assert_array_equal(matvec, [[6.0, 9.0, 12.0], [54.0, 61.0, 68.0]])
    np.testing.assert_array_equal(vector, [8.0, 26.0])
    np.testing.assert_allclose(unit[0, 0], [0.0, 0.4472135954999579, 0.8944271909999159], rtol=1e-15)
    np.testing.assert_allclose(length[..., 0], [[2.23606797749979, 7.0710678118654755],
                                                [12.206555615733702, 17.378147196982766]], rtol=1e-15)
    assert total.item() == 66.0
    with pytest.raises(ValueError, match=r"^Only one of `transpose_a` and `adjoint_a` can be True. Received "
                                         r"`transpose_a`=True, `adjoint_a`=True.$"):
        tf.linalg.matvec(a, b, transpose_a=True, adjoint_a=True)
