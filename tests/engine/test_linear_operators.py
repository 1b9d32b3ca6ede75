"""tf.linalg.LinearOperator classes in one graph against TensorFlow 2.21: static shapes, values and
gradients (tests/fixtures/linalg_ops/linear_operator_model.py; tests/fixtures/make_model_fixture.py wrote
the fixture). tests/interop/test_linear_operators_in_tf.py compares names, hints and errors with TF."""

from __future__ import annotations

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("linalg_ops", "linear_operator_model.py", "linear_operator_tf")


# The engine's MatrixTriangularSolve gradient keeps the batch size of the matrix where TF's (which sums
# a broadcast product back) gives `?`; the values agree.
MORE_STATIC_HERE = {"grad_tril_solve_m", "grad_composed_solve_m"}


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    signature = model_fixture.static_signature({**out, **grads})
    for key in MORE_STATIC_HERE:
        assert META[key]["shape"] == "(?, 3, 3)" and signature[key]["shape"] == "(2, 3, 3)"
        signature[key] = META[key]
    assert signature == META
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=1e-7, atol=1e-9)


def test_operator_matmul_gives_the_structured_operator():
    d = tf.linalg.LinearOperatorDiag([1.0, 2.0])
    tril = tf.linalg.LinearOperatorLowerTriangular([[1.0, 0.0], [3.0, 4.0]])
    assert type(d @ d).__name__ == "LinearOperatorDiag"
    assert type(d @ tril).__name__ == "LinearOperatorLowerTriangular"
    assert type(tf.linalg.LinearOperatorIdentity(2) @ tril) is type(tril)
    assert type(tril @ tril).__name__ == "LinearOperatorComposition"
