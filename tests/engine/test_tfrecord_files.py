"""TFRecord files, tf.train.Example and the parsing ops, against files real TensorFlow wrote.

The fixtures in tests/fixtures/tfrecord/ were written by TF 2.21 (make_fixtures.py there); the error
texts were observed from TF 2.21's `tf.compat.v1` in graph mode.
"""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tfrecord"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
COMPRESSED = [("examples.tfrecord", ""), ("examples.gz.tfrecord", "GZIP"), ("examples.zlib.tfrecord", "ZLIB")]


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default():
        yield


def _example(i):
    return tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i, i + 0.5, -i / 3])),
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i * 7 - 10])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"ex{i}".encode()])),
    }))


@pytest.mark.parametrize(("name", "compression"), COMPRESSED)
def test_tf_written_files_read_back(name, compression):
    records = list(tf.python_io.tf_record_iterator(str(FIXTURES / name), tf.io.TFRecordOptions(compression)))
    examples = [tf.train.Example.FromString(r) for r in records]
    assert [list(e.features.feature["label"].int64_list.value) for e in examples] == [[v] for v in
                                                                                      EXPECTED["label"]]
    assert [e.features.feature["name"].bytes_list.value[0].decode() for e in examples] == EXPECTED["name"]
    assert examples == [_example(i) for i in range(5)]


@pytest.mark.parametrize(("name", "compression"), COMPRESSED)
def test_written_files_are_tfs_bytes(tmp_path, name, compression):
    # The records are TF's own bytes: protobuf's map order (Features) is not fixed from one process to
    # another, in TF or here, so equal Examples may serialize differently; the framing and the compressed
    # stream around them are what must be TF's, byte for byte.
    records = list(tf.python_io.tf_record_iterator(str(FIXTURES / "examples.tfrecord")))
    path = tmp_path / name
    with tf.python_io.TFRecordWriter(str(path), options=compression) as writer:
        for record in records:
            writer.write(record)
    assert path.read_bytes() == (FIXTURES / name).read_bytes()


def test_compression_enum_and_options_name_the_same_stream(tmp_path):
    for option in (tf.python_io.TFRecordCompressionType.GZIP, tf.io.TFRecordOptions("GZIP"),
                   tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)):
        assert tf.io.TFRecordOptions.get_compression_type_string(option) == "GZIP"
    with pytest.raises(ValueError, match='Not a valid compression_type: "BZ2"'):
        tf.io.TFRecordOptions("BZ2")
    with pytest.raises(ValueError, match='Not a valid compression_type: "BZ2"'):
        tf.io.TFRecordWriter(str(tmp_path / "x"), "BZ2")


