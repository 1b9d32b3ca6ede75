"""TF1 queues: ops and node names as TF's, blocking and closing with threads, deadlines, errors as TF's."""

import threading
import time

import pytest

import engine as tf


def _run_in_thread(sess, fetch, expected, queue):
    """Starts `sess.run(fetch)` in a thread and waits until it blocks on `queue`; returns (thread, list that
    receives its `expected` error)."""
    caught = []

    def run():
        try:
            sess.run(fetch)
        except expected as e:
            caught.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while not _blocked(sess, queue) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert _blocked(sess, queue), "the run did not block on the queue"
    return thread, caught


def _blocked(sess, queue):
    """Whether a run waits on the session's `queue` (CPython's Condition lists its waiters)."""
    state = sess._runtime.resources.get(queue.queue_ref.op)
    return state is not None and bool(state.cond._waiters)


def _error(sess, fetch, **kwargs):
    with pytest.raises(tf.errors.OpError) as info:
        sess.run(fetch, **kwargs)
    return info.value


def test_queue_ops_have_tf_names_types_and_shapes():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []])
        enqueue = q.enqueue([[1.0, 2.0], 3])
        many = q.enqueue_many([[[1.0, 2.0]], [3]])
        d, dm, du = q.dequeue(), q.dequeue_many(2), q.dequeue_up_to(2)
        assert q.queue_ref.op.type == "FIFOQueueV2" and q.name == "fifo_queue"
        assert (enqueue.name, enqueue.type) == ("fifo_queue_enqueue", "QueueEnqueueV2")
        assert enqueue.inputs[1].op.name == "fifo_queue_enqueue/component_0"
        assert (many.name, many.type) == ("fifo_queue_EnqueueMany", "QueueEnqueueManyV2")
        assert [str(t) for t in d] == ['Tensor("fifo_queue_Dequeue:0", shape=(2,), dtype=float32)',
                                       'Tensor("fifo_queue_Dequeue:1", shape=(), dtype=int32)']
        assert dm[0].shape.as_list() == [2, 2] and dm[0].op.inputs[1].op.name == "fifo_queue_DequeueMany/n"
        assert du[1].shape.as_list() == [None] and du[0].op.type == "QueueDequeueUpToV2"
        assert q.close().name == "fifo_queue_Close"
        assert q.close(cancel_pending_enqueues=True).get_attr("cancel_pending_enqueues") is True
        assert str(q.size()) == 'Tensor("fifo_queue_Size:0", shape=(), dtype=int32)'
        assert q.is_closed().name == "fifo_queue_Is_Closed:0"
        assert enqueue.get_attr("timeout_ms") == -1
        shuffle = tf.RandomShuffleQueue(10, 2, tf.float32, seed=3)
        seeds = shuffle.queue_ref.op.get_attr("seed"), shuffle.queue_ref.op.get_attr("seed2")
        assert seeds == (87654321, 3)
        assert str(shuffle.dequeue()) == 'Tensor("random_shuffle_queue_Dequeue:0", dtype=float32)'
        with pytest.raises(ValueError, match="incompatible"):
            q.enqueue([[1.0, 2.0, 3.0], 1])
        with pytest.raises(ValueError, match="fully defined"):
            tf.FIFOQueue(3, tf.float32, shapes=[[None]])


def test_fifo_queue_closes_as_tf():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(3, [tf.float32], shapes=[[]])
        x = tf.placeholder(tf.float32)
        with tf.Session() as sess:
            sess.run(q.enqueue_many([[1.0, 2.0]]))
            assert sess.run(q.size()) == 2 and not sess.run(q.is_closed())
            sess.run(q.close())
            assert sess.run(q.is_closed())
            error = _error(sess, q.enqueue(x), feed_dict={x: 1.0})
            assert isinstance(error, tf.errors.CancelledError)
            assert error.message.startswith("FIFOQueue '") and "_fifo_queue' is closed." in error.message
            error = _error(sess, q.dequeue_many(3))
            assert isinstance(error, tf.errors.OutOfRangeError)
            assert "is closed and has insufficient elements (requested 3, current size 2)" in error.message
            assert "[[{{node fifo_queue_DequeueMany}}]]" in error.message
            assert sess.run(q.dequeue_up_to(5)).tolist() == [1.0, 2.0]  # the failed dequeue took nothing
            assert isinstance(_error(sess, q.dequeue()), tf.errors.OutOfRangeError)


def test_dequeue_blocks_until_an_enqueue_from_another_thread():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
        x = tf.placeholder(tf.int32)
        enqueue, dequeue = q.enqueue(x), q.dequeue_many(4)
        with tf.Session() as sess:
            got = []
            reader = threading.Thread(target=lambda: got.append(sess.run(dequeue)))
            reader.start()
            time.sleep(0.1)
            assert reader.is_alive() and not got
            for i in range(4):  # capacity 2 < 4: the reader takes elements as they come
                sess.run(enqueue, {x: i})
            reader.join(5)
            assert got[0].tolist() == [0, 1, 2, 3]


def test_enqueue_blocks_while_full_and_close_can_cancel_it():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
        enqueue = q.enqueue(7)
        with tf.Session() as sess:
            sess.run(enqueue)
            thread, errors = _run_in_thread(sess, enqueue, tf.errors.CancelledError, q)
            assert thread.is_alive()
            sess.run(q.close(cancel_pending_enqueues=True))
            thread.join(5)
            assert not thread.is_alive() and "is closed." in errors[0].message
            assert sess.run(q.dequeue()) == 7


