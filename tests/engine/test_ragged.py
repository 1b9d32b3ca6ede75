"""tf.RaggedTensor, tf.ragged and the string ops with ragged results against TensorFlow 2.21: static shapes,
dtypes and ragged ranks, the names of every part, values (each RaggedTensor as its nested row splits and
flat values), a fetched RaggedTensorValue, a fed tf.ragged.placeholder and the run-time errors of TF's
`validate` assertions and kernels, of one model built by the same code under both
(tests/fixtures/ragged/model.py; its make_fixture.py wrote the fixture with real TF)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ragged"
TF = json.loads((FIXTURE / "tf_values.json").read_text())
_spec = importlib.util.spec_from_file_location("ragged_model", FIXTURE / "model.py")
MODEL = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(MODEL)


def assert_same(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key, value in ours.items():  # as JSON, so that NaN equals NaN
        assert json.dumps(value, sort_keys=True) == json.dumps(theirs[key], sort_keys=True), key


@pytest.fixture
def built():
    with tf.Graph().as_default():
        out = MODEL.build(tf)
        yield out, MODEL.parts(tf, out)


# TF's shape refiner runs small constant subgraphs while it infers shapes (here a DenseBincount of constant
# segment ids, a Range over a constant mask's shape, a StringSplit of constant strings; in the operators'
# graph the Max of constant row lengths that sizes a reduction over axis 0, the row bounds a Tensor row
# index picks from constant splits), so TF knows these outer
# dimensions statically; the engine's constant folding at graph construction stops at those kernels and
# leaves the dimension unknown (compatible with TF's, checked by assert_static).
REFINED_BY_TF = {
    "row_splits",
    "mask_dense_3d",
    "split_ragged_scalar",
    "string_split_ragged_delim",
    "bytes_split",
}


def assert_static(ours, theirs, refined):
    """Equal static descriptions, except that for the `refined` outputs TF's shape may know more
    (compatible, and not already equal: then the entry is stale)."""
    assert_same(
        {k: v for k, v in ours.items() if k not in refined},
        {k: v for k, v in theirs.items() if k not in refined},
    )
    for key in refined:
        shape, dtype, ragged_rank = ours[key]
        assert [dtype, ragged_rank] == theirs[key][1:], key
        assert shape != theirs[key][0], f"{key}: now equal to TF's, drop it from the refined ones"
        dims = [None if d == "?" else int(d) for d in theirs[key][0].strip("(,)").split(", ")]
        mine = [None if d == "?" else int(d) for d in shape.strip("(,)").split(", ")]
        assert tf.TensorShape(mine).is_compatible_with(tf.TensorShape(dims)), key


def test_static_shapes_dtypes_and_ragged_ranks_are_tfs(built):
    out, _ = built
    assert_static(MODEL.describe(tf, out), TF["static"], REFINED_BY_TF)


def test_part_names_are_tfs(built):
    _, tensors = built
    assert_same({k: t.name for k, t in tensors.items()}, TF["names"])


def test_values_are_tfs(built):
    _, tensors = built
    with tf.Session() as sess:
        values = sess.run(tensors)
    assert_same({k: MODEL.plain(v) for k, v in values.items()}, TF["values"])


# TF passes the operands of an operator whose RaggedTensors have different (equal-valued) splits tensors
# through Identity nodes after its splits check; the engine makes the check a control input of the op, so
# those parts' names differ (their values do not).
RENAMED_BY_TF_CHECKS = {"mul_other_splits:flat_values", "mul_other_splits:splits0"}


def test_operators_are_tfs():
    expected = TF["operators"]
    with tf.Graph().as_default(), tf.Session() as sess:
        out = MODEL.operators(tf)
        tensors = MODEL.parts(tf, out)
        refined = {
            "reduce_sum_columns",
            "reduce_prod_columns",
            "reduce_mean_columns",
            "reduce_nested_outer",
            "getitem_tensor_row",
            "getitem_nested_row_row",
        }
        assert_static(MODEL.describe(tf, out), expected["static"], refined)
        assert_same(
            {k: t.name for k, t in tensors.items() if k not in RENAMED_BY_TF_CHECKS},
            {k: v for k, v in expected["names"].items() if k not in RENAMED_BY_TF_CHECKS},
        )
        assert_same({k: MODEL.plain(v) for k, v in sess.run(tensors).items()}, expected["values"])
        with pytest.raises(ValueError, match="use tf.ragged.map_flat_values"):
            _ = out["add_scalar"] + tf.constant([1, 2, 3])
        for key in (slice(1, None), 0), slice(None, None, 2), Ellipsis:
            with pytest.raises(ValueError, match="inner-dimension indexing"):
                _ = out["add_scalar"][key]
        with pytest.raises(TypeError, match="RaggedTensor may not be used as a boolean."):
            bool(out["less"])


def test_a_fetched_ragged_tensor_is_tfs_ragged_tensor_value(built):
    out, _ = built
    with tf.Session() as sess:
        value = sess.run(out["nested"])
        listed = sess.run([out["nested"], out["nested"].flat_values])
    assert type(value).__name__ == TF["fetched"]["type"] and isinstance(value, tf.ragged.RaggedTensorValue)
    assert repr(value) == TF["fetched"]["repr"]
    assert str(value) == TF["fetched"]["str"]
    assert value.to_list() == TF["fetched"]["to_list"]
    assert listed[0].to_list() == TF["fetched"]["to_list"] and listed[1].shape == (5,)
    assert value.ragged_rank == 2 and value.flat_values.dtype == np.float32


def test_a_ragged_placeholder_is_fed_from_a_ragged_tensor_value():
    with tf.Graph().as_default(), tf.Session() as sess:
        placeholder = tf.ragged.placeholder(tf.float32, 2, [2])
        assert [t.name for t in (*placeholder.nested_row_splits, placeholder.flat_values)] == TF[
            "placeholder"
        ]["names"]
        assert str(placeholder.shape) == TF["placeholder"]["shape"]
        value = tf.ragged.constant_value(
            [[[[1, 2]], []], [[[3, 4], [5, 6]]]], dtype=np.float32, inner_shape=(2,)
        )
        fed = sess.run(placeholder.to_tensor(), {placeholder: value})
        assert MODEL.plain(fed) == TF["fed"]
        echoed = sess.run(placeholder, {placeholder: value})
        assert echoed.to_list() == value.to_list()
        with pytest.raises(TypeError, match="must be a tf.ragged.RaggedTensorValue"):
            sess.run(placeholder.flat_values, {placeholder: [[1.0, 2.0]]})


def _unnamed(message):
    """An assertion's message without the names of the tensors it prints."""
    return re.sub(r"\[x \([^)]*\) = \]|\[y \([^)]*\) = \]", "[_]", message)


