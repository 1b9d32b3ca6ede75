"""Complex numbers and the Fourier transforms against TensorFlow 2.21: static shapes, values and gradients of
one graph built by the same code under both (tests/fixtures/complex_ops/complex_model.py;
tests/fixtures/make_model_fixture.py wrote the fixture)."""

from __future__ import annotations

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("complex_ops", "complex_model.py", "complex_tf")


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    assert model_fixture.static_signature({**out, **grads}) == META
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=2e-5, atol=2e-5)


def test_op_types_and_names_are_tfs():
    z = tf.complex(tf.ones([2]), tf.zeros([2]))
    assert z.dtype == tf.complex64 and z.op.type == "Complex"
    assert tf.abs(z).op.type == "ComplexAbs" and tf.abs(z).dtype == tf.float32
    assert tf.real(z).name == "Real:0" and tf.math.imag(z).name == "Imag:0"
    assert tf.signal.rfft(tf.ones([4])).name == "rfft:0"
    assert tf.spectral.irfft2d(tf.complex(tf.ones([4, 3]), tf.ones([4, 3]))).shape.as_list() == [4, 4]
    x = tf.ones([3])
    assert tf.real(x) is x and tf.conj(x) is x
