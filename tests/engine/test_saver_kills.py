"""Saving over one checkpoint prefix survives SIGKILL at any moment, in this engine and in real TensorFlow.

A child process saves to the same prefix again and again (each save with every variable set to the save's
number); it is killed at random moments, and each time the prefix must restore, with every variable from
one and the same save. Real TensorFlow (scripts/tfref.py's, when there is one) reads a few of the killed
checkpoints too.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import engine as tf
from engine.train import checkpoint_bundle
from tests.conftest import tfref

ROOT = Path(__file__).resolve().parents[2]
SHAPES = {"big": (256, 1024), "small": (3,), "names": ()}

_CHILD = """
import sys
import numpy as np
import engine as tf
big = tf.Variable(np.zeros((256, 1024), np.float32), name="big")
small = tf.Variable(np.zeros(3), name="small")
names = tf.Variable("none", name="names")
k = tf.placeholder(tf.float32, [])
text = tf.placeholder(tf.string, [])
assign = [tf.assign(big, tf.fill([256, 1024], k)), tf.assign(small, tf.fill([3], tf.cast(k, tf.float64))),
          tf.assign(names, text)]
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(1, 100000):
        sess.run(assign, {k: float(i), text: str(float(i))})
        saver.save(sess, sys.argv[1])
        print(i, flush=True)
"""


def _restore_in_engine(prefix) -> set:
    """The save numbers the restored variables hold (one number when the checkpoint is consistent)."""
    with tf.Graph().as_default():
        variables = [tf.Variable(np.zeros(SHAPES["big"], np.float32), name="big"),
                     tf.Variable(np.zeros(3), name="small"), tf.Variable("", name="names")]
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            big, small, names = sess.run(variables)
    return set(np.unique(big).tolist()) | set(small.tolist()) | {float(names.decode())}


def _restore_in_tensorflow(prefix, tf_python) -> set:
    code = (
        "import sys, numpy as np, tensorflow as tf\n"
        "r = tf.train.load_checkpoint(sys.argv[1])\n"
        "vals = set(np.unique(r.get_tensor('big')).tolist()) | set(r.get_tensor('small').tolist())\n"
        "vals.add(float(r.get_tensor('names').decode()))\n"
        "print(sorted(vals))\n"
    )
    out = subprocess.run([tf_python, "-c", code, str(prefix)], capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(eval(out.stdout.strip().splitlines()[-1]))  # a printed list of floats


def _kill_during_saves(prefix, seconds: float) -> int:
    """Runs the child ``seconds`` past its first save, then SIGKILLs it; returns the last save it reported."""
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(prefix)], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    with child:
        assert child.stdout.readline().strip() == "1"
        time.sleep(seconds)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    lines = out.split()
    return int(lines[-1]) if lines else 1


def test_random_moment_sigkills_always_leave_a_restorable_checkpoint(tmp_path):
    rng = random.Random(19)
    tf_python = tfref.find()  # optional here: this test is about the engine's own restore
    tf_checks = 3 if tf_python else 0
    for round_ in range(6):
        prefix = tmp_path / f"r{round_}" / "model"
        prefix.parent.mkdir()
        last = _kill_during_saves(prefix, rng.uniform(0.05, 1.5))
        restored = _restore_in_engine(str(prefix))
        assert len(restored) == 1, f"round {round_}: variables from different saves {restored}"
        (number,) = restored
        assert number in (last, last + 1)  # the save reported last, or the one under way when killed
        if round_ < tf_checks:
            assert _restore_in_tensorflow(prefix, tf_python) == restored


_CRASH_POINT_CHILD = """
import os, signal, sys
import numpy as np
import engine as tf
prefix, crash_at, saves_before = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
v = tf.Variable(np.zeros(1000, np.float32), name="v")
value = tf.placeholder(tf.float32, [])
assign = tf.assign(v, tf.fill([1000], value))
saver = tf.train.Saver()
sess = tf.Session()
for i in range(saves_before):
    sess.run(assign, {value: float(i)})
    saver.save(sess, prefix)
