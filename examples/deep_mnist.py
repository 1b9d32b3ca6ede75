"""The classic TF1 "deep MNIST" convnet, written with `tf.layers`, on scikit-learn's digits (8x8 as they are):

    python examples/deep_mnist.py [--checkpoint_dir tmp/logs/deep_mnist] [--steps 300]

Two 5x5 convolution + 2x2 max-pooling blocks, a 1024-unit dense layer with dropout switched by a `training`
placeholder (a `tf.cond`, as TF builds it), and 10 logits; Adam on the softmax cross-entropy. A
`tf.train.MonitoredTrainingSession` writes checkpoints, the graph and the summaries (loss, the streaming
`tf.metrics.accuracy` of the training batches, a few input digits) into --checkpoint_dir for board; a run
continues from the last checkpoint there. At the end the last checkpoint is restored into a plain Session
and `tf.metrics.accuracy` is measured on the held-out digits with dropout off.
It needs the `examples` extra (scikit-learn, whose digits ship with it: no download).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf

flags = tf.app.flags
flags.DEFINE_string("checkpoint_dir", "tmp/logs/deep_mnist", "where checkpoints and summaries go")
flags.DEFINE_integer("steps", 300, "train until the global step reaches this")
flags.DEFINE_integer("batch_size", 50, "digits per training step")
flags.DEFINE_float("learning_rate", 1e-3, "Adam's learning rate")
FLAGS = flags.FLAGS


def load_digits():
    """(train, test) pairs of flattened 8x8 digits in [0, 1] and their int64 labels."""
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    images = (digits.data / 16.0).astype(np.float32)
    order = np.random.RandomState(0).permutation(len(images))
    images, labels = images[order], digits.target[order].astype(np.int64)
    return (images[:1500], labels[:1500]), (images[1500:], labels[1500:])


def deep_cnn(x, training):
    """conv 5x5x32 -> pool -> conv 5x5x64 -> pool -> dense 1024 -> dropout -> dense 10; the logits."""
    x_image = tf.reshape(x, [-1, 8, 8, 1])
    tf.summary.image("input", x_image, max_outputs=4)
    conv1 = tf.layers.conv2d(x_image, filters=32, kernel_size=5, padding="same", activation=tf.nn.relu)
    pool1 = tf.layers.max_pooling2d(conv1, pool_size=2, strides=2)
    conv2 = tf.layers.conv2d(pool1, filters=64, kernel_size=5, padding="same", activation=tf.nn.relu)
    pool2 = tf.layers.max_pooling2d(conv2, pool_size=2, strides=2)
    flat = tf.layers.flatten(pool2)
    dense = tf.layers.dense(flat, 1024, activation=tf.nn.relu)
    dropped = tf.layers.dropout(dense, rate=0.4, training=training)
    return tf.layers.dense(dropped, 10)


def main(_):
    (train_x, train_y), (test_x, test_y) = load_digits()
    tf.set_random_seed(0)
    global_step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, [None, 64], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    training = tf.placeholder(tf.bool, [], name="training")
    logits = deep_cnn(x, training)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train_op = tf.train.AdamOptimizer(FLAGS.learning_rate).minimize(loss, global_step=global_step)
    accuracy, update_accuracy = tf.metrics.accuracy(labels, tf.argmax(logits, 1))
    tf.summary.scalar("loss", loss)
    tf.summary.scalar("train_accuracy", accuracy)

    rng = np.random.RandomState(0)
    hooks = [tf.train.StopAtStepHook(last_step=FLAGS.steps), tf.train.NanTensorHook(loss),
             tf.train.LoggingTensorHook({"step": global_step, "loss": loss, "accuracy": accuracy},
                                        every_n_iter=100)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=FLAGS.checkpoint_dir, hooks=hooks,
                                           save_checkpoint_steps=100, save_summaries_steps=10) as sess:
        while not sess.should_stop():
            index = rng.randint(0, len(train_x), FLAGS.batch_size)
            sess.run([train_op, update_accuracy], {x: train_x[index], labels: train_y[index], training: True})

    with tf.Session() as sess:
        tf.train.Saver().restore(sess, tf.train.latest_checkpoint(FLAGS.checkpoint_dir))
        sess.run(tf.local_variables_initializer())
        sess.run(update_accuracy, {x: test_x, labels: test_y, training: False})
        print(f"test accuracy: {sess.run(accuracy):.3f}")


if __name__ == "__main__":
    tf.app.run()
