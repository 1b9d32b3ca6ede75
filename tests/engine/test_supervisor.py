"""tf.train.Supervisor's managed_session as TF 1.0 scripts use it: initialize or restore from logdir,
background checkpoint/summary/step-counter services, the graph and session logs in the events, and
errors from the block re-raised at its end."""

import threading
import time

import pytest
from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader

import engine as tf


def _events(logdir):
    return [e for path in sorted(logdir.glob("events.out.tfevents.*"))
            for e in LegacyEventFileLoader(str(path)).Load()]


def _build():
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(2.0, name="w")
    loss = tf.square(w, name="loss")
    tf.summary.scalar("loss", loss)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return step, w, train


def test_managed_session_trains_checkpoints_and_resumes(tmp_path):
    with tf.Graph().as_default() as graph:
        step, w, train = _build()
        sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=3600, save_summaries_secs=3600)
        assert graph.finalized and sv.global_step is step and sv.saver is not None
        with sv.managed_session() as sess:
            # The checkpoint service saves once right away (at step 0), in its own thread: let it finish.
            deadline = time.monotonic() + 10
            while tf.train.latest_checkpoint(str(tmp_path)) is None and time.monotonic() < deadline:
                time.sleep(0.01)
            for _ in range(5):
                if sv.should_stop():
                    break
                sess.run(train)
            sv.saver.save(sess, sv.save_path, global_step=step)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-5")
    assert (tmp_path / "graph.pbtxt").is_file() and (tmp_path / "model.ckpt-0.index").is_file()
    events = _events(tmp_path)
    logs = [(e.step, e.session_log.status) for e in events if e.HasField("session_log")]
    assert (0, tf.SessionLog.START) in logs and (0, tf.SessionLog.CHECKPOINT) in logs
    assert logs[-1][1] == tf.SessionLog.STOP
    assert any(e.HasField("graph_def") for e in events)
    assert {v.tag for e in events for v in e.summary.value} >= {"loss_1", "global_step/sec"}  # TF: loss_1 too

    with tf.Graph().as_default():
        step, w, train = _build()
        sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0, save_summaries_secs=0)
        with sv.managed_session() as sess:
            assert sess.run(step) == 5  # restored, not initialized
            assert sess.run(w) == pytest.approx(2.0 * 0.8 ** 5)


def test_errors_in_the_block_and_in_loops_are_reraised(tmp_path):
    with tf.Graph().as_default():
        _build()
        sv = tf.train.Supervisor(logdir=None)
        with pytest.raises(ValueError, match="in the loop"):
            with sv.managed_session():
                raise ValueError("in the loop")
    with tf.Graph().as_default():
        _build()
        sv = tf.train.Supervisor(logdir=None)
        ran = threading.Event()

        def failing():
            ran.set()
            raise RuntimeError("service failed")

        with pytest.raises(RuntimeError, match="service failed"):
            with sv.managed_session():
                sv.loop(60, failing)
                assert ran.wait(10)
                sv.coord.wait_for_stop(10)
    with tf.Graph().as_default():
        _build()
        sv = tf.train.Supervisor(logdir=None)
        with sv.managed_session():
            raise tf.errors.OutOfRangeError(None, None, "input ran dry")  # a clean stop
        assert sv.should_stop()
