"""tf.sets, tf.string_split / tf.strings.split and the image-box ops against TensorFlow 2.21: static shapes,
values (SparseTensors part by part), three runs of the seeded sample_distorted_bounding_box ops and the
kernels' errors, of one model built by the same code under both (tests/fixtures/sets_strings_boxes/model.py;
its make_fixture.py wrote the fixture with real TF), plus TF's op names and graph-construction errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sets_strings_boxes"
TF = json.loads((FIXTURE / "tf_values.json").read_text())
_spec = importlib.util.spec_from_file_location("sets_strings_boxes_model", FIXTURE / "model.py")
MODEL = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(MODEL)


def assert_same(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key, value in ours.items():
        expected = theirs[key]
        assert (value["dtype"], value["shape"]) == (expected["dtype"], expected["shape"]), key
        if value["dtype"] in ("float32", "float16"):
            np.testing.assert_array_equal(value["values"], expected["values"], err_msg=key)
        else:
            assert value["values"] == expected["values"], key


@pytest.fixture
def built():
    with tf.Graph().as_default():
        feeds, out, repeated = MODEL.build(tf)
        yield feeds, MODEL.parts(tf, out), repeated


def test_static_shapes_and_dtypes_are_tfs(built):
    _, tensors, _ = built
    ours = {k: {"shape": str(t.shape), "dtype": t.dtype.name} for k, t in tensors.items()}
    assert ours == TF["static"]


def test_values_and_seeded_streams_are_tfs(built):
    feeds, tensors, repeated = built
    with tf.Session() as sess:
        values = sess.run(tensors, feeds)
        again = [sess.run({k: tensors[k] for k in repeated}, feeds) for _ in range(2)]
    assert_same({k: MODEL.plain(v) for k, v in values.items()}, TF["values"])
    for run, expected in zip(again, TF["repeated"], strict=True):
        assert_same({k: MODEL.plain(v) for k, v in run.items()}, expected)


@pytest.mark.parametrize("key", sorted(TF["failures"]))
def test_run_time_errors_are_tfs(key):
    expected = TF["failures"][key]
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(tf.errors.OpError) as info:
            sess.run(MODEL.failures(tf)[key]())
    assert type(info.value).__name__ == expected["class"]
    assert info.value.message.split("\n")[0] == expected["message"]


def test_op_types_and_names_are_tfs():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.int32, [None, 3])
        sp = tf.SparseTensor([[0, 0]], [1], [2, 3])
        assert tf.sets.intersection(a, a).values.name == "DenseToDenseSetOperation:1"
        flipped = tf.sets.difference(sp, a)
        assert flipped.indices.op.type == "DenseToSparseSetOperation"
        assert flipped.indices.op.get_attr("set_operation") in ("b-a", b"b-a")
        assert tf.sets.union(sp, sp).dense_shape.op.type == "SparseToSparseSetOperation"
        assert tf.sets.size(sp).name == "SetSize:0"
        assert tf.string_split(["a b"]).values.name == "StringSplit/StringSplit:1"
        assert tf.strings.split(["a b"]).values.name == "StringSplit_1/StringSplitV2:1"
        assert tf.strings.unicode_transcode(["a"], "UTF-8", "UTF-8").name == "UnicodeTranscode:0"
        joined = tf.strings.unsorted_segment_join(["a"], [0], 1)
        assert [i.name for i in joined.op.inputs] == [
            "UnsortedSegmentJoin/inputs:0", "UnsortedSegmentJoin/segment_ids:0",
            "UnsortedSegmentJoin/num_segments:0"]
        assert [i.name for i in tf.strings.split("a b").indices.op.inputs] == [
            "StringSplit_2/ExpandDims:0", "StringSplit_2/Const:0"]
        images = tf.placeholder(tf.float32, [None, 5, 5, 3])
        boxes = tf.placeholder(tf.float32, [None, 2, 4])
        assert tf.image.draw_bounding_boxes(images, boxes).name == "DrawBoundingBoxes:0"
        v2 = tf.image.draw_bounding_boxes(images, boxes, colors=[[1.0, 0, 0, 1]])
        assert [i.name for i in v2.op.inputs][2] == "DrawBoundingBoxesV2/colors:0"
        begin, size, bbox = tf.image.sample_distorted_bounding_box([10, 20, 3], tf.zeros([1, 0, 4]), seed=3)
        assert begin.name == "sample_distorted_bounding_box/SampleDistortedBoundingBoxV2:0"
        assert [i.op.name for i in begin.op.inputs] == [
            "sample_distorted_bounding_box/SampleDistortedBoundingBoxV2/image_size", "zeros",
            "sample_distorted_bounding_box/SampleDistortedBoundingBoxV2/min_object_covered"]
        assert (begin.op.get_attr("seed"), begin.op.get_attr("seed2")) == (3, 0)
        assert str(bbox.shape) == "(1, 1, 4)"


P = tf.placeholder


@pytest.mark.parametrize("build, error, message", [
    (lambda: tf.sets.intersection(P(tf.int32, [3]), P(tf.int32, [3])), ValueError,
     "Shape must be at least rank 2 but is rank 1 for '{{node DenseToDenseSetOperation}} = "
     "DenseToDenseSetOperation[T=DT_INT32, set_operation=\"intersection\", validate_indices=true]"
     "(Placeholder, Placeholder_1)' with input shapes: [3], [3]."),
    (lambda: tf.sets.intersection(P(tf.int32, [2, 3]), P(tf.int32, [3, 3])), ValueError,
     "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3]. for "),
    (lambda: tf.sets.intersection(P(tf.int32, [2, 3]), P(tf.int32, [2, 3, 1])), ValueError,
     "Shape must be rank 2 but is rank 3 for "),
    (lambda: tf.sets.union(P(tf.int32, [2, 3, 4]), tf.SparseTensor([[0, 0]], [1], [2, 3])), ValueError,
     "Dimension must be 3 but is 2 for "),
    (lambda: tf.sets.intersection(P(tf.float32, [2, 3]), P(tf.float32, [2, 3])), TypeError,
     "'a' has invalid dtype `<dtype: 'float32'>` not in supported dtypes: `frozenset({tf.int32, tf.uint8, "
     "tf.int16, tf.int8, tf.string, tf.int64, tf.uint16})`."),
    (lambda: tf.sets.intersection(P(tf.int32, [2, 3]), P(tf.int64, [2, 3])), TypeError,
     "Types don't match, <dtype: 'int32'> vs <dtype: 'int64'>."),
    (lambda: tf.sets.size(P(tf.int32, [2, 3])), TypeError,
     "Expected `SparseTensor`, got Tensor(\"Placeholder:0\", shape=(2, 3), dtype=int32)."),
    (lambda: tf.string_split(P(tf.string, [2, 2])), ValueError,
     "Shape must be rank 1 but is rank 2 for '{{node StringSplit/StringSplit}} = StringSplit[skip_empty=true]"
     "(Placeholder, StringSplit/Const)' with input shapes: [2,2], []."),
    (lambda: tf.string_split(["a b"], result_type="Foo"), ValueError,
     "result_type must be 'RaggedTensor' or 'SparseTensor'."),
    (lambda: tf.strings.unicode_transcode(["a"], "UTF-8", "UTF-7"), ValueError,
     "Attr 'output_encoding' of 'UnicodeTranscode' Op passed string 'UTF-7' not in: \"UTF-8\", "
     "\"UTF-16-BE\", \"UTF-32-BE\"."),
    (lambda: tf.strings.unicode_transcode(["a"], "UTF-8", "UTF-8", errors="x"), ValueError,
     "Attr 'errors' of 'UnicodeTranscode' Op passed string 'x' not in: \"strict\", \"replace\", \"ignore\"."),
    (lambda: tf.strings.ngrams(["a"], 2, padding_width=1), ValueError,
     "pad_values must be provided if padding_width is set."),
    (lambda: tf.strings.ngrams("a", 2), ValueError, "Data must have rank>0"),
    (lambda: tf.strings.ngrams(["a"], [2, 0]), ValueError,
     "All ngram_widths must be greater than 0. Got [2, 0]"),
    (lambda: tf.strings.unsorted_segment_join(["a", "b"], [0, 1, 1], 2), ValueError,
     "Dimensions must be equal, but are 2 and 3 for '{{node UnsortedSegmentJoin}} = UnsortedSegmentJoin"
     "[Tindices=DT_INT32, Tnumsegments=DT_INT32, separator=\"\"](UnsortedSegmentJoin/inputs, "
     "UnsortedSegmentJoin/segment_ids, UnsortedSegmentJoin/num_segments)' with input shapes: [2], [3], []."),
    (lambda: tf.strings.unsorted_segment_join(["a", "b"], [0, 1], -1), ValueError,
     "Dimension size, given by scalar input 2, must be non-negative but is -1 for "),
    (lambda: tf.image.draw_bounding_boxes(P(tf.float32, [5, 5, 3]), P(tf.float32, [None, 2, 4])), ValueError,
     "Shape must be rank 4 but is rank 3 for "),
    (lambda: tf.image.draw_bounding_boxes(P(tf.uint8, [None, 5, 5, 3]), P(tf.float32, [None, 2, 4])),
     TypeError,
     "Value passed to parameter 'images' has DataType uint8 not in list of allowed values: float32, float16"),
    (lambda: tf.image.draw_bounding_boxes(P(tf.float32, [None, 5, 5, 2]), P(tf.float32, [None, 2, 4])),
     ValueError, "Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA) for "),
    (lambda: tf.image.draw_bounding_boxes(P(tf.float32, [None, 5, 5, 3]), P(tf.float32, [None, 2, 3])),
     ValueError, "Dimension must be 4 but is 3 for "),
    (lambda: tf.image.sample_distorted_bounding_box(P(tf.int32, [4]), P(tf.float32, [1, None, 4])),
     ValueError, "Dimension must be 3 but is 4 for "),
    (lambda: tf.image.sample_distorted_bounding_box(P(tf.float32, [3]), P(tf.float32, [1, None, 4])),
     TypeError, "Value passed to parameter 'image_size' has DataType float32 not in list of allowed values: "
     "uint8, int8, int16, int32, int64"),
])
def test_graph_construction_errors_are_tfs(build, error, message):
    with tf.Graph().as_default(), pytest.raises(error) as info:
        build()
    assert str(info.value).startswith(message)
