"""Segment, partition, set, counting and sorting ops against TensorFlow 2.21: static shapes (unknown leading
dimensions), values and gradients of one graph built by the same code under both
(tests/fixtures/segment_ops/segment_model.py; tests/fixtures/make_model_fixture.py wrote the fixture),
plus TF's errors."""

from __future__ import annotations

import re

import pytest

import engine as tf
from tests.fixtures import model_fixture
from tests.fixtures.model_fixture import fresh_graph  # noqa: F401 - the autouse fixture

META, VALUES, MODEL = model_fixture.load("segment_ops", "segment_model.py", "segment_tf")
P = tf.placeholder_with_default
# TF's shape inference runs the kernels of small constant subgraphs (bincount's size, the stitched positions
# of DynamicPartition's gradient); the engine leaves those leading dimensions unknown.
UNKNOWN_WHERE_TF_EVALUATES = {"bincount", "bincount_weighted", "bincount_capped", "grad_dynamic_partition"}


@pytest.fixture
def model():
    return MODEL.build(tf)


def test_static_shapes_and_dtypes_are_tfs(model):
    _, out, grads = model
    ours = model_fixture.static_signature({**out, **grads})
    assert sorted(ours) == sorted(META)
    differ = {k: (ours[k], META[k]) for k in META if ours[k] != META[k]}
    assert set(differ) == UNKNOWN_WHERE_TF_EVALUATES, differ
    for key, (mine, theirs) in differ.items():
        assert mine == {**theirs, "shape": re.sub(r"^\(\d+", "(?", theirs["shape"])}, key


def test_values_and_gradients_match_tensorflow(model):
    feeds, out, grads = model
    model_fixture.assert_values_match(feeds, {**out, **grads}, VALUES, rtol=2e-5, atol=2e-5)


def test_op_types_and_names_are_tfs():
    data = tf.placeholder(tf.float32, [None, 3])
    assert tf.unsorted_segment_mean(data, [0, 0, 1], 2).name == "UnsortedSegmentMean/truediv:0"
    assert tf.sparse_segment_mean(data, [0, 1], [0, 0], num_segments=4).op.type == \
        "SparseSegmentMeanWithNumSegments"
    assert tf.sort(data).name == "sort/Neg_1:0"
    assert tf.argsort(data).name == "argsort/TopKV2:1"
    assert tf.bincount([1, 2]).name == "bincount/DenseBincount:0"
    assert tf.histogram_fixed_width(data, [0.0, 1.0], 5).name == "histogram_fixed_width:0"
    assert tf.searchsorted([1.0, 2.0], [1.5]).op.inputs[0].op.type == "LowerBound"


@pytest.mark.parametrize("build, message", [
    (lambda: tf.segment_sum([1.0, 2, 3], [0, 2, 1]), "segment ids are not increasing"),
    (lambda: tf.segment_sum([1.0, 2, 3], [0, 0]),
     "segment_ids should be the same size as dimension 0 of input."),
    (lambda: tf.segment_sum(P([1.0, 2, 3], [None]), P([-1, 0, 0], [None])),
     "Segment id -1 out of range [0, 1), possibly because 'segment_ids' input is not sorted."),
    (lambda: tf.unsorted_segment_max([1.0, 2, 3], [0, 0, 5], 4), "segment_ids[2] = 5 is out of range [0, 4)"),
    (lambda: tf.sparse_segment_sum([[1.0, 2], [3, 4]], [0, 1, 5], [0, 0, 1]),
     "Bad: indices[2] == 5 out of range [0, 2)"),
    (lambda: tf.sparse_segment_sqrt_n([[1.0, 2], [3, 4]], [0, 1, 1], [0, 0, 3], num_segments=2),
     "segment ids must be < num_segments"),
    (lambda: tf.dynamic_partition([1, 2, 3], [0, 5, 0], 3), "partitions[1] = 5 is not in [0, 3)"),
    (lambda: tf.dynamic_stitch([[0, -1], [1]], [[1.0, 2], [3.0]]), "indices[1] is out of range"),
    (lambda: tf.bincount([-1, 2]), "Input arr must be non-negative!"),
    (lambda: tf.bincount([1, 2], weights=[1.0, 2, 3]),
     "`weights` must be the same shape as `arr` or a length-0 `Tensor`, in which case it acts as all weights "
     "equal to 1. Received [3]"),
    (lambda: tf.histogram_fixed_width([0.0, 0.5], [1.0, 0.0], 3),
     "value_range should satisfy value_range[0] < value_range[1], but got '[1, 0]'"),
    (lambda: tf.searchsorted([[1.0, 2, 3], [1, 2, 3]], [[0.0, 2, 5]]),
     "Leading dim_size of both tensors must match."),
])
def test_run_time_errors_are_tfs(build, message):
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(build())
    assert info.value.message.split("\n")[0] == message


@pytest.mark.parametrize("build, message", [
    (lambda: tf.segment_sum([1.0, 2, 3], [[0, 0, 0]]),
     "Shape must be rank 1 but is rank 2 for '{{node SegmentSum}}"),
    (lambda: tf.segment_sum(1.0, [0]),
     "Shape must be at least rank 1 but is rank 0 for '{{node SegmentSum}}"),
    (lambda: tf.sparse_segment_sum([[1.0, 2], [3, 4]], [0, 1, 1], [0, 0]),
     "Dimension 0 in both shapes must be equal, but are 3 and 2. Shapes are [3] and [2]. for "
     "'{{node SparseSegmentSum}}"),
    (lambda: tf.unsorted_segment_max([1.0, 2, 3], [0, 0], 4),
     "Dimensions must be equal, but are 3 and 2 for '{{node UnsortedSegmentMax}}"),
    (lambda: tf.unique([[1, 2]]), "Shape must be rank 1 but is rank 2 for '{{node Unique}}"),
    (lambda: tf.setdiff1d([[1]], [1]), "Shape must be rank 1 but is rank 2 for '{{node ListDiff}}"),
    (lambda: tf.dynamic_partition([[1, 2], [3, 4]], [0, 1, 0], 3),
     "Dimensions must be equal, but are 2 and 3 for '{{node DynamicPartition}}"),
    (lambda: tf.dynamic_stitch([[0, 1], [1]], [[1.0, 2], [3.0, 4]]),
     "Dimensions must be equal, but are 2 and 1 for '{{node DynamicStitch}}"),
    (lambda: tf.histogram_fixed_width([0.0, 0.5], [0.0, 1.0], 0),
     "Requires nbins > 0: 0 for '{{node histogram_fixed_width}}"),
    (lambda: tf.sort([3, 1, 2], direction="UP"),
     "Argument `direction` should be one of ASCENDING, DESCENDING. Received: direction=UP"),
    (lambda: tf.searchsorted([1.0, 2, 3], [0.0], side="x"),
     "Argument `side` must be either 'right' or 'left'. Received: `side` = 'x'."),
])
def test_build_time_errors_are_tfs(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert str(info.value).startswith(message)


def test_ops_without_a_gradient_in_tf_raise_lookup_error():
    x = tf.placeholder(tf.float32, [None])
    y, _ = tf.unique(x)
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'Unique' \(op type: Unique\)"):
        tf.gradients(tf.reduce_sum(y), x)
