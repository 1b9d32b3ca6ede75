"""Queue runners and TF1's input producers / batchers, run with real threads and a Coordinator."""

import time

import numpy as np
import pytest

import engine as tf


def _drain(sess, fetches):
    """Runs `fetches` until OutOfRangeError; the results in order."""
    out = []
    try:
        while True:
            out.append(sess.run(fetches))
    except tf.errors.OutOfRangeError:
        return out


def _start(sess):
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    coord = tf.train.Coordinator()
    return coord, tf.train.start_queue_runners(sess, coord)


def test_slice_input_producer_and_batch_run_epochs_in_order():
    with tf.Graph().as_default():
        x = np.arange(10, dtype=np.float32)
        xs, ys = tf.train.slice_input_producer([x, x.astype(np.int64) * 10], num_epochs=2, shuffle=False)
        bx, by = tf.train.batch([xs, ys], 3, allow_smaller_final_batch=True)
        assert (bx.name, str(bx.shape)) == ("batch:0", "(?,)")
        runners = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        assert [r.name for r in runners] == ["input_producer/input_producer", "batch/fifo_queue"]
        summaries = [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]
        assert summaries == ["input_producer/input_producer/fraction_of_32_full", "batch/fraction_of_32_full"]
        with tf.Session() as sess:
            coord, threads = _start(sess)
            batches = _drain(sess, [bx, by])
            coord.request_stop()
            coord.join(threads)
        assert np.concatenate([b for b, _ in batches]).tolist() == list(range(10)) * 2
        assert [len(b) for b, _ in batches] == [3, 3, 3, 3, 3, 3, 2]
        assert all((b * 10).astype(np.int64).tolist() == c.tolist() for b, c in batches)


def test_shuffle_batch_with_threads_gives_every_element_once_per_epoch():
    with tf.Graph().as_default():
        (i,) = tf.train.slice_input_producer([tf.range(50)], num_epochs=3, shuffle=True, seed=4)
        squared = i * i
        bi, bs = tf.train.shuffle_batch([i, squared], batch_size=8, capacity=40, min_after_dequeue=10,
                                        num_threads=3, seed=2, allow_smaller_final_batch=True)
        assert bi.op.name == "shuffle_batch"
        summary = tf.get_collection(tf.GraphKeys.SUMMARIES)[-1]
        assert summary.op.name == "shuffle_batch/fraction_over_10_of_30_full"
        with tf.Session() as sess:
            coord, threads = _start(sess)
            batches = _drain(sess, [bi, bs])
            coord.request_stop()
            coord.join(threads)
        values = np.concatenate([b for b, _ in batches])
        assert sorted(values.tolist()) == sorted(list(range(50)) * 3)
        assert values[:50].tolist() != list(range(50))
        assert all((b * b).tolist() == s.tolist() for b, s in batches)


def test_string_input_producer_feeds_file_names_for_epochs(tmp_path):
    with tf.Graph().as_default():
        names = [str(tmp_path / f"f{i}") for i in range(3)]
        queue = tf.train.string_input_producer(names, num_epochs=2, shuffle=False)
        assert queue.queue_ref.op.name == "input_producer" and queue.queue_ref.op.type == "FIFOQueueV2"
        name = queue.dequeue()
        with tf.Session() as sess:
            coord, threads = _start(sess)
            got = _drain(sess, name)
            coord.request_stop()
            coord.join(threads)
        assert got == [n.encode() for n in names] * 2
        with pytest.raises(ValueError, match="requires a non-null input tensor"):
            tf.train.string_input_producer([])


def test_batch_join_and_dynamic_pad():
    with tf.Graph().as_default():
        a = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
        b = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue() + 100
        joined = tf.train.batch_join([[a], [b]], 2, allow_smaller_final_batch=True)
        padded = tf.train.batch([tf.range(a)], 4, dynamic_pad=True, allow_smaller_final_batch=True)
        with tf.Session() as sess:
            coord, threads = _start(sess)
            values = sorted(np.concatenate(_drain(sess, joined)).tolist())
            coord.request_stop()
            coord.join(threads)
        assert values == [0, 1, 2, 3, 100, 101, 102, 103]
        assert padded.shape.as_list() == [None, None]