def test_str_records_are_written_as_utf8(tmp_path):
    path = str(tmp_path / "s.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        writer.write("wörld")
    assert list(tf.io.tf_record_iterator(path)) == ["wörld".encode()]


def test_reader_errors_are_tfs(tmp_path):
    data = (FIXTURES / "raw.tfrecord").read_bytes()
    with pytest.raises(tf.errors.NotFoundError, match="missing.tfrecord; No such file or directory"):
        tf.python_io.tf_record_iterator(str(tmp_path / "missing.tfrecord"))
    (tmp_path / "truncated").write_bytes(data[:-3])
    with pytest.raises(tf.errors.DataLossError) as error:
        list(tf.python_io.tf_record_iterator(str(tmp_path / "truncated")))
    assert error.value.message == "truncated record at 48' failed with Read less bytes than requested"
    corrupt = bytearray(data)
    corrupt[24 + 14] ^= 1  # a data byte of the second record (each record here is 24 bytes)
    (tmp_path / "corrupt").write_bytes(bytes(corrupt))
    records = tf.python_io.tf_record_iterator(str(tmp_path / "corrupt"))
    assert next(records) == np.arange(0, 4, dtype="<i2").tobytes()
    with pytest.raises(tf.errors.DataLossError, match="^corrupted record at 36$"):
        next(records)
    with pytest.raises(tf.errors.DataLossError, match=r"inflate\(\) failed with error -3: incorrect header"):
        list(tf.python_io.tf_record_iterator(str(FIXTURES / "raw.tfrecord"), "ZLIB"))


def test_closed_writer_refuses_writes(tmp_path):
    writer = tf.io.TFRecordWriter(str(tmp_path / "w"))
    writer.close()
    with pytest.raises(tf.errors.FailedPreconditionError, match="Writer is closed."):
        writer.write(b"x")
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        tf.io.TFRecordWriter(str(tmp_path / "no" / "dir" / "w"))


def test_example_protos_have_tfs_field_numbers():
    assert tf.train.Example.DESCRIPTOR.fields_by_name["features"].number == 1
    seq = tf.train.SequenceExample.DESCRIPTOR.fields_by_name
    assert (seq["context"].number, seq["feature_lists"].number) == (1, 2)
    kinds = tf.train.Feature.DESCRIPTOR.fields_by_name
    assert [kinds[k].number for k in ("bytes_list", "float_list", "int64_list")] == [1, 2, 3]
    record = next(tf.python_io.tf_record_iterator(str(FIXTURES / "sequence.tfrecord")))
    seq = tf.train.SequenceExample.FromString(record)
    assert list(seq.context.feature["id"].int64_list.value) == [3]
    assert [f.int64_list.value[0] for f in seq.feature_lists.feature_list["tokens"].feature] == [4, 5, 6]
    assert seq.SerializeToString() == record


FEATURES = {
    "x": tf.FixedLenFeature([3], tf.float32),
    "label": tf.FixedLenFeature([], tf.int64),
    "name": tf.FixedLenFeature([], tf.string),
    "weight": tf.FixedLenFeature([1], tf.float32, default_value=[0.25]),
}


def test_parse_single_example_reads_tf_records():
    serialized = tf.placeholder(tf.string, [])
    parsed = tf.parse_single_example(serialized, FEATURES)
    assert parsed["x"].name == "ParseSingleExample/ParseExample/ParseExampleV2:3"  # keys sorted, as TF
    assert parsed["x"].shape.as_list() == [3] and parsed["label"].dtype == tf.int64
    with tf.Session() as sess:
        for i, record in enumerate(tf.python_io.tf_record_iterator(str(FIXTURES / "examples.tfrecord"))):
            values = sess.run(parsed, {serialized: record})
            np.testing.assert_array_equal(values["x"], np.float32(EXPECTED["x"][i]))
            assert values["label"] == EXPECTED["label"][i] and values["name"] == EXPECTED["name"][i].encode()
            np.testing.assert_array_equal(values["weight"], np.float32([0.25]))


def test_parse_example_batches_and_its_graph_is_tfs():
    serialized = tf.placeholder(tf.string, [None])
    parsed = tf.parse_example(serialized, {"x": FEATURES["x"], "label": FEATURES["label"]})
    assert parsed["x"].shape.as_list() == [None, 3]
    nodes = [(n.name, n.op) for n in tf.get_default_graph().as_graph_def().node]
    assert nodes == [("Placeholder", "Placeholder"), ("ParseExample/Const", "Const"),
                     ("ParseExample/Const_1", "Const"), ("ParseExample/ParseExampleV2/names", "Const"),
                     ("ParseExample/ParseExampleV2/sparse_keys", "Const"),
                     ("ParseExample/ParseExampleV2/dense_keys", "Const"),
                     ("ParseExample/ParseExampleV2/ragged_keys", "Const"),
                     ("ParseExample/ParseExampleV2", "ParseExampleV2")]
    records = list(tf.python_io.tf_record_iterator(str(FIXTURES / "examples.gz.tfrecord"), "GZIP"))
    with tf.Session() as sess:
        values = sess.run(parsed, {serialized: records})
    np.testing.assert_array_equal(values["x"], np.float32(EXPECTED["x"]))
    np.testing.assert_array_equal(values["label"], EXPECTED["label"])


@pytest.mark.parametrize(("single", "record", "message"), [
    (True, b"", "Feature: label (data type: int64) is required but could not be found."),
    (False, b"junk",
     "Name: <unknown>, Feature: label (data type: int64) is required but could not be found."),
    (False, tf.train.Example(features=tf.train.Features(feature={"label": tf.train.Feature(
        float_list=tf.train.FloatList(value=[1]))})).SerializeToString(),
     "Name: <unknown>, Key: label, Index: 0.  Data types don't match. Data type: float but expected type: "
     "int64"),
    (False, tf.train.Example(features=tf.train.Features(feature={"label": tf.train.Feature(
        int64_list=tf.train.Int64List(value=[1, 2]))})).SerializeToString(),
     "Name: <unknown>, Key: label, Index: 0.  Number of int64 values != expected.  Values size: 2 but output "
     "shape: []"),
])
def test_parse_errors_are_tfs(single, record, message):
    features = {"label": FEATURES["label"]}
    parsed = tf.parse_single_example(record, features) if single else tf.parse_example([record], features)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as error:
        sess.run(parsed)
    assert error.value.message.split("\n")[0] == message
    assert "[[{{node " in error.value.message


def test_parse_refuses_bad_feature_specs():
    with pytest.raises(ValueError, match="Invalid features: Must be a non-empty dictionary."):
        tf.parse_single_example(b"", {})
    with pytest.raises(ValueError, match="Input serialized must be a scalar"):
        tf.parse_single_example([b""], FEATURES)


def test_decode_raw_reads_tf_bytes():
    records = list(tf.python_io.tf_record_iterator(str(FIXTURES / "raw.tfrecord")))
    decoded = tf.decode_raw(records, tf.int16)
    assert decoded.op.type == "DecodeRaw" and decoded.shape.as_list() == [3, None]
    big = tf.decode_raw(records, tf.int16, little_endian=False)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(decoded), EXPECTED["raw_int16"])
        np.testing.assert_array_equal(sess.run(big), np.array(EXPECTED["raw_int16"], "<i2").byteswap())
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="DecodeRaw requires input strings to all be the same size, but element 1 "
                                 "has size 3 != 2"):
            sess.run(tf.decode_raw([b"ab", b"abc"], tf.uint8))
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Input to DecodeRaw has length 3 that is not a multiple of 4, the size of "
                                 "float"):
            sess.run(tf.decode_raw([b"abc"], tf.float32))
    with pytest.raises(TypeError, match="Value passed to parameter 'out_type' has DataType string"):
        tf.decode_raw(records, tf.string)


