"""tf.signal against TensorFlow 2.21: static shapes, values and gradients of one graph built by the same code
under both (tests/fixtures/signal_ops/signal_model.py; tests/fixtures/make_model_fixture.py wrote the
fixture), plus TF's output names and build-time errors."""

from __future__ import annotations

import numpy as np
import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("signal_ops", "signal_model.py", "signal_tf")


def test_static_shapes_values_and_gradients_are_tfs():
    feeds, out, grads = MODEL.build(tf)
    assert model_fixture.static_signature({**out, **grads}) == META
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=2e-4, atol=2e-5)


def test_output_names_and_shapes_are_tfs():
    """The names and static shapes TensorFlow 2.21 gives for the same calls."""
    x = tf.ones([2, 40])
    s = tf.signal.stft(x, 8, 4)
    built = {
        "overlap_and_add/strided_slice_1:0 (16,)": tf.signal.overlap_and_add(tf.ones([3, 8]), 4),
        "overlap_and_add_1/fast_path:0 (2, 12)": tf.signal.overlap_and_add(tf.ones([2, 3, 4]), 4),
        "hann_window/sub_2:0 (5,)": tf.signal.hann_window(5),
        "hamming_window/ones:0 (1,)": tf.signal.hamming_window(1),
        "stft/rfft:0 (2, 9, 5)": s,
        "inverse_stft/overlap_and_add/strided_slice_1:0 (2, 40)": tf.signal.inverse_stft(s, 8, 4),
        "linear_to_mel_weight_matrix:0 (129, 20)": tf.signal.linear_to_mel_weight_matrix(),
        "mfccs_from_log_mel_spectrograms/mul_1:0 (2, 40)": tf.signal.mfccs_from_log_mel_spectrograms(x),
        "dct/Real:0 (2, 40)": tf.signal.dct(x),
        "dct_1/strided_slice:0 (2, 40)": tf.signal.idct(x, norm="ortho"),
        "FFT3D:0 (2, 2, 2)": tf.signal.fft3d(tf.ones([2, 2, 2], tf.complex64)),
        "rfft3d:0 (2, 2, 2)": tf.signal.rfft3d(tf.ones([2, 2, 2])),
        "irfft3d:0 (2, 2, 2)": tf.signal.irfft3d(tf.ones([2, 2, 2], tf.complex64)),
        "rfft:0 (2, 16)": tf.spectral.rfft(x, [30]),
        "fftshift:0 (2, 40)": tf.signal.fftshift(x),
        "ifftshift:0 (2, 40)": tf.signal.ifftshift(x, axes=[-1]),
        "vorbis_window/Sin_1:0 (5,)": tf.signal.vorbis_window(5),
        "Roll:0 (2, 40)": tf.roll(x, 1, 0),
        "mdct/dct/strided_slice:0 (2, 9, 4)": tf.signal.mdct(x, 8),
        "inverse_mdct/overlap_and_add/strided_slice_1:0 (2, 40)": tf.signal.inverse_mdct(tf.ones([2, 9, 4])),
        "kaiser_window/mul_1:0 (5,)": tf.signal.kaiser_window(5),
        "kaiser_bessel_derived_window/concat:0 (6,)": tf.signal.kaiser_bessel_derived_window(6),
        "bessel_i0e/BesselI0e:0 (2, 40)": tf.math.bessel_i0e(x),
        "bessel_i1/BesselI1:0 (2, 40)": tf.math.bessel_i1(x),
        "frame/Reshape_3:0 (2, 10, 8)": tf.signal.frame(x, 8, 4, pad_end=True),
    }
    assert {f"{t.name} {t.shape}" for t in built.values()} == set(built)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: tf.signal.linear_to_mel_weight_matrix(0), "num_mel_bins must be positive. Got: 0"),
        (
            lambda: tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0),
            "upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate / 2). "
            "Got 5000.0 for sample_rate: 8000",
        ),
        (
            lambda: tf.signal.linear_to_mel_weight_matrix(lower_edge_hertz=200.0, upper_edge_hertz=100.0),
            "lower_edge_hertz 200.0 >= upper_edge_hertz 100.0",
        ),
        (lambda: tf.signal.dct(tf.ones([2, 4]), type=5), "Types I, II, III and IV (I)DCT are supported."),
        (
            lambda: tf.signal.dct(tf.ones([2, 4]), type=1, norm="ortho"),
            "Normalization is not supported for the Type-I DCT.",
        ),
        (
            lambda: tf.signal.dct(tf.ones([2, 4]), norm="x"),
            "Unknown normalization. Expected None or 'ortho', got: x",
        ),
        (
            lambda: tf.signal.hann_window(4, dtype=tf.int32),
            "dtype must be a floating point type. Found <dtype: 'int32'>",
        ),
        (
            lambda: tf.signal.overlap_and_add(tf.ones([2, 4]), 2.0),
            "frame_step must be an integer. Got <dtype: 'float32'>",
        ),
        (lambda: tf.signal.frame(tf.ones([]), 2, 1), "Shape () must have rank at least 1"),
    (lambda: tf.signal.mdct(tf.ones([2, 40]), 6), "The frame length must be a multiple of 4."),
    (
        lambda: tf.signal.vorbis_window(4, dtype=tf.int32),
        "dtype must be a floating point type. Found <dtype: 'int32'>",
    ),
    (
        lambda: tf.roll(tf.ones([3, 4]), [1, 2], [0]),
        "Dimension 0 in both shapes must be equal, but are 2 and 1. Shapes are [2] and [1]. for "
        "'{{node Roll}} = Roll[T=DT_FLOAT, Taxis=DT_INT32, Tshift=DT_INT32](ones, Roll/shift, Roll/axis)' "
        "with input shapes: [3,4], [2], [1].",
    ),
        (
            lambda: tf.signal.fft3d(tf.ones([2, 2], tf.complex64)),
            "Shape must be at least rank 3 but is rank 2 for "
            "'{{node FFT3D}} = FFT3D[Tcomplex=DT_COMPLEX64](ones)' with input shapes: [2,2].",
        ),
    ],
)
def test_build_time_errors_are_tfs(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert str(info.value) == message


def test_inverse_stft_with_its_window_gives_the_signal_back():
    signal = np.random.RandomState(3).uniform(-1, 1, (2, 64)).astype(np.float32)
    stfts = tf.signal.stft(signal, 16, 4)
    back = tf.signal.inverse_stft(stfts, 16, 4, window_fn=tf.signal.inverse_stft_window_fn(4))
    with tf.Session() as sess:
        value = sess.run(back)
    np.testing.assert_allclose(value[:, 12:52], signal[:, 12:52], atol=1e-5)  # where 4 windows overlap


def test_roll_out_of_range_axis_is_tfs_error():
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(tf.roll(tf.ones([3, 4]), 1, 2))
    assert info.value.message.split("\n")[0] == "axis 2 is out of range"
