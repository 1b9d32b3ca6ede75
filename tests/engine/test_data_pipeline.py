"""tf.data in TF 1.x graph mode: datasets, iterators and their ops, as TF 2.21's `tf.compat.v1` gives them.

Expected values, op names and error texts were observed from TF 2.21 with `disable_v2_behavior()`.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tfrecord"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default():
        yield


def _drain(sess, fetch, feed=None):
    out = []
    while True:
        try:
            out.append(sess.run(fetch, feed))
        except tf.errors.OutOfRangeError:
            return out


def test_map_filter_batch_through_a_one_shot_iterator():
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    y = np.arange(5)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    assert ds.output_types == (tf.float32, tf.int64)
    assert ds.output_shapes == (tf.TensorShape([2]), tf.TensorShape([]))
    assert ds.output_classes == (tf.Tensor, tf.Tensor)
    batched = ds.map(lambda a, b: (a * 2, b + 1)).filter(lambda a, b: b > 1).batch(2)
    assert [s.as_list() for s in batched.output_shapes] == [[None, 2], [None]]
    iterator = tf.data.make_one_shot_iterator(batched)
    features, labels = iterator.get_next()
    assert features.name == "IteratorGetNext:0" and repr(labels.shape) == "TensorShape([Dimension(None)])"
    with tf.Session() as sess:
        got = _drain(sess, (features, labels))
        with pytest.raises(tf.errors.OutOfRangeError) as error:  # and on every call after the end
            sess.run(features)
    assert error.value.message == "End of sequence\n\t [[{{node IteratorGetNext}}]]"
    assert [b.tolist() for _, b in got] == [[2, 3], [4, 5]]
    np.testing.assert_array_equal(got[1][0], [[12, 14], [16, 18]])
    ops = [(n.name, n.op) for n in tf.get_default_graph().as_graph_def().node if "/fn/" not in n.name]
    assert ops == [("normalize_element/component_0", "Const"), ("normalize_element/component_1", "Const"),
                   ("TensorSliceDataset", "TensorSliceDataset"), ("MapDataset", "MapDataset"),
                   ("FilterDataset", "FilterDataset"), ("batch_size", "Const"), ("drop_remainder", "Const"),
                   ("BatchDatasetV2", "BatchDatasetV2"), ("OneShotIterator", "OneShotIterator"),
                   ("IteratorGetNext", "IteratorGetNext")]


def test_initializable_iterator_restarts_with_new_feeds():
    stop = tf.placeholder(tf.int64, [])
    iterator = tf.data.Dataset.range(stop).batch(3, drop_remainder=True).make_initializable_iterator()
    batch = iterator.get_next()
    assert batch.shape.as_list() == [3]  # static: the batch size is a constant and the remainder dropped
    assert (iterator.initializer.name, iterator.initializer.type) == ("MakeIterator", "MakeIterator")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as error:
            sess.run(batch)
        assert error.value.message.startswith(
            "GetNext() failed because the iterator has not been initialized. Ensure that you have run the "
            "initializer operation for this iterator before getting the next element.")
        sess.run(iterator.initializer, {stop: 7})
        assert [b.tolist() for b in _drain(sess, batch)] == [[0, 1, 2], [3, 4, 5]]
        sess.run(iterator.initializer, {stop: 4})
        assert [b.tolist() for b in _drain(sess, batch)] == [[0, 1, 2]]
    with pytest.raises(ValueError, match="Iterator does not have an initializer."):
        _ = tf.data.Dataset.range(3).make_one_shot_iterator().initializer


def test_reinitializable_iterator_switches_datasets():
    iterator = tf.data.Iterator.from_structure(tf.float32, tf.TensorShape([]))
    one = iterator.make_initializer(tf.data.Dataset.from_tensors(1.0))
    two = iterator.make_initializer(tf.data.Dataset.from_tensor_slices([2.0, 3.0]))
    assert (one.name, two.name, one.type) == ("make_initializer", "make_initializer_1", "MakeIterator")
    with pytest.raises(TypeError, match="Expected output types tf.float32 but got dataset with "
                                        "output types tf.int64."):
        iterator.make_initializer(tf.data.Dataset.range(3))
    with pytest.raises(TypeError, match="Expected output shapes compatible with"):
        iterator.make_initializer(tf.data.Dataset.from_tensors([1.0]))
    value = iterator.get_next()
    with tf.Session() as sess:
        sess.run(two)
        assert _drain(sess, value) == [2.0, 3.0]
        sess.run(one)
        assert _drain(sess, value) == [1.0]


def test_dict_elements_repeat_take_skip_prefetch():
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    ds = tf.data.Dataset.from_tensor_slices({"a": x, "b": np.arange(5)}).repeat(2).take(7).skip(1).prefetch(1)
    assert ds.output_types == {"a": tf.float32, "b": tf.int64}
    assert ds.output_shapes == {"a": tf.TensorShape([2]), "b": tf.TensorShape([])}
    element = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = _drain(sess, element)
    assert [e["b"] for e in got] == [1, 2, 3, 4, 0, 1]
    np.testing.assert_array_equal(got[-1]["a"], [2, 3])


def test_zip_and_concatenate():
    pairs = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(3, 6)))
    more = tf.data.Dataset.zip((tf.data.Dataset.range(2), tf.data.Dataset.range(2)))
    ds = pairs.concatenate(more)
    assert ds.output_shapes == (tf.TensorShape([]), tf.TensorShape([]))
    with tf.Session() as sess:
        got = _drain(sess, ds.make_one_shot_iterator().get_next())
    assert got == [(0, 3), (1, 4), (2, 5), (0, 0), (1, 1)]
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        pairs.concatenate(tf.data.Dataset.range(2))


def test_seeded_shuffle_is_a_repeatable_permutation():
    ds = tf.data.Dataset.range(20).shuffle(8, seed=3).repeat(2)
    element = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        first = _drain(sess, element)
    with tf.Session() as sess:
        again = _drain(sess, element)
    assert first == again  # same seeds: the same orders in every session
    assert sorted(first[:20]) == list(range(20)) and sorted(first[20:]) == list(range(20))
    assert first[:20] != list(range(20)) and first[:20] != first[20:]  # reshuffled each pass
    fixed = tf.data.Dataset.range(20).shuffle(8, seed=3, reshuffle_each_iteration=False).repeat(2)
    with tf.Session() as sess:
        out = _drain(sess, fixed.make_one_shot_iterator().get_next())
    assert out[:20] == out[20:]
    first_out = out[0]
    assert first_out < 8 + 1  # a buffer of 8: the first element comes from the first 8 (or the 9th read)


def test_two_sessions_iterate_independently():
    element = tf.data.Dataset.range(3).make_one_shot_iterator().get_next()
    with tf.Session() as a, tf.Session() as b:
        assert [a.run(element), a.run(element), b.run(element), a.run(element)] == [0, 1, 0, 2]


@pytest.mark.parametrize(("name", "compression"), [
    ("examples.tfrecord", None), ("examples.gz.tfrecord", "GZIP"), ("examples.zlib.tfrecord", "ZLIB")])
def test_tfrecord_dataset_of_examples_parsed_and_batched(name, compression):
    features = {"x": tf.FixedLenFeature([3], tf.float32), "label": tf.FixedLenFeature([], tf.int64)}
    ds = tf.data.TFRecordDataset(str(FIXTURES / name), compression_type=compression)
    assert ds.output_types == tf.string and ds.output_shapes == tf.TensorShape([])
    ds = ds.map(lambda record: tf.parse_single_example(record, features)).batch(2)
    element = ds.make_one_shot_iterator().get_next()
    assert element["x"].shape.as_list() == [None, 3]
    with tf.Session() as sess:
        batches = _drain(sess, element)
    assert [len(b["label"]) for b in batches] == [2, 2, 1]
    np.testing.assert_array_equal(np.concatenate([b["x"] for b in batches]), np.float32(EXPECTED["x"]))
    assert np.concatenate([b["label"] for b in batches]).tolist() == EXPECTED["label"]


def test_parallel_reads_interleave_files_in_tfs_order(tmp_path):
    names = []
    for prefix, count in (("A", 5), ("B", 2), ("C", 4), ("D", 1)):
        path = str(tmp_path / f"{prefix}.tfrecord")
        with tf.io.TFRecordWriter(path) as writer:
            for i in range(count):
                writer.write(f"{prefix}{i}".encode())
        names.append(path)
    record = tf.data.TFRecordDataset(names, num_parallel_reads=2).make_one_shot_iterator().get_next()
    sequential = tf.data.TFRecordDataset(names).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [r.decode() for r in _drain(sess, record)] == [
            "A0", "B0", "A1", "B1", "A2", "A3", "C0", "A4", "C1", "C2", "D0", "C3"]
        assert len(_drain(sess, sequential)) == 12
    assert "num_parallel_reads" not in sequential.op.inputs[0].op.node_def.attr  # TF's NodeDef when 1


def test_text_line_dataset_strips_line_ends(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"one\r\ntwo\n\nthree")
    line = tf.data.TextLineDataset(str(path)).make_one_shot_iterator().get_next()
    missing = tf.data.TextLineDataset(str(tmp_path / "nope.txt")).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert _drain(sess, line) == [b"one", b"two", b"", b"three"]
        with pytest.raises(tf.errors.NotFoundError, match="nope.txt; No such file or directory"):
            sess.run(missing)


def test_construction_errors_are_tfs():
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf.data.Dataset.from_tensor_slices(([1, 2], [1, 2, 3]))
    with pytest.raises(ValueError, match="Invalid `predicate`. `predicate` must return a `tf.bool` scalar"):
        tf.data.Dataset.range(3).filter(lambda x: x)
    with pytest.raises(RuntimeError, match="only supports Python-style iteration in eager mode"):
        iter(tf.data.Dataset.range(3))


def test_map_errors_name_the_function_node():
    rows = tf.placeholder(tf.float32, [None, None])
    ds = tf.data.Dataset.from_tensor_slices(rows).map(lambda v: tf.reshape(v, [3]))
    iterator = ds.make_initializable_iterator()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as error:
        sess.run(iterator.initializer, {rows: [[1.0, 2.0]]})
        sess.run(iterator.get_next())
    assert "MapDataset/fn/Reshape" in error.value.message


def test_a_tf1_input_pipeline_trains(tmp_path):
    """TFRecord files of Examples -> parse -> shuffle -> batch -> train, in TF 1.x docs style."""
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(64, 3)).astype(np.float32)
    ys = xs @ np.float32([1.5, -2.0, 0.5]) + 0.25
    path = str(tmp_path / "train.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for x, y in zip(xs, ys, strict=True):
            writer.write(tf.train.Example(features=tf.train.Features(feature={
                "x": tf.train.Feature(float_list=tf.train.FloatList(value=x)),
                "y": tf.train.Feature(float_list=tf.train.FloatList(value=[y]))})).SerializeToString())
    features = {"x": tf.FixedLenFeature([3], tf.float32), "y": tf.FixedLenFeature([1], tf.float32)}
    filenames = tf.placeholder(tf.string, [None])
    ds = (tf.data.TFRecordDataset(filenames).map(lambda r: tf.parse_single_example(r, features))
          .shuffle(64, seed=1).batch(16))
    iterator = ds.make_initializable_iterator()
    batch = iterator.get_next()
    w = tf.Variable(tf.zeros([3, 1]))
    b = tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(tf.matmul(batch["x"], w) + b - batch["y"]))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    epoch_losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):
            sess.run(iterator.initializer, {filenames: [path]})
            epoch_losses.append(np.mean(_drain(sess, [loss, train])[0][0]))
        assert epoch_losses[-1] < 1e-3 < epoch_losses[0]
        np.testing.assert_allclose(sess.run(w).ravel(), [1.5, -2.0, 0.5], atol=0.05)


def test_batches_of_slices_match_stacked_elements():
    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    sliced = tf.data.Dataset.from_tensor_slices((x, np.arange(7)))
    stacked = sliced.map(lambda a, b: (a, b))  # a map in between: batches stacked element by element
    with tf.Session() as sess:
        for drop in (False, True):
            fast = _drain(sess, sliced.batch(3, drop_remainder=drop).make_one_shot_iterator().get_next())
            slow = _drain(sess, stacked.batch(3, drop_remainder=drop).make_one_shot_iterator().get_next())
            assert [len(b) for b, _ in fast] == ([3, 3] if drop else [3, 3, 1])
            for (fa, fb), (sa, sb) in zip(fast, slow, strict=True):
                np.testing.assert_array_equal(fa, sa)
                np.testing.assert_array_equal(fb, sb)


def test_from_generator_converts_and_checks_values():
    def gen():
        for i in range(3):
            yield i, [i] * 2

    shapes = (tf.TensorShape([]), tf.TensorShape([2]))
    ds = tf.data.Dataset.from_generator(gen, (tf.int64, tf.float32), shapes)
    assert ds.output_types == (tf.int64, tf.float32)
    unknown = tf.data.Dataset.from_generator(gen, (tf.int64, tf.float32))
    assert [s.ndims for s in unknown.output_shapes] == [None, None]
    element = ds.repeat(2).make_one_shot_iterator().get_next()
    bad_type = tf.data.Dataset.from_generator(lambda: iter([1.5]), tf.int64)
    bad_shape = tf.data.Dataset.from_generator(lambda: iter([[1, 2]]), tf.int64, tf.TensorShape([3]))
    bad_type, bad_shape = (d.make_one_shot_iterator().get_next() for d in (bad_type, bad_shape))
    with tf.Session() as sess:
        got = _drain(sess, element)
        assert [int(i) for i, _ in got] == [0, 1, 2, 0, 1, 2]  # the generator is called again for each pass
        assert got[1][1].dtype == np.float32 and got[1][1].tolist() == [1.0, 1.0]
        with pytest.raises(tf.errors.InvalidArgumentError) as error:
            sess.run(bad_type)
        assert error.value.message.startswith(
            "TypeError: `generator` yielded an element that did not match the expected structure. The "
            "expected structure was TensorSpec(shape=<unknown>, dtype=tf.int64, name=None), but the yielded "
            "element was 1.5.")
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"yielded an element of shape \(2,\) where an element of shape \(3,\) was"):
            sess.run(bad_shape)


def test_flat_map_interleave_and_unbatch_in_tfs_order():
    flat = tf.data.Dataset.range(3).flat_map(lambda x: tf.data.Dataset.range(x))
    mixed = tf.data.Dataset.range(1, 4).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(x), cycle_length=2, block_length=2)
    rows = tf.data.Dataset.from_tensor_slices(np.arange(6).reshape(3, 2)).batch(2).apply(
        tf.data.experimental.unbatch())
    assert rows.output_shapes.as_list() == [2]
    with tf.Session() as sess:
        assert _drain(sess, flat.make_one_shot_iterator().get_next()) == [0, 0, 1]
        assert _drain(sess, mixed.make_one_shot_iterator().get_next()) == [1, 2, 2, 3, 3, 3]
        assert [r.tolist() for r in _drain(sess, rows.make_one_shot_iterator().get_next())] == [
            [0, 1], [2, 3], [4, 5]]
    with pytest.raises(TypeError, match="The `map_func` argument must return a `Dataset` object"):
        tf.data.Dataset.range(3).flat_map(lambda x: x)


def test_experimental_transformations_for_apply():
    ds = tf.data.Dataset.range(6).apply(tf.data.experimental.shuffle_and_repeat(6, count=2, seed=4))
    batched = tf.data.Dataset.range(5).apply(tf.data.experimental.map_and_batch(
        lambda x: x * 10, 2, num_parallel_calls=tf.data.experimental.AUTOTUNE))
    with tf.Session() as sess:
        out = _drain(sess, ds.make_one_shot_iterator().get_next())
        assert sorted(out[:6]) == sorted(out[6:]) == list(range(6))
        assert [b.tolist() for b in _drain(sess, batched.make_one_shot_iterator().get_next())] == [
            [0, 10], [20, 30], [40]]


def test_feedable_iterator_switches_by_string_handle():
    train = tf.data.Dataset.range(100).make_one_shot_iterator()
    validation = tf.data.Dataset.range(10, 13).make_initializable_iterator()
    handle = tf.placeholder(tf.string, [])
    iterator = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes)
    element = iterator.get_next()
    assert train.string_handle().op.type == "IteratorToStringHandle"
    assert iterator._iterator_resource.op.type == "IteratorFromStringHandleV2"
    with tf.Session() as sess:
        train_handle, validation_handle = sess.run([train.string_handle(), validation.string_handle()])
        assert isinstance(train_handle, bytes) and train_handle != validation_handle
        assert [sess.run(element, {handle: train_handle}) for _ in range(3)] == [0, 1, 2]
        sess.run(validation.initializer)
        assert _drain(sess, element, {handle: validation_handle}) == [10, 11, 12]
        assert sess.run(element, {handle: train_handle}) == 3  # the training iterator kept its place
        with pytest.raises(tf.errors.InvalidArgumentError, match="Could not find an iterator"):
            sess.run(element, {handle: b"nonsense"})


def test_padded_batch_pads_as_tf():
    ds = tf.data.Dataset.range(1, 5).map(lambda x: (
        tf.fill([tf.cast(x, tf.int32)], x), tf.fill([2, tf.cast(x, tf.int32)], tf.cast(x, tf.float32))))
    largest = ds.padded_batch(2, padded_shapes=([-1], [2, None]))
    fixed = ds.padded_batch(3, padded_shapes=([5], [2, 6]), padding_values=(tf.constant(-1, tf.int64), 0.5),
                            drop_remainder=True)
    assert [s.as_list() for s in largest.output_shapes] == [[None, None], [None, 2, None]]
    assert [s.as_list() for s in fixed.output_shapes] == [[3, 5], [3, 2, 6]]
    assert [s.as_list() for s in ds.padded_batch(2).output_shapes] == [[None, None], [None, 2, None]]
    too_small = ds.padded_batch(4, padded_shapes=([2], [2, 4]))
    with tf.Session() as sess:
        got = _drain(sess, largest.make_one_shot_iterator().get_next())
        assert [a.tolist() for a, _ in got] == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
        assert got[0][1].tolist() == [[[1.0, 0.0], [1.0, 0.0]], [[2.0, 2.0], [2.0, 2.0]]]
        (a, b), = _drain(sess, fixed.make_one_shot_iterator().get_next())
        assert a.tolist() == [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1], [3, 3, 3, -1, -1]]
        assert b[2].tolist() == [[3.0, 3.0, 3.0, 0.5, 0.5, 0.5]] * 2
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Attempted to pad to a smaller size than the input element."):
            sess.run(too_small.make_one_shot_iterator().get_next())


def test_fixed_length_records_and_tfs_error(tmp_path):
    (tmp_path / "f.bin").write_bytes(b"HH" + b"abcdefghi" + b"F")
    (tmp_path / "g.bin").write_bytes(b"HH" + b"klmn" + b"F")
    files = [str(tmp_path / "f.bin"), str(tmp_path / "g.bin")]
    record = tf.data.FixedLengthRecordDataset(files, 3, header_bytes=2, footer_bytes=1)
    assert record._variant_tensor.op.type == "FixedLengthRecordDatasetV2"
    element = record.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [sess.run(element) for _ in range(3)] == [b"abc", b"def", b"ghi"]
        with pytest.raises(tf.errors.InvalidArgumentError) as error:
            sess.run(element)
    assert error.value.message.startswith(
        f'Excluding the header (2 bytes) and footer (1 bytes), input file "{files[1]}" has body length 4 '
        "bytes, which is not an exact multiple of the record length (3 bytes).")


def test_cache_replays_the_first_pass():
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)

    ds = tf.data.Dataset.from_generator(gen, tf.int64).cache().repeat(3)
    with tf.Session() as sess:
        assert _drain(sess, ds.make_one_shot_iterator().get_next()) == [0, 1, 2] * 3
    assert len(calls) == 1