def test_queue_runner_errors_reach_the_coordinator():
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(4, tf.float32, shapes=[[]])
        x = tf.placeholder(tf.float32)  # never fed: the enqueue thread fails
        tf.train.add_queue_runner(tf.train.QueueRunner(queue, [queue.enqueue(x)]))
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            with pytest.raises(tf.errors.InvalidArgumentError, match="You must feed a value"):
                coord.join(threads)


def test_request_stop_cancels_enqueue_threads_blocked_on_a_full_queue():
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(2, tf.int32, shapes=[[]])
        runner = tf.train.QueueRunner(queue, [queue.enqueue(1)] * 2)
        tf.train.add_queue_runner(runner)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            assert len(threads) == 3 and threads[-1].name == "QueueRunnerThread-fifo_queue"
            assert tf.train.start_queue_runners(sess, coord) == []  # already running in this session
            deadline = time.monotonic() + 10
            while sess.run(queue.size()) < 2 and time.monotonic() < deadline:  # the threads fill it
                time.sleep(0.01)
            assert sess.run(queue.size()) == 2
            start = time.monotonic()
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=5)
            assert time.monotonic() - start < 5 and not any(t.is_alive() for t in threads)  # no grace wait
            assert sess.run(queue.is_closed())


def test_start_queue_runners_needs_a_session():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="No default session is registered"):
            tf.train.start_queue_runners()
        with pytest.raises(ValueError, match="capacity 10 must be bigger than min_after_dequeue 10"):
            tf.train.shuffle_batch([tf.constant(1)], 2, capacity=10, min_after_dequeue=10)
        with pytest.raises(ValueError, match="must be > 0"):
            tf.train.limit_epochs(tf.constant(1), 0)


def test_count_up_to_raises_at_its_limit():
    with tf.Graph().as_default():
        v = tf.Variable(0, name="v")
        counter = v.count_up_to(2)
        assert counter.op.type == "CountUpTo" and counter.op.get_attr("limit") == 2
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert [sess.run(counter), sess.run(counter)] == [0, 1]
            with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
                sess.run(counter)


def test_queue_runners_round_trip_through_meta_graphs(tmp_path):
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(4, tf.int32, shapes=[[]], name="numbers")
        runner = tf.train.QueueRunner(queue, [queue.enqueue(3)] * 2,
                                      queue_closed_exception_types=(tf.errors.OutOfRangeError,
                                                                    tf.errors.CancelledError))
        tf.train.add_queue_runner(runner)
        proto = runner.to_proto()
        assert (proto.queue_name, list(proto.enqueue_op_name)) == ("numbers", ["numbers_enqueue"] * 2)
        assert (proto.close_op_name, proto.cancel_op_name) == ("numbers_Close", "numbers_Close_1")
        assert list(proto.queue_closed_exception_types) == [11, 1]  # OUT_OF_RANGE, CANCELLED
        tf.train.export_meta_graph(str(tmp_path / "model.meta"))
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(str(tmp_path / "model.meta"))
        (restored,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        assert restored.name == "numbers"
        assert [op.name for op in restored.enqueue_ops] == ["numbers_enqueue"] * 2
        assert restored.queue_closed_exception_types == (tf.errors.OutOfRangeError, tf.errors.CancelledError)
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            dequeue = graph.create_op("QueueDequeueManyV2", [graph.get_tensor_by_name("numbers:0"),
                                                             tf.constant(3)], attrs={
                "component_types": [tf.int32], "timeout_ms": -1}).outputs[0]
            assert sess.run(dequeue).tolist() == [3, 3, 3]
            coord.request_stop()
            coord.join(threads)