sess.run(assign, {value: float(saves_before)})
calls = 0
def killing_after(fn):
    def wrapped(*args, **kwargs):
        global calls
        fn(*args, **kwargs)
        calls += 1
        if calls == crash_at:
            os.kill(os.getpid(), signal.SIGKILL)
    return wrapped
os.replace, os.remove = killing_after(os.replace), killing_after(os.remove)
saver.save(sess, prefix)
print("finished", calls, flush=True)
"""


@pytest.mark.parametrize("saves_before", [1, 2])
def test_a_kill_after_any_file_operation_of_a_save_leaves_old_or_new_checkpoint(tmp_path, saves_before):
    """Kills the save after its 1st, 2nd, ... rename or removal, until a save finishes unkilled."""
    for crash_at in range(1, 20):
        prefix = tmp_path / f"k{crash_at}" / "model"
        prefix.parent.mkdir()
        child = subprocess.run([sys.executable, "-c", _CRASH_POINT_CHILD, str(prefix), str(crash_at),
                                str(saves_before)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               capture_output=True, text=True, timeout=120)
        with tf.Graph().as_default():
            v = tf.Variable(np.zeros(1000, np.float32), name="v")
            with tf.Session() as sess:
                tf.train.Saver().restore(sess, str(prefix))
                restored = set(np.unique(sess.run(v)).tolist())
        assert restored in ({saves_before - 1.0}, {float(saves_before)}), (crash_at, restored)
        if child.returncode == 0:
            assert "finished" in child.stdout
            assert restored == {float(saves_before)}
            break
        assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    else:
        raise AssertionError("the save never finished")


def _save(prefix, value):
    with tf.Graph().as_default():
        v = tf.Variable(np.full(4, value, np.float32), name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, str(prefix))


def test_overwriting_a_prefix_alternates_data_files_and_leaves_no_orphans(tmp_path):
    prefix = tmp_path / "model"
    _save(prefix, 1.0)
    assert sorted(p.name for p in tmp_path.glob("model.data-*")) == ["model.data-00000-of-00001"]
    # what a save killed half-way leaves behind
    orphans = [tmp_path / "model.index.tempstate123", tmp_path / "model.data-00001-of-00002.tempstate9",
               tmp_path / ("checkpoint.tmp" + "ab" * 16), tmp_path / ("model.meta.tmp" + "0" * 32)]
    for orphan in orphans:
        orphan.write_bytes(bytes(64))
    _save(prefix, 2.0)
    assert sorted(p.name for p in tmp_path.glob("model.data-*")) == ["model.data-00001-of-00002"]
    assert not [o for o in orphans if o.exists()]
    reader = checkpoint_bundle.BundleReader(str(prefix))
    assert reader.num_shards == 2 and reader.entry("v").shard_id == 1
    np.testing.assert_array_equal(reader.read("v"), np.full(4, 2.0, np.float32))
    _save(prefix, 3.0)
    assert sorted(p.name for p in tmp_path.glob("model.data-*")) == ["model.data-00000-of-00001"]
    np.testing.assert_array_equal(checkpoint_bundle.BundleReader(str(prefix)).read("v"), np.full(4, 3.0))


def test_tensorflow_restores_the_second_generation_data_file(tmp_path, tf_python):
    prefix = tmp_path / "model"
    for value in (1.0, 2.0):
        with tf.Graph().as_default():
            big = tf.Variable(np.full(SHAPES["big"], value, np.float32), name="big")
            small = tf.Variable(np.full(3, value), name="small")
            names = tf.Variable(str(value), name="names")
            saver = tf.train.Saver()
            with tf.Session() as sess:
                sess.run([big.initializer, small.initializer, names.initializer])
                saver.save(sess, str(prefix))
    assert (tmp_path / "model.data-00001-of-00002").exists()
    assert _restore_in_tensorflow(prefix, tf_python) == {2.0}
