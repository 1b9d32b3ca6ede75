"""tf.train.MonitoredTrainingSession and its hooks.

The training run of tests/fixtures/utils/make_monitored.py (StopAtStepHook, checkpoints every 3 steps,
summaries every 2, then a second session restoring from the directory) leaves the same steps, checkpoints,
files and events (summaries, session logs, graphs per step) as real TensorFlow's. Data file names are
compared up to the shard suffix: a save over an existing prefix writes `data-00001-of-00002` here (see
engine/train/checkpoint_bundle.py) where TF writes `data-00000-of-00001`.
"""

import importlib.util
import json
import logging
import re
from pathlib import Path

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader

import engine as tf

FIXTURES = Path(__file__).parents[1] / "fixtures" / "utils"
_spec = importlib.util.spec_from_file_location("make_monitored", FIXTURES / "make_monitored.py")
make_monitored = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_monitored)


def _without_shard_suffix(names):
    return [re.sub(r"\.data-\d{5}-of-\d{5}$", ".data", n) for n in names]


def test_training_run_leaves_what_tensorflow_leaves(tmp_path):
    record = make_monitored.train(tf, lambda p: LegacyEventFileLoader(p).Load(), str(tmp_path))
    ours = json.loads(json.dumps(record))
    theirs = json.loads((FIXTURES / "monitored.json").read_text())
    for run in ("first", "second"):
        assert ours[run]["steps"] == theirs[run]["steps"]
        assert ours[run]["final_step"] == theirs[run]["final_step"]
        assert ours[run]["first_loss"] == pytest.approx(theirs[run]["first_loss"], rel=1e-6)
    assert ours["checkpoints"] == theirs["checkpoints"]
    assert _without_shard_suffix(ours["files"]) == _without_shard_suffix(theirs["files"])
    assert ours["events"] == theirs["events"]


def _model():
    step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.Variable(1.0, name="w")
    loss = tf.square(w * x, name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return step, x, loss, train


def test_hooks_fetch_feed_and_log(caplog):
    caplog.set_level(logging.INFO, logger="tensorflow")
    with tf.Graph().as_default() as graph:
        step, x, loss, train = _model()
        hooks = [tf.train.FeedFnHook(lambda: {x: 2.0}), tf.train.StopAtStepHook(num_steps=4),
                 tf.train.LoggingTensorHook({"loss": "loss:0", "w": "w:0"}, every_n_iter=2),
                 tf.train.LoggingTensorHook(["global_step:0"], at_end=True)]
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            assert graph.finalized
            while not sess.should_stop():
                sess.run(train)
            with pytest.raises(RuntimeError, match="Run called even after should_stop requested."):
                sess.run(train)
        assert not graph.finalized
    logged = [r.getMessage() for r in caplog.records if " = " in r.getMessage()]
    assert len(logged) == 3 and logged[0].startswith("loss = 4.0, w = ") and logged[2] == "global_step:0 = 4"
    assert re.fullmatch(r"loss = [0-9.]+, w = [0-9.]+ \([0-9.]+ sec\)", logged[1])


def test_nan_loss_raises_or_stops():
    with tf.Graph().as_default():
        step, x, loss, train = _model()
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
            with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training."):
                sess.run(train, feed_dict={x: np.nan})
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=False)]) as sess:
            sess.run(train, feed_dict={x: np.nan})
            assert sess.should_stop()


def test_out_of_range_ends_the_session_cleanly_and_final_ops_run():
    with tf.Graph().as_default():
        step, x, loss, train = _model()
        final = tf.train.FinalOpsHook(step)
        with tf.train.SingularMonitoredSession(hooks=[final]) as sess:
            sess.run(train, feed_dict={x: 1.0})
            assert isinstance(sess.raw_session(), tf.Session)
            raise tf.errors.OutOfRangeError(None, None, "End of sequence")
        assert final.final_ops_values == 1


def test_checkpoint_listener_can_stop_training(tmp_path):
    saved = []

    class StopAfterSecondSave(tf.train.CheckpointSaverListener):
        def after_save(self, session, global_step_value):
            saved.append(global_step_value)
            return len(saved) == 2

    with tf.Graph().as_default():
        step, x, loss, train = _model()
        hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2, listeners=[StopAfterSecondSave()])
        with tf.train.MonitoredSession(hooks=[hook, tf.train.FeedFnHook(lambda: {x: 1.0})]) as sess:
            while not sess.should_stop():
                sess.run(train)
    assert saved == [0, 2] and tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-2")


def test_step_counter_writes_steps_per_second(tmp_path):
    with tf.Graph().as_default():
        step, x, loss, train = _model()
        hooks = [tf.train.StepCounterHook(every_n_steps=2, output_dir=str(tmp_path)),
                 tf.train.StopAtStepHook(last_step=6), tf.train.FeedFnHook(lambda: {x: 1.0})]
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            while not sess.should_stop():
                sess.run(train)
    tf.summary.FileWriterCache.clear()
    events = [e for path in tmp_path.glob("events.out.tfevents.*")
              for e in LegacyEventFileLoader(str(path)).Load()]
    rates = [(e.step, v.tag) for e in events for v in e.summary.value]
    assert [s for s, _ in rates] == [3, 5] and {t for _, t in rates} == {"global_step/sec"}


def test_hook_and_scaffold_argument_errors():
    with pytest.raises(ValueError, match="One of num_steps or last_step must be specified."):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op must be provided."):
        tf.train.SummarySaverHook(save_steps=1)
    with pytest.raises(ValueError, match="Either every_secs or every_steps should be provided."):
        tf.train.CheckpointSaverHook("/tmp/x")
    with tf.Graph().as_default():
        tf.Variable(1.0)
        with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStepHook."):
            tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])
        tf.add_to_collection(tf.GraphKeys.INIT_OP, tf.no_op())
        tf.add_to_collection(tf.GraphKeys.INIT_OP, tf.no_op())
        with pytest.raises(RuntimeError, match='More than one item in the collection "init_op"'):
            tf.train.Scaffold().finalize()
