"""Train the digits MLP from TFRecord files through TF1's queue runners (the pre-tf.data input pipeline).

    python examples/train_with_queue_runners.py [--logdir tmp/logs/queues] [--epochs 20]

The TF 1.x documentation's pattern, unchanged: `tf.train.string_input_producer` (file names, shuffled,
`num_epochs` counted by a local variable) -> `tf.TFRecordReader` (GZIP) -> `tf.parse_single_example` ->
`tf.train.shuffle_batch` (two enqueuing threads), then `tf.train.start_queue_runners` under a
`tf.train.Coordinator` and a training loop that ends with `tf.errors.OutOfRangeError` when the epochs
run out.  The test file is read the same way with `tf.train.batch` (one epoch, smaller final batch) into
the same, reused weights.  Summaries (`loss`, the queues' `fraction_of_*_full`, `test/accuracy`) go to
--logdir for board.  The TFRecord files are train_from_tfrecords.py's.  It needs the `examples` extra
(scikit-learn, whose digits ship with it: no download).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf
from examples.train_from_tfrecords import FEATURES, write_shards
from examples.train_mlp import dense, dense_relu


def read_examples(filenames, num_epochs, shuffle):
    """One parsed Example at a time from the GZIP TFRecord files, through a filename queue."""
    filename_queue = tf.train.string_input_producer(filenames, num_epochs=num_epochs, shuffle=shuffle)
    options = tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)
    _, serialized = tf.TFRecordReader(options=options).read(filename_queue)
    example = tf.parse_single_example(serialized, features=FEATURES)
    return example["image"], example["label"]


def logits_of(images):
    with tf.variable_scope("mlp", reuse=tf.AUTO_REUSE):
        with tf.variable_scope("layer1"):
            relu1 = dense_relu(images, 64, 128)
        with tf.variable_scope("layer2"):
            relu2 = dense_relu(relu1, 128, 128)
        with tf.variable_scope("output"):
            return dense(relu2, 128, 10)


def until_out_of_range(step):
    """Calls `step()` until its input queue is closed and empty (OutOfRangeError)."""
    try:
        while True:
            step()
    except tf.errors.OutOfRangeError:
        pass


def train(train_files, test_files, epochs=20, batch=64, learning_rate=1e-3, seed=0, logdir=None):
    """Trains from the files; returns (training steps, test accuracy)."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    with tf.name_scope("train_input"):
        image, label = read_examples(train_files, epochs, shuffle=True)
        images, labels = tf.train.shuffle_batch([image, label], batch_size=batch, capacity=1000 + 3 * batch,
                                                min_after_dequeue=1000, num_threads=2,
                                                allow_smaller_final_batch=True)
    with tf.name_scope("test_input"):
        test_image, test_label = read_examples(test_files, 1, shuffle=False)
        test_images, test_labels = tf.train.batch([test_image, test_label], batch_size=128,
                                                  allow_smaller_final_batch=True)
    loss = tf.losses.softmax_cross_entropy(onehot_labels=tf.one_hot(labels, 10), logits=logits_of(images))
    test_correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits_of(test_images), 1), test_labels),
                                         tf.float32))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    tf.summary.scalar("loss", loss)
    summaries = tf.summary.merge_all()  # loss and every queue's fill fraction
    accuracy_value = tf.placeholder(tf.float32, [], name="accuracy_value")
    accuracy_summary = tf.summary.scalar("test/accuracy", accuracy_value, collections=[])

    with tf.Session() as sess:
        writer = tf.summary.FileWriter(logdir, sess.graph) if logdir else None
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        state = {"step": 0, "right": 0.0, "seen": 0}

        def train_step():
            summary, _, state["step"] = sess.run([summaries, train_op, global_step])
            if writer is not None and state["step"] % 10 == 0:
                writer.add_summary(summary, state["step"])

        def test_step():
            right, batch_labels = sess.run([test_correct, test_labels])
            state["right"] += right
            state["seen"] += len(batch_labels)

        # Every queue runner starts here; the test queues only fill (nothing dequeues) until the test.
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            until_out_of_range(train_step)
            until_out_of_range(test_step)
        finally:
            coord.request_stop()  # cancels the enqueues still waiting, so the threads can end
        coord.join(threads)
        accuracy = state["right"] / state["seen"]
        if writer is not None:
            writer.add_summary(sess.run(accuracy_summary, {accuracy_value: accuracy}), state["step"])
            writer.close()
    return state["step"], accuracy


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logdir", default="tmp/logs/queues")
    ap.add_argument("--data-dir", default=None, help="where the TFRecord files go (default: LOGDIR/data)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    train_files, test_files = write_shards(args.data_dir or os.path.join(args.logdir, "data"), args.seed)
    steps, accuracy = train(train_files, test_files, epochs=args.epochs, seed=args.seed, logdir=args.logdir)
    print(f"{steps} steps, test accuracy {accuracy:.3f}")
    print(f"logs in {args.logdir}: run `board --logdir {args.logdir}` and open http://localhost:6006")
    return accuracy


if __name__ == "__main__":
    main()
