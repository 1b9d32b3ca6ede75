"""TF1 readers over a queue of file names: records, keys and counters as TF 2.21 gives them for the same
files (values recorded from tf.compat.v1 with v2 behaviour disabled)."""

import pytest

import engine as tf


@pytest.fixture
def files(tmp_path):
    with tf.python_io.TFRecordWriter(str(tmp_path / "a.tfr")) as w:
        for record in [b"one", b"two2", b""]:
            w.write(record)
    with tf.python_io.TFRecordWriter(str(tmp_path / "b.tfr")) as w:
        w.write(b"bee")
    (tmp_path / "t1.txt").write_bytes(b"head\nl1\r\nl2\n\nl4")
    (tmp_path / "t2.txt").write_bytes(b"")
    (tmp_path / "t3.txt").write_bytes(b"h\nx\n")
    (tmp_path / "f.bin").write_bytes(bytes(range(23)))
    return tmp_path


def _read_all(reader, work, up_to=None):
    """(records, [produced, completed] at the end, the same after reset) over a closed queue of `work`."""
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(10, tf.string)
        reader = reader()
        read = reader.read(queue) if up_to is None else reader.read_up_to(queue, up_to)
        produced, completed = reader.num_records_produced(), reader.num_work_units_completed()
        reset = reader.reset()
        out = []
        with tf.Session() as sess:
            sess.run(queue.enqueue_many([[str(w) for w in work]]))
            sess.run(queue.close())
            with pytest.raises(tf.errors.OutOfRangeError, match="is closed and has insufficient elements"):
                while True:
                    key, value = sess.run(read)
                    out.append((key.tolist() if up_to else key, value.tolist() if up_to else value))
            counts = sess.run([produced, completed])
            sess.run(reset)
            return out, counts, sess.run([produced, completed])


def _keys(path, *suffixes):
    return [f"{path}{s}".encode() for s in suffixes]


def test_tfrecord_reader_keys_are_byte_offsets(files):
    out, counts, after_reset = _read_all(tf.TFRecordReader, [files / "a.tfr", files / "b.tfr"])
    a, b = files / "a.tfr", files / "b.tfr"
    assert out == [(f"{a}:0".encode(), b"one"), (f"{a}:19".encode(), b"two2"), (f"{a}:39".encode(), b""),
                   (f"{b}:0".encode(), b"bee")]
    assert counts == [4, 2] and after_reset == [0, 0]


def test_text_line_reader_skips_headers_and_numbers_lines(files):
    t1, t3 = files / "t1.txt", files / "t3.txt"
    out, counts, _ = _read_all(lambda: tf.TextLineReader(skip_header_lines=1), [t1, files / "t2.txt", t3])
    assert out == [(f"{t1}:2".encode(), b"l1"), (f"{t1}:3".encode(), b"l2"), (f"{t1}:4".encode(), b""),
                   (f"{t1}:5".encode(), b"l4"), (f"{t3}:2".encode(), b"x")]
    assert counts == [5, 3]


def test_read_up_to_stays_within_one_work_item(files):
    t1 = files / "t1.txt"
    out, counts, _ = _read_all(tf.TextLineReader, [t1], up_to=2)
    assert out == [(_keys(t1, ":1", ":2"), [b"head", b"l1"]), (_keys(t1, ":3", ":4"), [b"l2", b""]),
                   (_keys(t1, ":5"), [b"l4"])]
    assert counts == [5, 1]
    out, _, _ = _read_all(tf.IdentityReader, ["w1", "w2"], up_to=5)
    assert out == [([b"w1"], [b"w1"]), ([b"w2"], [b"w2"])]


def test_whole_file_and_fixed_length_readers(files):
    out, counts, _ = _read_all(tf.WholeFileReader, [files / "t3.txt", files / "f.bin"])
    whole = [(str(files / "t3.txt").encode(), b"h\nx\n"), (str(files / "f.bin").encode(), bytes(range(23)))]
    assert out == whole
    f = files / "f.bin"
    out, counts, _ = _read_all(lambda: tf.FixedLengthRecordReader(5, header_bytes=2, footer_bytes=3), [f])
    assert out == [(f"{f}:0".encode(), bytes(range(2, 7))), (f"{f}:1".encode(), bytes(range(7, 12))),
                   (f"{f}:2".encode(), bytes(range(12, 17)))]
    out, counts, _ = _read_all(lambda: tf.FixedLengthRecordReader(5, 2, 3, hop_bytes=3), [f])
    assert [v for _, v in out] == [bytes(range(s, s + 5)) for s in (2, 5, 8, 11, 14)] and counts == [5, 1]


def test_reader_ops_are_tfs():
    with tf.Graph().as_default():
        reader = tf.TFRecordReader(name="rr")
        queue = tf.FIFOQueue(10, tf.string)
        key, value = reader.read(queue)
        keys, _ = reader.read_up_to(queue, 3)
        assert str(reader.reader_ref) == 'Tensor("rr:0", shape=(), dtype=resource)'
        assert (key.name, value.name) == ("ReaderReadV2:0", "ReaderReadV2:1")
        assert str(keys) == 'Tensor("ReaderReadUpToV2:0", shape=(?,), dtype=string)'
        assert keys.op.inputs[2].op.name == "ReaderReadUpToV2/num_records"
        assert reader.reader_ref.op.get_attr("compression_type") == b""
        assert tf.TextLineReader(1).reader_ref.op.get_attr("skip_header_lines") == 1
        assert reader.num_records_produced().op.type == "ReaderNumRecordsProducedV2"
        assert reader.reset().type == "ReaderResetV2" and not reader.supports_serialize


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(tf.errors.NotFoundError):
        _read_all(tf.WholeFileReader, [tmp_path / "nope"])
