"""A small convnet on scikit-learn's digits, trained the TF 1.x "production" way:

    python examples/monitored_digits.py [--checkpoint_dir tmp/logs/monitored] [--steps 400]

`tf.app.flags` and `tf.app.run`, a `tf.train.MonitoredTrainingSession` that checkpoints into and restores
from --checkpoint_dir (run it twice: the second run continues from the last step), writes the graph and
the summaries there for board, stops with `StopAtStepHook` and logs with `LoggingTensorHook`;
`tf.metrics.accuracy` (local variables, update op) on the held-out digits; and a
`tf.train.ExponentialMovingAverage` of the weights, whose averages a Saver loads for the final evaluation.
It needs the `examples` extra (scikit-learn, whose digits ship with it: no download).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf

flags = tf.app.flags
flags.DEFINE_string("checkpoint_dir", "tmp/logs/monitored", "where checkpoints and summaries go")
flags.DEFINE_integer("steps", 400, "train until the global step reaches this")
flags.DEFINE_integer("batch_size", 64, "digits per training step")
flags.DEFINE_float("learning_rate", 0.05, "momentum optimizer's learning rate")
FLAGS = flags.FLAGS


def load_digits():
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]  # [n, 8, 8, 1] in [0, 1]
    order = np.random.RandomState(0).permutation(len(images))
    images, labels = images[order], digits.target[order].astype(np.int64)
    return (images[:1500], labels[:1500]), (images[1500:], labels[1500:])


def model(images):
    """conv 3x3x16 + relu + 2x2 max pool -> dense 10; returns the logits."""
    with tf.variable_scope("conv"):
        kernel = tf.get_variable("kernel", [3, 3, 1, 16])
        bias = tf.get_variable("bias", [16], initializer=tf.zeros_initializer())
        hidden = tf.nn.relu(tf.nn.conv2d(images, kernel, [1, 1, 1, 1], "SAME") + bias)
        pooled = tf.nn.max_pool(hidden, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    with tf.variable_scope("logits"):
        weight = tf.get_variable("weight", [4 * 4 * 16, 10])
        bias = tf.get_variable("bias", [10], initializer=tf.zeros_initializer())
        return tf.matmul(tf.reshape(pooled, [-1, 4 * 4 * 16]), weight) + bias


def main(_):
    (train_x, train_y), (test_x, test_y) = load_digits()
    tf.set_random_seed(1)
    global_step = tf.train.get_or_create_global_step()
    images = tf.placeholder(tf.float32, [None, 8, 8, 1], name="images")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    logits = model(images)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    tf.summary.scalar("loss", loss)
    optimizer = tf.train.MomentumOptimizer(FLAGS.learning_rate, 0.9)
    ema = tf.train.ExponentialMovingAverage(0.99, num_updates=global_step)
    with tf.control_dependencies([optimizer.minimize(loss, global_step=global_step)]):
        train_op = ema.apply(tf.trainable_variables())
    accuracy, update_accuracy = tf.metrics.accuracy(labels, tf.argmax(logits, 1))

    rng = np.random.RandomState(0)

    def next_batch():
        index = rng.randint(0, len(train_x), FLAGS.batch_size)
        return {images: train_x[index], labels: train_y[index]}

    hooks = [tf.train.StopAtStepHook(last_step=FLAGS.steps), tf.train.NanTensorHook(loss),
             tf.train.FeedFnHook(next_batch),
             tf.train.LoggingTensorHook({"step": global_step, "loss": loss}, every_n_iter=100)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=FLAGS.checkpoint_dir, hooks=hooks,
                                           save_checkpoint_steps=100, save_summaries_steps=10) as sess:
        while not sess.should_stop():
            sess.run(train_op)

    # Evaluate the moving averages of the weights: a Saver restores them into the model's variables.
    restore_averages = tf.train.Saver(ema.variables_to_restore())
    with tf.Session() as sess:
        restore_averages.restore(sess, tf.train.latest_checkpoint(FLAGS.checkpoint_dir))
        sess.run(tf.local_variables_initializer())
        sess.run(update_accuracy, {images: test_x, labels: test_y})
        print(f"test accuracy (averaged weights): {sess.run(accuracy):.3f}")


if __name__ == "__main__":
    tf.app.run()
