"""A small hyperparameter sweep of the lecture's MLP with hparams summaries, for the HParams page.

    python examples/hparams_sweep.py [--logdir tmp/logs/hparams_sweep] [--steps 200]
                                     [--learning-rates 0.001 0.01] [--hidden-units 32 128]

One session (run) per learning rate × hidden units, `lr0.001_h32`, ...: TensorBoard's hparams
summaries written by `engine.summary.hparams` (the experiment's hyperparameters and metrics at
--logdir, each session's values when it starts and its status when it ends), the training `loss`
and `accuracy` and, every 50 steps and at the end, `test/loss` and `test/accuracy`, the metrics
the HParams page compares. It needs the `examples` extra (scikit-learn's bundled digits).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from train_mlp import build_model, load_data

import engine as tf
from engine.summary import hparams as hp

METRICS = [hp.Metric("test/accuracy", display_name="Test accuracy"),
           hp.Metric("test/loss", display_name="Test loss"),
           hp.Metric("loss", display_name="Train loss")]


def train_session(data, logdir, learning_rate, hidden, steps, batch, seed, test_every=50):
    """Trains one model; writes its session's summaries into `logdir`; returns the test accuracy."""
    (x_train, y_train), (x_test, y_test) = data
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    x, y, loss, accuracy, train_op = build_model(hidden=hidden, learning_rate=learning_rate)
    train_summaries = tf.summary.merge([tf.summary.scalar("loss", loss),
                                        tf.summary.scalar("accuracy", accuracy)])
    test_summaries = tf.summary.merge([tf.summary.scalar("test/loss", loss, collections=[]),
                                       tf.summary.scalar("test/accuracy", accuracy, collections=[])])
    rng = np.random.RandomState(seed)
    with tf.Session() as sess, tf.summary.FileWriter(logdir) as writer:
        writer.add_summary(hp.hparams_pb({"learning_rate": learning_rate, "hidden_units": hidden,
                                          "optimizer": "adam"}, trial_id=os.path.basename(logdir)))
        sess.run(tf.global_variables_initializer())
        for step in range(steps):
            idx = rng.randint(0, len(x_train), batch)
            summary, _ = sess.run([train_summaries, train_op], feed_dict={x: x_train[idx], y: y_train[idx]})
            writer.add_summary(summary, step)
            if step % test_every == 0 or step == steps - 1:
                writer.add_summary(sess.run(test_summaries, feed_dict={x: x_test, y: y_test}), step)
        test_accuracy = sess.run(accuracy, feed_dict={x: x_test, y: y_test})
        writer.add_summary(hp.session_end_pb(hp.STATUS_SUCCESS))
    return float(test_accuracy)


def main(argv=None):
    ap = argparse.ArgumentParser(description="A hyperparameter sweep with hparams summaries.")
    ap.add_argument("--logdir", default="tmp/logs/hparams_sweep")
    ap.add_argument("--learning-rates", type=float, nargs="+", default=[1e-3, 1e-2])
    ap.add_argument("--hidden-units", type=int, nargs="+", default=[32, 128])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    with tf.summary.FileWriter(args.logdir) as writer:  # the experiment, once, at the sweep's root
        writer.add_summary(hp.hparams_config_pb(
            hparams=[hp.HParam("learning_rate", hp.Discrete(args.learning_rates),
                               display_name="Learning rate"),
                     hp.HParam("hidden_units", hp.Discrete(args.hidden_units), display_name="Hidden units"),
                     hp.HParam("optimizer", hp.Discrete(["adam"]))],
            metrics=METRICS))
    data = load_data(args.seed)
    results = {}
    for lr in args.learning_rates:
        for hidden in args.hidden_units:
            name = f"lr{lr:g}_h{hidden}"
            start = time.perf_counter()
            results[name] = train_session(data, os.path.join(args.logdir, name), lr, hidden, args.steps,
                                          args.batch, args.seed)
            print(f"session {name}: test accuracy {results[name]:.3f} ({time.perf_counter() - start:.1f} s)",
                  flush=True)
    return results


if __name__ == "__main__":
    main()
