"""Train the lecture's MLP on scikit-learn's bundled handwritten digits (8x8 images, 10 classes).

    python examples/train_mlp.py [--steps 300] [--batch 128] [--lr 0.001] [--logdir tmp/logs/mlp]

Written exactly as a TF 1.x script: `dense_relu` layers in `variable_scope`s (the lecture's helper),
softmax cross-entropy, `tf.train.AdamOptimizer(...).minimize(loss)`, and `sess.run([train_op, loss],
feed_dict=...)`.  It needs the `examples` extra (scikit-learn) and no download.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf  # noqa: E402


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
    from sklearn.datasets import load_digits  # noqa: PLC0415 - optional dependency (examples extra)

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[digits.target]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    return (x[:split], y[:split]), (x[split:], y[split:])


def build_model(hidden=128, learning_rate=1e-3):
    x = tf.placeholder(tf.float32, [None, 64], name="x")
    y = tf.placeholder(tf.float32, [None, 10], name="y")
    with tf.variable_scope("layer1"):
        relu1 = dense_relu(x, 64, hidden)
    with tf.variable_scope("layer2"):
        relu2 = dense_relu(relu1, hidden, hidden)
    with tf.variable_scope("output"):
        logits = dense(relu2, hidden, 10)
    loss = tf.losses.softmax_cross_entropy(onehot_labels=y, logits=logits)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32),
                              name="accuracy")
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    return x, y, loss, accuracy, train_op


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train the lecture's MLP on scikit-learn's digits.")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--logdir", default=None, help="write the graph and loss/accuracy summaries here")
    ap.add_argument("--print-every", type=int, default=50)
    args = ap.parse_args(argv)

    (x_train, y_train), (x_test, y_test) = load_data(args.seed)
    tf.reset_default_graph()
    tf.set_random_seed(args.seed)
    x, y, loss, accuracy, train_op = build_model(learning_rate=args.lr)
    # Summaries (engine/summary): the loss and accuracy curves and the graph for board.
    tf.summary.scalar("loss", loss)
    tf.summary.scalar("accuracy", accuracy)
    merged = tf.summary.merge_all()
    init = tf.global_variables_initializer()

    rng = np.random.RandomState(args.seed)
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(args.logdir, sess.graph) if args.logdir else None
        sess.run(init)
        for step in range(args.steps):
            idx = rng.randint(0, len(x_train), args.batch)
            feed = {x: x_train[idx], y: y_train[idx]}
            if writer is not None:
                summary, _, loss_value = sess.run([merged, train_op, loss], feed_dict=feed)
                writer.add_summary(summary, step)
            else:
                _, loss_value = sess.run([train_op, loss], feed_dict=feed)
            if step % args.print_every == 0 or step == args.steps - 1:
                print(f"step {step:4d}  loss {loss_value:.4f}")
        test_loss, test_acc = sess.run([loss, accuracy], feed_dict={x: x_test, y: y_test})
        print(f"test loss {test_loss:.4f}  test accuracy {test_acc:.3f}")
        if writer is not None:
            writer.close()
    return float(test_loss), float(test_acc)


if __name__ == "__main__":
    main()
