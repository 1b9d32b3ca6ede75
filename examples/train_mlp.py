"""Train the lecture's MLP on scikit-learn's bundled handwritten digits (8x8 images, 10 classes).

    python examples/train_mlp.py [--logdir tmp/logs] [--steps 300] [--learning-rates 0.001 0.01]
                                 [--trace-every 100]

Written exactly as a TF 1.x script: `dense_relu` layers in `variable_scope`s (the lecture's helper),
softmax cross-entropy, `tf.train.AdamOptimizer(...).minimize(loss)`, and `sess.run([train_op, loss],
feed_dict=...)`. One run per learning rate, each in its own folder under --logdir (`lr_0.001`, ...),
holding what board shows: the graph, `loss` and `accuracy` curves (and `test/...` ones), weight and
activation histograms, the first layer's weights of three units as 8x8 images, a text summary of
the run's settings and results, PR curves of three digits on the test set, a custom scalars layout
(train vs test loss and accuracy), run metadata of one traced training step every --trace-every steps
(`step0`, `step100`, ...: compute time and memory per op on the graph page, as TF1's
`mnist_with_summaries` records them), and a `tf.train.Saver` checkpoint that
`examples/restore_and_predict.py` reads back, and the test digits' last hidden layer as an
embedding with their labels (the Projector page).
It needs the `examples` extra (scikit-learn, whose digits ship with it: no download).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from google.protobuf import text_format

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf
from engine.proto import projector_config_pb2
from engine.summary import layout_pb2

PR_DIGITS = (3, 5, 8)  # the digits whose PR curves are logged
# The custom scalars page's layout: training and test curves of one quantity in one chart (tag
# patterns match from the tag's start).
LAYOUT = layout_pb2.Layout(category=[layout_pb2.Category(title="train vs test", chart=[
    layout_pb2.Chart(title="loss", multiline=layout_pb2.MultilineChartContent(tag=[r"loss$", r"test/loss$"])),
    layout_pb2.Chart(title="accuracy", multiline=layout_pb2.MultilineChartContent(
        tag=[r"accuracy$", r"test/accuracy$"]))])])


def dense_relu(input, in_size, out_size):  # noqa: A002 - the lecture's signature
    weight = tf.get_variable("weight", [in_size, out_size])
    bias = tf.get_variable("bias", [out_size], initializer=tf.zeros_initializer)
    before_relu = tf.matmul(input, weight) + bias
    return tf.nn.relu(before_relu)


def dense(input, in_size, out_size):  # noqa: A002
    weight = tf.get_variable("weight", [in_size, out_size])
    bias = tf.get_variable("bias", [out_size], initializer=tf.zeros_initializer)
    return tf.matmul(input, weight) + bias


def load_data(seed=0):
    from sklearn.datasets import load_digits  # optional dependency (the examples extra)

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[digits.target]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    return (x[:split], y[:split]), (x[split:], y[split:])


def build_model(hidden=128, learning_rate=1e-3):
    """The graph: placeholders x/y, layer1, layer2, output, loss, accuracy, predictions, train op."""
    x = tf.placeholder(tf.float32, [None, 64], name="x")
    y = tf.placeholder(tf.float32, [None, 10], name="y")
    with tf.variable_scope("layer1"):
        relu1 = dense_relu(x, 64, hidden)
    with tf.variable_scope("layer2"):
        relu2 = dense_relu(relu1, hidden, hidden)
    for activation in (relu1, relu2):  # for the activation histograms
        tf.add_to_collection("activations", activation)
    with tf.variable_scope("output"):
        logits = dense(relu2, hidden, 10)
    # Named so that a program without this code finds them after import_meta_graph.
    tf.argmax(logits, 1, name="predictions")
    tf.nn.softmax(logits, name="probabilities")
    loss = tf.losses.softmax_cross_entropy(onehot_labels=y, logits=logits)
    # In a scope of its own: a summary's tag is its uniquified op name, so an op already called
    # "accuracy" at the top level would turn tf.summary.scalar("accuracy", ...) into "accuracy_1".
    with tf.name_scope("metrics"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    return x, y, loss, accuracy, train_op


def train_run(data, learning_rate, steps, batch, seed, logdir=None, print_every=50, hist_every=25,
              trace_every=100):
    """Trains one model from scratch; returns (test loss, test accuracy)."""
    (x_train, y_train), (x_test, y_test) = data
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    x, y, loss, accuracy, train_op = build_model(learning_rate=learning_rate)
    train_summaries = tf.summary.merge([tf.summary.scalar("loss", loss),
                                        tf.summary.scalar("accuracy", accuracy)])
    # on the test set: PR curves of three digits against the rest (TensorBoard's pr_curve summary)
    probabilities = tf.get_default_graph().get_tensor_by_name("probabilities:0")
    pr_curves = [tf.summary.pr_curve(f"pr/digit_{d}", tf.equal(tf.argmax(y, 1), d), probabilities[:, d],
                                     num_thresholds=51, collections=[]) for d in PR_DIGITS]
    test_summaries = tf.summary.merge([tf.summary.scalar("test/loss", loss, collections=[]),
                                       tf.summary.scalar("test/accuracy", accuracy, collections=[]),
                                       *pr_curves])
    weights = tf.trainable_variables()
    activations = tf.get_collection("activations")
    # every HIST_EVERY steps: weight and activation histograms (activations of the test batch) and
    # three first-layer units' input weights as 8x8 images, the digits' own layout
    unit_weights = tf.reshape(tf.slice(tf.transpose(weights[0]), [0, 0], [3, 64]), [3, 8, 8, 1])
    periodic = tf.summary.merge(
        [tf.summary.histogram(v.op.name, v, collections=[]) for v in weights]
        + [tf.summary.histogram(f"activations/{a.op.name.split('/')[0]}", a, collections=[])
           for a in activations]
        + [tf.summary.image("layer1/unit_weights", unit_weights, max_outputs=3, collections=[])])
    notes = tf.placeholder(tf.string, [], name="notes_text")
    text_summary = tf.summary.text("notes", notes, collections=[])
    init = tf.global_variables_initializer()
    saver = tf.train.Saver(max_to_keep=2)

    rng = np.random.RandomState(seed)
    test_feed = {x: x_test, y: y_test}
    trace = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(logdir, sess.graph) if logdir else None
        sess.run(init)
        if writer is not None:
            writer.add_summary(tf.summary.custom_scalar_pb(LAYOUT))
            writer.add_summary(sess.run(text_summary, feed_dict={notes: (
                f"**Run** `lr_{learning_rate:g}`: Adam, {steps} steps, batch {batch}, seed {seed}\n\n"
                "| layer | units |\n|---|---|\n| layer1 | 128 |\n| layer2 | 128 |\n| output | 10 |")}), 0)
        for step in range(steps):
            idx = rng.randint(0, len(x_train), batch)
            feed = {x: x_train[idx], y: y_train[idx]}
            if writer is None:
                _, loss_value = sess.run([train_op, loss], feed_dict=feed)
            elif trace_every and step % trace_every == 0:
                metadata = tf.RunMetadata()
                summary, _, loss_value = sess.run([train_summaries, train_op, loss], feed_dict=feed,
                                                  options=trace, run_metadata=metadata)
                writer.add_run_metadata(metadata, f"step{step}", global_step=step)
                writer.add_summary(summary, step)
            else:
                summary, _, loss_value = sess.run([train_summaries, train_op, loss], feed_dict=feed)
                writer.add_summary(summary, step)
                if step % hist_every == 0 or step == steps - 1:
                    writer.add_summary(sess.run(periodic, feed_dict=test_feed), step)
                    writer.add_summary(sess.run(test_summaries, feed_dict=test_feed), step)
            if step % print_every == 0 or step == steps - 1:
                print(f"  step {step:4d}/{steps}  loss {loss_value:.4f}", flush=True)
        test_loss, test_acc = sess.run([loss, accuracy], feed_dict=test_feed)
        if writer is not None:
            writer.add_summary(sess.run(text_summary, feed_dict={notes: (
                f"Finished: test loss **{test_loss:.4f}**, test accuracy **{test_acc:.2%}**")}), steps - 1)
            path = saver.save(sess, os.path.join(logdir, "model.ckpt"), global_step=steps)
            print(f"  saved {path}")
            write_embedding(logdir, sess.run(activations[-1], feed_dict=test_feed), y_test)
            writer.close()
    return float(test_loss), float(test_acc)


def write_embedding(logdir, hidden, labels):
    """The test digits as the last hidden layer sees them, for the Projector page: a TSV of the
    activations, their digits as metadata, and a projector_config.pbtxt naming both (the layout
    TensorBoard's projector reads; the checkpoint's 2-D weights are listed after it)."""
    np.savetxt(os.path.join(logdir, "hidden.tsv"), hidden, delimiter="\t", fmt="%.5g")
    with open(os.path.join(logdir, "digits.tsv"), "w") as f:
        f.write("digit\tindex\n" + "".join(f"{d}\t{i}\n" for i, d in enumerate(np.argmax(labels, 1))))
    config = projector_config_pb2.ProjectorConfig()
    config.embeddings.add(tensor_name="test_digits/hidden", tensor_path="hidden.tsv",
                          metadata_path="digits.tsv")
    with open(os.path.join(logdir, "projector_config.pbtxt"), "w") as f:
        f.write(text_format.MessageToString(config))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train the lecture's MLP on scikit-learn's digits.")
    ap.add_argument("--logdir", default=None,
                    help="write one run per learning rate here (graph, summaries, checkpoint)")
    ap.add_argument("--learning-rates", type=float, nargs="+", default=[1e-3, 1e-2])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--print-every", type=int, default=50)
    ap.add_argument("--hist-every", type=int, default=25,
                    help="write histograms, images and test scalars every this many steps")
    ap.add_argument("--trace-every", type=int, default=100,
                    help="record one training step's run metadata every this many steps (0: never)")
    args = ap.parse_args(argv)

    data = load_data(args.seed)
    results = {}
    for lr in args.learning_rates:
        run_dir = os.path.join(args.logdir, f"lr_{lr:g}") if args.logdir else None
        print(f"run lr_{lr:g}: {args.steps} Adam steps, batch {args.batch}", flush=True)
        start = time.perf_counter()
        test_loss, test_acc = train_run(data, lr, args.steps, args.batch, args.seed, run_dir,
                                        args.print_every, args.hist_every, trace_every=args.trace_every)
        print(f"  test loss {test_loss:.4f}  test accuracy {test_acc:.3f}  "
              f"({time.perf_counter() - start:.1f} s)", flush=True)
        results[lr] = (test_loss, test_acc)
    if args.logdir:
        print(f"\nlogs in {args.logdir}: run `board --logdir {args.logdir}` and open http://localhost:6006")
    return results


if __name__ == "__main__":
    main()
