"""tf.metrics against real TensorFlow: the cases of tests/fixtures/utils/make_metrics.py, built and run with
engine, give TF's local variables, tensor names and (update, value) after each batch."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).parents[1] / "fixtures" / "utils"
_spec = importlib.util.spec_from_file_location("make_metrics", FIXTURES / "make_metrics.py")
make_metrics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_metrics)
RECORDED = json.loads((FIXTURES / "metrics.json").read_text())


def _case_id(case):
    metric, _, kwargs, weighted = case
    return "-".join([metric, *(f"{k}={v}" for k, v in kwargs.items()), *(["weighted"] if weighted else [])])


@pytest.mark.parametrize("index", range(len(make_metrics.CASES)),
                         ids=[_case_id(c) for c in make_metrics.CASES])
def test_metric_matches_tensorflow(index):
    ours = make_metrics.run_case(tf, make_metrics.CASES[index])
    theirs = RECORDED[index]
    for key in ("local_variables", "metric_variables", "value", "update"):
        assert ours[key] == theirs[key], key
    for our_step, their_step in zip(ours["steps"], theirs["steps"], strict=True):
        for mine, tfs in zip(our_step, their_step, strict=True):  # (update, value)
            np.testing.assert_allclose(mine, tfs, rtol=2e-6, atol=1e-7)


def test_metric_collections_and_errors():
    with tf.Graph().as_default():
        labels = tf.constant([1, 0, 1])
        value, update = tf.metrics.accuracy(labels, tf.constant([[1], [1], [1]]), metrics_collections=["m"],
                                            updates_collections=[tf.GraphKeys.UPDATE_OPS])
        assert tf.get_collection("m") == [value] and tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [update]
        assert tf.trainable_variables() == [] and len(tf.local_variables()) == 2
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            assert sess.run(update) == pytest.approx(2 / 3)
        with pytest.raises(ValueError, match="curve must be either ROC or PR, XY unknown"):
            tf.metrics.auc(labels, tf.constant([0.1, 0.2, 0.3]), curve="XY")
        with pytest.raises(ValueError, match="Invalid summation_method: nope"):
            tf.metrics.auc(labels, tf.constant([0.1, 0.2, 0.3]), summation_method="nope")