def test_closed_empty_queue_wakes_a_waiting_dequeue_with_out_of_range():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(5, tf.float32)
        dequeue = q.dequeue()
        with tf.Session() as sess:
            thread, errors = _run_in_thread(sess, dequeue, tf.errors.OutOfRangeError, q)
            sess.run(q.close())
            thread.join(5)
            assert "requested 1, current size 0" in errors[0].message


def test_timeout_in_ms_raises_deadline_exceeded():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(5, tf.float32)
        with tf.Session() as sess:
            start = time.monotonic()
            error = _error(sess, q.dequeue(), options=tf.RunOptions(timeout_in_ms=50))
            assert isinstance(error, tf.errors.DeadlineExceededError)
            assert error.message.startswith("Timed out waiting for notification")
            assert 0.04 < time.monotonic() - start < 2


def test_operation_timeout_in_ms_is_every_runs_deadline():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(5, tf.float32)
        with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=40)) as sess:
            assert isinstance(_error(sess, q.dequeue()), tf.errors.DeadlineExceededError)
            assert sess.run(q.size()) == 0


def test_closing_the_session_cancels_a_blocked_dequeue():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(5, tf.float32)
        dequeue = q.dequeue()
        sess = tf.Session()
        sess.run(q.size())  # the queue exists in this session
        thread, errors = _run_in_thread(sess, dequeue, tf.errors.CancelledError, q)
        sess.close()
        thread.join(5)
        assert not thread.is_alive() and errors


def test_random_shuffle_queue_respects_min_after_dequeue_until_closed():
    with tf.Graph().as_default():
        q = tf.RandomShuffleQueue(10, 3, tf.int32, shapes=[[]], seed=1)
        with tf.Session() as sess:
            sess.run(q.enqueue_many([[1, 2, 3, 4]]))
            sess.run(q.dequeue())
            error = _error(sess, q.dequeue(), options=tf.RunOptions(timeout_in_ms=30))
            assert isinstance(error, tf.errors.DeadlineExceededError)
            assert sess.run(q.size()) == 3
            sess.run(q.close())
            assert len(sess.run(q.dequeue_up_to(10))) == 3
            assert sess.run(q.size()) == 0


def test_seeded_random_shuffle_queue_gives_tensorflows_order():
    # Values from TF 2.21 (tf.compat.v1, v2 behaviour disabled) for the same graph.
    with tf.Graph().as_default():
        q = tf.RandomShuffleQueue(100, 0, [tf.int32], shapes=[[]], seed=3)
        enqueue, dequeue = q.enqueue_many([tf.range(20)]), q.dequeue_many(20)
        with tf.Session() as sess:
            sess.run(enqueue)
            first = [7, 4, 10, 11, 15, 16, 18, 14, 1, 3, 0, 2, 13, 12, 6, 19, 5, 9, 17, 8]
            assert sess.run(dequeue).tolist() == first
            sess.run(enqueue)
            second = [10, 16, 7, 19, 12, 4, 13, 8, 3, 11, 15, 0, 2, 9, 6, 5, 18, 14, 17, 1]
            assert sess.run(dequeue).tolist() == second  # the stream goes on within a session


def test_padding_fifo_queue_pads_and_priority_queue_orders():
    with tf.Graph().as_default():
        p = tf.PaddingFIFOQueue(10, [tf.int32, tf.string], shapes=[[None], []])
        y = tf.placeholder(tf.int32, [None])
        enqueue = p.enqueue([y, "s"])
        pq = tf.PriorityQueue(10, [tf.string], shapes=[[]])
        with tf.Session() as sess:
            for row in ([1], [1, 2, 3], []):
                sess.run(enqueue, {y: row})
            values, strings = sess.run(p.dequeue_many(3))
            assert values.tolist() == [[1, 0, 0], [1, 2, 3], [0, 0, 0]] and strings.tolist() == [b"s"] * 3
            sess.run(pq.enqueue_many((tf.constant([3, 1, 2], tf.int64), ["c", "a", "b"])))
            priorities, names = sess.run(pq.dequeue_many(3))
            assert priorities.tolist() == [1, 2, 3] and names.tolist() == [b"a", b"b", b"c"]
        with pytest.raises(ValueError, match="fully defined in rank"):
            tf.PaddingFIFOQueue(3, [tf.float32], shapes=[None])


def test_named_queue_enqueues_and_dequeues_dicts():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(4, [tf.int32, tf.float32], shapes=[[], []], names=["i", "f"])
        with tf.Session() as sess:
            sess.run(q.enqueue({"i": 1, "f": 2.0}))
            assert sess.run(q.dequeue()) == {"i": 1, "f": 2.0}
        with pytest.raises(ValueError, match="must enqueue a dictionary"):
            q.enqueue([1, 2.0])


def test_shared_name_makes_one_queue_per_session():
    with tf.Graph().as_default():
        a = tf.FIFOQueue(4, tf.int32, shapes=[[]], shared_name="shared")
        b = tf.FIFOQueue(4, tf.int32, shapes=[[]], shared_name="shared")
        with tf.Session() as sess:
            sess.run(a.enqueue(5))
            assert sess.run(b.dequeue()) == 5
        with tf.Session() as other:
            assert other.run(a.size()) == 0
