"""tf.confusion_matrix (tf.math.confusion_matrix) with TensorFlow 2.21's values, node names and bound-check
text (read from tf.compat.v1 with v2 behaviour disabled)."""

import numpy as np
import pytest

import engine as tf


def test_counts_and_weights_as_tensorflow():
    with tf.Graph().as_default(), tf.Session() as sess:
        counts = tf.confusion_matrix([1, 2, 4], [2, 2, 4])
        weighted = tf.math.confusion_matrix([0, 1, 1], [1, 1, 0], num_classes=3, weights=[1.0, 2.0, 0.5],
                                            dtype=tf.float32)
        assert (counts.name, counts.dtype) == ("confusion_matrix/ScatterNd:0", tf.int32)
        assert (weighted.name, weighted.shape.as_list()) == ("confusion_matrix_1/ScatterNd:0", [3, 3])
        got_counts, got_weighted = sess.run([counts, weighted])
    expected = np.zeros((5, 5), np.int32)
    expected[1, 2] = expected[2, 2] = expected[4, 4] = 1
    np.testing.assert_array_equal(got_counts, expected)
    np.testing.assert_array_equal(got_weighted, [[0.0, 1.0, 0.0], [0.5, 2.0, 0.0], [0.0, 0.0, 0.0]])


def test_out_of_bound_labels_fail_with_tf_text():
    with tf.Graph().as_default(), pytest.raises(tf.errors.InvalidArgumentError) as caught:
        tf.confusion_matrix([0, 5], [0, 1], num_classes=3)  # known values: refused when built, as in TF
    assert caught.value.message.startswith(
        "`labels` out of bound\nCondition x < y did not hold element-wise:\n"
        "x (confusion_matrix/control_dependency:0) = \n[0 5]\ny (confusion_matrix/Cast_2:0) = \n3")


def test_out_of_bound_fed_predictions_fail_when_run():
    with tf.Graph().as_default(), tf.Session() as sess:
        predictions = tf.placeholder(tf.int64, [None])
        cm = tf.confusion_matrix([0, 1], predictions, num_classes=2)
        np.testing.assert_array_equal(sess.run(cm, {predictions: [0, 0]}), [[1, 0], [1, 0]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="`predictions` out of bound"):
            sess.run(cm, {predictions: [0, 2]})
