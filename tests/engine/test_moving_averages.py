"""tf.train.ExponentialMovingAverage against real TensorFlow (tests/fixtures/utils/make_ema.py): shadow
names, variables_to_restore and the averages over training steps; and a Saver restoring the averages."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).parents[1] / "fixtures" / "utils"
_spec = importlib.util.spec_from_file_location("make_ema", FIXTURES / "make_ema.py")
make_ema = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_ema)
RECORDED = json.loads((FIXTURES / "ema.json").read_text())


@pytest.mark.parametrize("index", range(len(make_ema.CASES)))
def test_moving_average_matches_tensorflow(index):
    ours = json.loads(json.dumps(make_ema.run_case(tf, make_ema.CASES[index])))
    theirs = RECORDED[index]
    history = ours.pop("history"), theirs.pop("history")
    assert ours == theirs
    np.testing.assert_allclose(np.hstack([np.hstack(h) for h in history[0]]),
                               np.hstack([np.hstack(h) for h in history[1]]), rtol=1e-6)


def test_saver_restores_the_averages_into_the_variables(tmp_path):
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        ema = tf.train.ExponentialMovingAverage(0.5)
        update = ema.apply([w])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(w.assign([3.0, 6.0]))
            sess.run(update)  # shadow = 0.5 * [1, 2] + 0.5 * [3, 6]
            path = tf.train.Saver().save(sess, str(tmp_path / "model"))
    with tf.Graph().as_default():
        w = tf.Variable([0.0, 0.0], name="w")
        restore = tf.train.Saver(tf.train.ExponentialMovingAverage(0.5).variables_to_restore())
        with tf.Session() as sess:
            restore.restore(sess, path)
            np.testing.assert_allclose(sess.run(w), [2.0, 4.0])


def test_apply_refuses_integer_variables():
    with tf.Graph().as_default():
        n = tf.Variable(1, name="n")
        with pytest.raises(TypeError, match="The variables must be half, float, or double: n:0"):
            tf.train.ExponentialMovingAverage(0.9).apply([n])
