"""A TF 1.x documentation-style queue pipeline, run unchanged by the engine and by real TensorFlow.

    python queue_pipeline.py engine|tensorflow WORKDIR

Writes TFRecord files of `tf.train.Example`s, then
  A. reads them back in order: string_input_producer -> TFRecordReader -> parse_single_example ->
     tf.train.batch (one thread, num_epochs=1): deterministic, so both libraries must agree exactly;
  B. trains a logistic regression from them: string_input_producer (shuffled, num_epochs) ->
     TFRecordReader -> parse_single_example -> tf.train.shuffle_batch (two threads) -> GradientDescent,
     until OutOfRangeError, under a Coordinator.
Prints one JSON line: A's batches, and B's example count and first / last losses.
"""

import json
import os
import sys

if sys.argv[1] == "engine":
    import engine as tf
else:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)

import numpy as np

WORKDIR = sys.argv[2]
N_FILES, PER_FILE = 3, 40


def write_files():
    rng = np.random.RandomState(0)
    names = []
    for f in range(N_FILES):
        name = os.path.join(WORKDIR, f"data-{f}.tfrecord")
        with tf.python_io.TFRecordWriter(name) as writer:
            for i in range(PER_FILE):
                x = rng.randn(2).astype(np.float32)
                label = int(x[0] + 2 * x[1] > 0)
                example = tf.train.Example(features=tf.train.Features(feature={
                    "x": tf.train.Feature(float_list=tf.train.FloatList(value=x.tolist())),
                    "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
                    "id": tf.train.Feature(int64_list=tf.train.Int64List(value=[f * PER_FILE + i])),
                }))
                writer.write(example.SerializeToString())
        names.append(name)
    return names


FEATURES = {
    "x": tf.FixedLenFeature([2], tf.float32),
    "label": tf.FixedLenFeature([], tf.int64),
    "id": tf.FixedLenFeature([], tf.int64),
}


def run_until_out_of_range(step):
    """The TF 1.x docs' loop: start the queue runners, call `step(sess)` until the input runs out."""
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            while not coord.should_stop():
                step(sess)
        except tf.errors.OutOfRangeError:
            print("Done: epoch limit reached", file=sys.stderr)
        finally:
            coord.request_stop()
        coord.join(threads)


def read_in_order(names):
    with tf.Graph().as_default():
        filename_queue = tf.train.string_input_producer(names, num_epochs=1, shuffle=False)
        reader = tf.TFRecordReader()
        key, serialized = reader.read(filename_queue)
        features = tf.parse_single_example(serialized, features=FEATURES)
        ids, xs = tf.train.batch([features["id"], features["x"]], batch_size=16, num_threads=1,
                                 allow_smaller_final_batch=True)
        batches = []

        def step(sess):
            i, x = sess.run([ids, xs])
            batches.append([i.tolist(), x.tolist()])

        run_until_out_of_range(step)
        return batches


def train(names, epochs=30):
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        filename_queue = tf.train.string_input_producer(names, num_epochs=epochs, shuffle=True)
        reader = tf.TFRecordReader()
        _, serialized = reader.read(filename_queue)
        features = tf.parse_single_example(serialized, features=FEATURES)
        x_batch, label_batch = tf.train.shuffle_batch(
            [features["x"], features["label"]], batch_size=10, capacity=60, min_after_dequeue=20,
            num_threads=2, allow_smaller_final_batch=True)
        w = tf.Variable(tf.zeros([2, 1]), name="w")
        b = tf.Variable(0.0, name="b")
        logits = tf.squeeze(tf.matmul(x_batch, w), 1) + b
        labels = tf.cast(label_batch, tf.float32)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
        train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        losses, seen = [], []

        def step(sess):
            _, value, batch = sess.run([train_op, loss, label_batch])
            losses.append(float(value))
            seen.append(len(batch))

        run_until_out_of_range(step)
        return {"seen": sum(seen), "first": float(np.mean(losses[:5])), "last": float(np.mean(losses[-5:]))}


if __name__ == "__main__":
    files = write_files()
    print(json.dumps({"in_order": read_in_order(files), "train": train(files)}))
