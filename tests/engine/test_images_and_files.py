"""tf.io's files and image codecs, list_files and element_spec, and the seeded dataset shuffle, against
values TF 2.21 gives (tf.compat.v1, v2 behaviour disabled) for the same inputs."""

import io
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "images"
IMAGE = (np.arange(4 * 5 * 3).reshape(4, 5, 3) * 3 % 256).astype(np.uint8)


def _run(fetch):
    with tf.Session() as sess:
        return sess.run(fetch)


def test_png_round_trip_and_channel_conversions_as_tf():
    with tf.Graph().as_default():
        png = _run(tf.io.encode_png(IMAGE))
        assert png.startswith(b"\x89PNG")
        assert (_run(tf.io.decode_png(png)) == IMAGE).all()
        # TF: RGBA adds an opaque alpha, gray is libpng's rounded 0.299/0.587/0.114 luma.
        assert _run(tf.io.decode_png(png, channels=4))[0, :2].tolist() == [[0, 3, 6, 255], [9, 12, 15, 255]]
        assert _run(tf.io.decode_png(png, channels=1))[0, :2, 0].tolist() == [2, 11]
        assert _run(tf.image.decode_image(png)).shape == (4, 5, 3)
        assert str(tf.io.decode_png(png)) == 'Tensor("DecodePng_3:0", shape=(?, ?, ?), dtype=uint8)'
        assert str(tf.io.decode_image(png)) == 'Tensor("decode_image_1/DecodeImage:0", dtype=uint8)'
        floats = _run(tf.io.decode_image(png, dtype=tf.float32))
        assert floats.dtype == np.float32 and np.allclose(floats, IMAGE / 255.0)


def test_tf_written_images_decode_to_tfs_pixels():
    # tests/fixtures/images/make_images.py: TF's encodings and TF's decodings of them.
    with tf.Graph().as_default():
        jpeg, png = (FIXTURES / "tf.jpg").read_bytes(), (FIXTURES / "tf.png").read_bytes()
        expected = {name: np.load(FIXTURES / f"{name}.npy") for name in
                    ("tf_jpg_accurate", "tf_jpg_gray", "tf_png_gray", "tf_png_rgba")}
        assert (_run(tf.io.decode_jpeg(jpeg)) == expected["tf_jpg_accurate"]).all()
        assert (_run(tf.io.decode_jpeg(jpeg, channels=1)) == expected["tf_jpg_gray"]).all()
        assert (_run(tf.io.decode_png(png, channels=1)) == expected["tf_png_gray"]).all()
        assert (_run(tf.io.decode_png(png, channels=4)) == expected["tf_png_rgba"]).all()
        assert (_run(tf.io.decode_png(png)) == IMAGE).all()


def test_our_jpeg_round_trips():
    with tf.Graph().as_default():
        jpeg = _run(tf.io.encode_jpeg(IMAGE, quality=95))
        decoded = _run(tf.io.decode_jpeg(jpeg))
        assert decoded.shape == (4, 5, 3) and np.abs(decoded.astype(int) - IMAGE).max() < 12
        assert _run(tf.io.decode_jpeg(jpeg, channels=1)).shape == (4, 5, 1)


def test_animated_gif_frames_as_tf():
    from PIL import Image

    frames = [Image.fromarray(np.full((3, 4, 3), v, np.uint8)) for v in (10, 200)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    gif = buffer.getvalue()
    with tf.Graph().as_default():
        frames = _run(tf.io.decode_image(gif))
        assert frames.shape == (2, 3, 4, 3) and frames[:, 0, 0].tolist() == [[10] * 3, [200] * 3]
        assert _run(tf.io.decode_image(gif, expand_animations=False)).shape == (3, 4, 3)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Got 2 frames, but animated gifs can only"):
            _run(tf.io.decode_png(gif))


def test_decode_rejects_unknown_formats():
    with tf.Graph().as_default():
        with pytest.raises(tf.errors.InvalidArgumentError, match="Unknown image file format. One of JPEG"):
            _run(tf.io.decode_png(b"garbage"))


def test_read_write_and_matching_files(tmp_path):
    with tf.Graph().as_default():
        target = tmp_path / "new" / "dir" / "x.txt"
        _run(tf.io.write_file(str(target), "hello"))
        assert target.read_bytes() == b"hello"
        assert _run(tf.io.read_file(str(target))) == b"hello"
        (tmp_path / "b.txt").write_text("b")
        (tmp_path / "a.txt").write_text("a")
        assert _run(tf.io.matching_files(str(tmp_path / "*.txt"))).tolist() == [
            str(tmp_path / "a.txt").encode(), str(tmp_path / "b.txt").encode()]
        with pytest.raises(tf.errors.NotFoundError, match="nope; No such file or directory"):
            _run(tf.read_file(str(tmp_path / "nope")))
        assert tf.io.write_file("a", "b").inputs[0].op.name == "WriteFile_1/filename"


def _drain(dataset, n):
    with tf.Session() as sess:
        get_next = dataset.make_one_shot_iterator().get_next()
        return [sess.run(get_next) for _ in range(n)]


def test_seeded_shuffle_gives_tensorflows_orders():
    with tf.Graph().as_default():
        assert _drain(tf.data.Dataset.range(10).shuffle(10, seed=7).repeat(2), 20) == [
            2, 8, 6, 5, 9, 1, 0, 3, 7, 4, 9, 1, 3, 0, 6, 4, 7, 8, 2, 5]
        assert _drain(tf.data.Dataset.range(10).shuffle(3, seed=7).repeat(2), 20) == [
            1, 2, 0, 3, 6, 4, 8, 5, 7, 9, 1, 0, 3, 2, 6, 7, 8, 4, 9, 5]
        fixed = tf.data.Dataset.range(7).shuffle(4, seed=1, reshuffle_each_iteration=False).repeat(2)
        assert _drain(fixed, 14) == [3, 4, 0, 5, 2, 1, 6] * 2
        tf.set_random_seed(2)
        unseeded_op = tf.data.Dataset.range(6).repeat(2).shuffle(5)
        assert _drain(unseeded_op, 12) == [0, 5, 4, 1, 2, 1, 3, 0, 2, 3, 4, 5]


def test_list_files_sorted_or_shuffled_as_tf(tmp_path):
    for i in range(10):
        (tmp_path / f"f{i}.txt").write_text(str(i))
    with tf.Graph().as_default():
        pattern = str(tmp_path / "f*.txt")
        shuffled = tf.data.Dataset.list_files(pattern, seed=7).repeat(2)
        digits = [int(name.decode()[-5]) for name in _drain(shuffled, 20)]
        assert digits == [2, 8, 6, 5, 9, 1, 0, 3, 7, 4, 9, 1, 3, 0, 6, 4, 7, 8, 2, 5]
        in_order = tf.data.Dataset.list_files(pattern, shuffle=False)
        assert [int(name.decode()[-5]) for name in _drain(in_order, 10)] == list(range(10))
        assert repr(in_order.element_spec) == "TensorSpec(shape=(), dtype=tf.string, name=None)"


def test_element_spec_is_tensor_specs():
    with tf.Graph().as_default():
        spec = tf.data.Dataset.from_tensor_slices(({"a": [1]}, [[2.0, 3.0]])).element_spec
        assert spec == ({"a": tf.TensorSpec([], tf.int32)}, tf.TensorSpec([2], tf.float32))
        assert repr(spec[1]) == "TensorSpec(shape=(2,), dtype=tf.float32, name=None)"
        assert spec[1].is_compatible_with(tf.constant([1.0, 2.0]))