def test_ragged_tensors_in_fetch_structures_and_callables():
    with tf.Graph().as_default(), tf.Session() as sess:
        rt = tf.ragged.constant([[1, 2], [3]])
        placeholder = tf.ragged.placeholder(tf.int32, 1)
        fetched = sess.run({"a": rt, "b": [rt, rt.flat_values], "c": (rt,)})
        assert (
            fetched["a"].to_list() == fetched["b"][0].to_list() == fetched["c"][0].to_list() == [[1, 2], [3]]
        )
        np.testing.assert_array_equal(fetched["b"][1], [1, 2, 3])
        call = sess.make_callable([rt, placeholder + 1], feed_list=[placeholder])
        first, second = call(tf.ragged.constant_value([[5], [6, 7]]))
        assert first.to_list() == [[1, 2], [3]] and second.to_list() == [[6], [7, 8]]
        assert sess.make_callable(rt)().to_list() == [[1, 2], [3]]
        parts = {placeholder.flat_values: [1, 2], placeholder.row_splits: [0, 2]}  # its parts one by one
        assert sess.run(placeholder, parts).to_list() == [[1, 2]]


@pytest.mark.parametrize("key", sorted(TF["failures"]))
def test_run_time_errors_are_tfs(key):
    expected = TF["failures"][key]
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(tf.errors.OpError) as info:
            sess.run(MODEL.failures(tf)[key]())
    assert type(info.value).__name__ == expected["class"]
    message = info.value.message.split("\n")[0]
    if key == "operator_splits_differ":  # TF compares splits it rebuilt from row lengths (see above)
        assert _unnamed(message) == _unnamed(expected["message"])
    else:
        assert message == expected["message"]


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: tf.RaggedTensor([1], None), ValueError, "RaggedTensor constructor is private"),
        (
            lambda: tf.RaggedTensor.from_row_splits([1, 2], [0, 2], validate=1),
            TypeError,
            "Argument `validate` must have type bool. Received 1.",
        ),
        (
            lambda: tf.RaggedTensor.from_row_splits([1, 2], []),
            ValueError,
            "row_splits tensor may not be empty.",
        ),
        (
            lambda: tf.RaggedTensor.from_row_splits([1, 2], [0.0, 2.0]),
            ValueError,
            "row_splits must have dtype int32 or int64",
        ),
        (
            lambda: tf.RaggedTensor.from_value_rowids([1, 2], [0, 3], nrows=2),
            ValueError,
            "Expected nrows >= value_rowids[-1] + 1; got nrows=2, value_rowids[-1]=3",
        ),
        (
            lambda: tf.RaggedTensor.from_nested_row_splits([1], tf.constant([0, 1])),
            TypeError,
            "Argument `nested_row_splits` must be a list of Tensors.",
        ),
        (
            lambda: tf.RaggedTensor.from_tensor([1, 2]),
            ValueError,
            "The rank of a RaggedTensor must be greater than 1, i.e., a list of scalars won't have ragged "
            "dimensions. Received argument `tensor` with rank 1.",
        ),
        (
            lambda: tf.RaggedTensor.from_tensor([[1]], lengths=[1], padding=0),
            ValueError,
            "Specify argument `lengths` or `padding`, but not both.",
        ),
        (
            lambda: tf.RaggedTensor.from_sparse(tf.SparseTensor([[0]], [1], [2])),
            ValueError,
            "rank(st_input) must be 2.",
        ),
        (
            lambda: tf.RaggedTensor.from_sparse([1]),
            TypeError,
            "Argument `st_input` must be of type SparseTensor, but is of type list.",
        ),
        (
            lambda: tf.ragged.constant([[1, [2]]]),
            ValueError,
            "all scalar values must have the same nesting depth",
        ),
        (
            lambda: tf.ragged.constant([[1], 2], ragged_rank=1),
            ValueError,
            "all scalar values must have the same nesting depth",
        ),
        (
            lambda: tf.ragged.row_splits_to_segment_ids(tf.zeros([0], tf.int64)),
            ValueError,
            "Invalid row_splits: []",
        ),
        (lambda: tf.ragged.boolean_mask([1, 2], True), ValueError, "mask cannot be scalar."),
        (
            lambda: tf.strings.split(["a"], result_type="Foo"),
            ValueError,
            "result_type must be 'RaggedTensor' or 'SparseTensor'.",
        ),
        (
            lambda: tf.strings.unicode_encode([[1]], "UTF-7"),
            ValueError,
            "Attr 'output_encoding' of 'UnicodeEncode' Op passed string 'UTF-7' not in: "
            '"UTF-8", "UTF-16-BE", "UTF-32-BE".',
        ),
        (
            lambda: tf.strings.unicode_encode(65, "UTF-8"),
            ValueError,
            "input_tensor's rank must be at least 1.",
        ),
    ],
)
def test_graph_construction_errors_are_tfs(build, error, message):
    with tf.Graph().as_default(), pytest.raises(error) as info:
        build()
    assert str(info.value).startswith(message)


def test_graph_mode_has_no_eager_accessors():
    with tf.Graph().as_default():
        rt = tf.ragged.constant([[1], []])
        with pytest.raises(ValueError, match="to_list can only be used in eager mode."):
            rt.to_list()
        assert repr(rt) == (
            'tf.RaggedTensor(values=Tensor("RaggedConstant/values:0", shape=(1,), dtype=int32), '
            'row_splits=Tensor("RaggedConstant/Const:0", shape=(3,), dtype=int64))'
        )


def test_gradients_flow_through_to_tensor_to_the_flat_values():
    with tf.Graph().as_default(), tf.Session() as sess:
        values = tf.constant([1.0, 2.0, 3.0])
        dense = tf.RaggedTensor.from_row_splits(values, [0, 2, 3]).to_tensor(default_value=5.0)
        weights = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        grad = tf.gradients(tf.reduce_sum(dense * weights), values)[0]
        np.testing.assert_array_equal(sess.run(grad), [1.0, 2.0, 3.0])