_TF_READS = """
import json, sys
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
path, compression = sys.argv[1], sys.argv[2]
records = list(tf.python_io.tf_record_iterator(path, tf.python_io.TFRecordOptions(compression)))
s = tf.placeholder(tf.string, [None])
features = {"x": tf.FixedLenFeature([3], tf.float32), "name": tf.FixedLenFeature([], tf.string)}
parsed = tf.parse_example(s, features)
with tf.Session() as sess:
    out = sess.run(parsed, {s: records})
print(json.dumps({"x": out["x"].tolist(), "name": [n.decode() for n in out["name"]]}))
"""


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_tensorflow_reads_our_files(tmp_path, compression, tf_python):
    python = tf_python
    path = tmp_path / "ours.tfrecord"
    with tf.io.TFRecordWriter(str(path), compression) as writer:
        for i in range(5):
            writer.write(_example(i).SerializeToString())
    done = subprocess.run([python, "-c", _TF_READS, str(path), compression], capture_output=True, text=True,
                          timeout=300, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"x": EXPECTED["x"], "name": EXPECTED["name"]}


def test_decode_csv_as_tf():
    records = tf.placeholder(tf.string, [None])
    columns = tf.decode_csv(records, [[0], [0.0], [""], tf.constant([], tf.int64)])
    assert [c.dtype for c in columns] == [tf.int32, tf.float32, tf.string, tf.int64]
    assert columns[0].name == "DecodeCSV:0" and columns[3].shape.as_list() == [None]
    node = columns[0].op.node_def
    assert list(node.input) == ["Placeholder", "DecodeCSV/record_defaults_0", "DecodeCSV/record_defaults_1",
                                "DecodeCSV/record_defaults_2", "Const"]
    with tf.Session() as sess:
        feed = {records: ['1,2.5,"a,b",7', ",,x,8", '3,1e3,"q""x",9']}
        ints, floats, texts, longs = sess.run(columns, feed)
        assert ints.tolist() == [1, 0, 3] and floats.tolist() == [2.5, 0.0, 1000.0]
        assert texts.tolist() == [b"a,b", b"x", b'q"x'] and longs.tolist() == [7, 8, 9]
        for bad, message in [
            (["1,2,3"], "Expect 4 fields but have 3 in record 0"),
            (["x,2,a,3"], "Field 0 in record 0 is not a valid int32: x"),
            (["1,2,a,"], "Field 3 is required but missing in record 0!"),
            (['1,2,"a,3'], "Quoted field has to end with quote followed by delim or end"),
            (["1,2,a,3,4"], "Expect 4 fields but have 5 in record 0"),
        ]:
            with pytest.raises(tf.errors.InvalidArgumentError) as error:
                sess.run(columns, {records: bad})
            assert error.value.message.split("\n")[0] == message


def test_parse_single_sequence_example_reads_tfs_record():
    record = next(tf.python_io.tf_record_iterator(str(FIXTURES / "sequence.tfrecord")))
    serialized = tf.placeholder(tf.string, [])
    context, lists = tf.io.parse_single_sequence_example(
        serialized,
        context_features={"id": tf.FixedLenFeature([], tf.int64),
                          "w": tf.FixedLenFeature([2], tf.float32, default_value=[1, 2])},
        sequence_features={"tokens": tf.FixedLenSequenceFeature([], tf.int64),
                           "vec": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)})
    assert context["id"].name == "ParseSingleSequenceExample/ParseSequenceExample/ParseSequenceExampleV2:0"
    assert lists["vec"].shape.as_list() == [None, 2]
    with tf.Session() as sess:
        ctx, seq = sess.run([context, lists], {serialized: record})
        assert ctx["id"] == 3 and ctx["w"].tolist() == [1.0, 2.0]
        assert seq["tokens"].tolist() == [4, 5, 6] and seq["vec"].shape == (0, 2)
        only_context = tf.train.SequenceExample.FromString(record)
        only_context.ClearField("feature_lists")
        with pytest.raises(tf.errors.InvalidArgumentError) as error:
            sess.run(lists, {serialized: only_context.SerializeToString()})
    assert error.value.message.startswith(
        "Name: <unknown>, Feature list 'tokens' is required but could not be found.  Did you mean to include "
        "it in feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?")
