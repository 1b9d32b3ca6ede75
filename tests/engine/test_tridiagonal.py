"""tf.linalg.tridiagonal_solve and tridiagonal_matmul against TensorFlow 2.21: static shapes, values and
gradients of one graph built by the same code under both (tests/fixtures/linalg_ops/tridiagonal_model.py;
tests/fixtures/make_model_fixture.py wrote the fixture: pivoting, Thomas, perturbed singular and complex
systems, the three diagonal formats), and TF's names and errors."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("linalg_ops", "tridiagonal_model.py", "tridiagonal_tf")


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    assert model_fixture.static_signature({**out, **grads}) == META
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=1e-6, atol=1e-8)


def test_names_and_shapes_are_tfs():
    d, r = tf.placeholder(tf.float64, [None, 3, 4]), tf.placeholder(tf.float64, [None, 4, 2])
    built = [
        tf.linalg.tridiagonal_solve(d, r), tf.linalg.tridiagonal_solve(d, r[:, :, 0]),
        tf.linalg.tridiagonal_matmul(d, r),
        tf.linalg.tridiagonal_solve([d[:, 0], d[:, 1], d[:, 2, 1:]], r, diagonals_format="sequence"),
        tf.linalg.tridiagonal_solve(tf.placeholder(tf.float64, [None, 4, 4]), r, diagonals_format="matrix"),
    ]
    assert [f"{t.name} {t.shape}" for t in built] == [
        "TridiagonalSolve:0 (?, 4, 2)", "Squeeze:0 (?, 4)", "TridiagonalMatMul:0 (?, 4, 2)",
        "TridiagonalSolve_2:0 (?, 4, 2)", "TridiagonalSolve_3:0 (?, 4, 2)",
    ]
    assert [op.type for op in tf.get_default_graph().get_operations()][-2:] == ["MatrixDiagPartV3",
                                                                              "TridiagonalSolve"]


@pytest.mark.parametrize("build, error, message", [
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([3, 4]), tf.ones([5, 2])), ValueError,
     "Expected number of left-hand sided and right-hand sides to be equal, got 4 and 5"),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([2, 4]), tf.ones([4, 2])), ValueError,
     "Expected 3 diagonals got 2"),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([4]), tf.ones([4, 2])), ValueError,
     "Expected diagonals to have rank at least 2, got 1"),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([3, 4]), tf.ones([2, 3, 4, 2])), ValueError,
     "Expected the rank of rhs to be 1 or 2, got 4"),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([2, 3, 4]), tf.ones([3, 4, 2])), ValueError,
     "Batch shapes (2,) and (3,) are incompatible"),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([3, 4]), tf.ones([4, 2]), partial_pivoting=False,
                                         perturb_singular=True), ValueError,
     "partial_pivoting must be True if perturb_singular is."),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([3, 4]), tf.ones([4, 2]), diagonals_format="foo"),
     ValueError, "Unrecognized diagonals_format: foo"),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([4, 3]), tf.ones([4, 2]), diagonals_format="matrix"),
     ValueError, "Expected last two dimensions of diagonals to be same, got 3 and 4"),
    (lambda: tf.linalg.tridiagonal_solve([tf.ones([4]), tf.ones([4])], tf.ones([4, 2]),
                                         diagonals_format="sequence"), ValueError,
     "Expected diagonals to be a sequence of length 3."),
    (lambda: tf.linalg.tridiagonal_solve([tf.ones([2]), tf.ones([4]), tf.ones([4])], tf.ones([4, 2]),
                                         diagonals_format="sequence"), ValueError,
     "Expected superdiagonal to be have length 4 or 3, got 2."),
    (lambda: tf.linalg.tridiagonal_solve(tf.ones([3, 4], tf.int32), tf.ones([4, 2], tf.int32)), TypeError,
     "Value passed to parameter 'diagonals' has DataType int32 not in list of allowed values: float64, "
     "float32, complex64, complex128"),
    (lambda: tf.linalg.tridiagonal_matmul(tf.ones([3, 4]), tf.ones([5, 2])), ValueError,
     "Dimensions must be equal, but are 4 and 5 for '{{node TridiagonalMatMul}} = "
     "TridiagonalMatMul[T=DT_FLOAT](ExpandDims, ExpandDims_1, ExpandDims_2, ones_1)' with input shapes: "
     "[1,4], [1,4], [1,4], [5,2]."),
    (lambda: tf.linalg.eigh_tridiagonal(tf.ones([3]), tf.ones([2]), select="x"), ValueError,
     "'select must have a value in {'a', 'i', 'v'}."),
    (lambda: tf.linalg.eigh_tridiagonal(tf.ones([3]), tf.ones([2], tf.float64)), ValueError,
     "'alpha' and 'beta' must have the same type."),
    (lambda: tf.linalg.tridiagonal_matmul(tf.ones([3, 4]), tf.ones([4, 2]), diagonals_format="x"), ValueError,
     "Unrecognized diagonals_format: x"),
])
def test_build_time_errors_are_tfs(build, error, message):
    with pytest.raises(error) as info:
        build()
    assert str(info.value) == message


def test_one_and_no_rows():
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.linalg.tridiagonal_solve(tf.ones([3, 1]), tf.ones([1, 2]))),
                                      [[1.0, 1.0]])
        assert sess.run(tf.linalg.tridiagonal_solve(tf.ones([3, 0]), tf.ones([0, 2]))).shape == (0, 2)
