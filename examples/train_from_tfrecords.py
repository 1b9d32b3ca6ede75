"""Write scikit-learn's digits to TFRecord files of tf.train.Examples, then train the MLP from them (tf.data).

    python examples/train_from_tfrecords.py [--logdir tmp/logs/tfrecords] [--epochs 30]

Written as a TF 1.x input pipeline: `tf.python_io.TFRecordWriter` writes the shards (`train-0.tfrecord`,
`train-1.tfrecord`, `test.tfrecord`; GZIP-compressed), and a reinitializable iterator
(`tf.data.Iterator.from_structure`) switches between the training data (parsed with
`tf.parse_single_example`, shuffled, batched) and the test data each epoch; an epoch ends with
`tf.errors.OutOfRangeError`. The files are TensorFlow's: `tf.data.TFRecordDataset` in TensorFlow reads
them as they are. The loss and accuracy curves (`loss`, `accuracy`, `test/accuracy`) go to --logdir for
board. It needs the `examples` extra (scikit-learn, whose digits ship with it: no download).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf
from examples.train_mlp import dense, dense_relu, load_data

FEATURES = {"image": tf.FixedLenFeature([64], tf.float32), "label": tf.FixedLenFeature([], tf.int64)}


def write_shards(data_dir, seed=0):
    """The digits as GZIP TFRecord files: two training shards and one test file. Returns their paths."""
    (x_train, y_train), (x_test, y_test) = load_data(seed)
    os.makedirs(data_dir, exist_ok=True)
    options = tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)
    shards = {"train-0": (x_train[::2], y_train[::2]), "train-1": (x_train[1::2], y_train[1::2]),
              "test": (x_test, y_test)}
    paths = {}
    for name, (images, labels) in shards.items():
        paths[name] = os.path.join(data_dir, f"{name}.tfrecord")
        with tf.python_io.TFRecordWriter(paths[name], options=options) as writer:
            for image, label in zip(images, labels.argmax(1), strict=True):
                example = tf.train.Example(features=tf.train.Features(feature={
                    "image": tf.train.Feature(float_list=tf.train.FloatList(value=image)),
                    "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
                }))
                writer.write(example.SerializeToString())
    return [paths["train-0"], paths["train-1"]], [paths["test"]]


def dataset(filenames, batch, shuffle_seed=None):
    ds = tf.data.TFRecordDataset(filenames, compression_type="GZIP")
    ds = ds.map(lambda record: tf.parse_single_example(record, FEATURES))
    if shuffle_seed is not None:
        ds = ds.shuffle(buffer_size=2048, seed=shuffle_seed)
    return ds.batch(batch)


def train(train_files, test_files, epochs=30, batch=64, learning_rate=1e-3, seed=0, logdir=None):
    """Trains from the files; returns the test accuracy after each epoch."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    train_data = dataset(train_files, batch, shuffle_seed=seed)
    test_data = dataset(test_files, 512)
    iterator = tf.data.Iterator.from_structure(train_data.output_types, train_data.output_shapes)
    train_init, test_init = iterator.make_initializer(train_data), iterator.make_initializer(test_data)
    examples = iterator.get_next()
    with tf.variable_scope("layer1"):
        relu1 = dense_relu(examples["image"], 64, 128)
    with tf.variable_scope("layer2"):
        relu2 = dense_relu(relu1, 128, 128)
    with tf.variable_scope("output"):
        logits = dense(relu2, 128, 10)
    loss = tf.losses.softmax_cross_entropy(onehot_labels=tf.one_hot(examples["label"], 10), logits=logits)
    with tf.name_scope("metrics"):
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), examples["label"]), tf.float32))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    summaries = tf.summary.scalar("loss", loss)
    accuracy_value = tf.placeholder(tf.float32, [], name="accuracy_value")
    accuracy_summaries = {name: tf.summary.scalar(name, accuracy_value, collections=[])
                          for name in ("accuracy", "test/accuracy")}

    def accuracy(sess, init, step, writer, name):
        """Correct predictions over one pass of the data behind `init`."""
        sess.run(init)
        right = seen = 0
        while True:
            try:
                batch_right, labels = sess.run([correct, examples["label"]])
            except tf.errors.OutOfRangeError:
                break
            right, seen = right + batch_right, seen + len(labels)
        if writer is not None:
            writer.add_summary(sess.run(accuracy_summaries[name], {accuracy_value: right / seen}), step)
        return right / seen

    history = []
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(logdir, sess.graph) if logdir else None
        sess.run(tf.global_variables_initializer())
        for epoch in range(epochs):
            sess.run(train_init)
            while True:
                try:
                    summary, _, step = sess.run([summaries, train_op, global_step])
                except tf.errors.OutOfRangeError:
                    break
                if writer is not None:
                    writer.add_summary(summary, step)
            accuracy(sess, train_init, step, writer, "accuracy")
            history.append(accuracy(sess, test_init, step, writer, "test/accuracy"))
            print(f"  epoch {epoch + 1:3d}/{epochs}  step {step:5d}  test accuracy {history[-1]:.3f}",
                  flush=True)
        if writer is not None:
            writer.close()
    return history


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logdir", default="tmp/logs/tfrecords")
    ap.add_argument("--data-dir", default=None, help="where the TFRecord files go (default: LOGDIR/data)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    train_files, test_files = write_shards(args.data_dir or os.path.join(args.logdir, "data"), args.seed)
    print(f"wrote {', '.join(train_files + test_files)}")
    history = train(train_files, test_files, epochs=args.epochs, seed=args.seed, logdir=args.logdir)
    print(f"\nlogs in {args.logdir}: run `board --logdir {args.logdir}` and open http://localhost:6006")
    return np.asarray(history)


if __name__ == "__main__":
    main()
