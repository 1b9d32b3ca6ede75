"""tf.metrics' top-k family, mean_tensor, mean_cosine_distance, sensitivity_at_specificity and
specificity_at_sensitivity against TensorFlow 2.21: local variables, value and update op after two batches,
from the same code on both sides (tests/fixtures/metrics; make_fixture.py there writes the fixture)."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "metrics"
spec = importlib.util.spec_from_file_location("metric_cases", FIXTURES / "metric_cases.py")
metric_cases = importlib.util.module_from_spec(spec)
spec.loader.exec_module(metric_cases)
THEIRS = json.loads((FIXTURES / "metrics_tf.json").read_text())


@pytest.fixture(scope="module")
def ours():
    return json.loads(json.dumps(metric_cases.cases(tf)))


@pytest.mark.parametrize("case", sorted(THEIRS))
def test_variables_value_and_update_are_tfs(ours, case):
    assert ours[case]["variables"] == THEIRS[case]["variables"]
    np.testing.assert_allclose(ours[case]["value"], THEIRS[case]["value"], rtol=1e-6)
    np.testing.assert_allclose(ours[case]["update"], THEIRS[case]["update"], rtol=1e-6)


def test_metric_argument_errors_are_tfs():
    with pytest.raises(ValueError, match="Invalid k=0. `k` should be >= 1."):
        tf.metrics.average_precision_at_k([1], [[0.1, 0.9]], 0)
    with pytest.raises(ValueError, match=r"`specificity` must be in the range \[0, 1\]"):
        tf.metrics.sensitivity_at_specificity([1], [0.5], 1.5)
    with pytest.raises(ValueError, match="Unexpected labels shape"):
        tf.metrics.precision_at_k(np.zeros((2, 2, 2), np.int64), [[0.1, 0.9], [0.3, 0.7]], 1)


def test_metric_collections_receive_value_and_update():
    value, update = tf.metrics.recall_at_k([1, 0], [[0.1, 0.9], [0.8, 0.2]], 1, metrics_collections=["m"],
                                           updates_collections=["u"])
    assert tf.get_collection("m") == [value] and tf.get_collection("u") == [update]
    assert value.op.name == "recall_at_1" and update.op.name == "recall_at_1/update"
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update) == 1.0
