"""A character-level LSTM language model on a text that ships with Python (the Zen of Python, `import this`).

    python examples/char_lstm.py [--logdir tmp/logs] [--steps 300] [--units 64] [--seq-len 32]

Written as a TF 1.x script: characters one-hot encoded, `tf.nn.rnn_cell.BasicLSTMCell` unrolled by
`tf.nn.dynamic_rnn` (TF's `rnn/while` loop, trained through its gradient loop), a dense layer to the
next character's logits, `tf.train.AdamOptimizer(...).minimize(loss)`. The run folder `char_lstm` under
--logdir holds the graph (board draws the `rnn/while` frame), `loss` and `perplexity` curves, histograms
of the LSTM's kernel and of its outputs, and a text summary of a sample the trained model writes.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf


def load_text():
    """The Zen of Python: `this.s` holds it ROT13-encoded (importing `this` prints it, so that is muted)."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, "rot13")


def batches(ids, batch_size, seq_len, rng):
    """Random windows of the text: inputs and the same windows one character on (the targets)."""
    while True:
        starts = rng.randint(0, len(ids) - seq_len - 1, size=batch_size)
        x = np.stack([ids[s : s + seq_len] for s in starts])
        y = np.stack([ids[s + 1 : s + seq_len + 1] for s in starts])
        yield x, y


def build_model(vocab_size, units, learning_rate):
    """Placeholders `chars`/`targets` ([batch, time] ids), the loss, the train op, and the sampling step's
    ops (one character in, the next character's probabilities and LSTM state out)."""
    chars = tf.placeholder(tf.int32, [None, None], name="chars")
    targets = tf.placeholder(tf.int32, [None, None], name="targets")
    cell = tf.nn.rnn_cell.BasicLSTMCell(units)
    with tf.variable_scope("model"):
        outputs, _ = tf.nn.dynamic_rnn(cell, tf.one_hot(chars, vocab_size), dtype=tf.float32)
        logits = tf.layers.dense(outputs, vocab_size, name="logits")
    with tf.name_scope("cross_entropy"):
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits))
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)

    # Sampling: the same cell and dense layer (reused variables) one step at a time, state fed back.
    with tf.variable_scope("model", reuse=True), tf.name_scope("sample"):
        char = tf.placeholder(tf.int32, [1], name="char")
        c = tf.placeholder_with_default(tf.zeros([1, units]), [1, units], name="c")
        h = tf.placeholder_with_default(tf.zeros([1, units]), [1, units], name="h")
        with tf.variable_scope("rnn"):
            out, state = cell(tf.one_hot(char, vocab_size), tf.nn.rnn_cell.LSTMStateTuple(c, h))
        probabilities = tf.nn.softmax(tf.layers.dense(out, vocab_size, name="logits", reuse=True))

    tf.summary.scalar("loss", loss)
    tf.summary.scalar("perplexity", tf.exp(loss))
    tf.summary.histogram("lstm_kernel", cell.trainable_weights[0])
    tf.summary.histogram("lstm_outputs", outputs)
    sampler = {"char": char, "c": c, "h": h, "probabilities": probabilities, "state": state}
    return chars, targets, loss, train_op, tf.summary.merge_all(), sampler


def sample(sess, sampler, vocab, prime, length, rng):
    """`length` characters drawn from the model after reading `prime`."""
    index = {ch: i for i, ch in enumerate(vocab)}
    feed_state = {}
    text = prime
    for ch in prime[:-1]:
        c, h = sess.run(sampler["state"], {sampler["char"]: [index[ch]], **feed_state})
        feed_state = {sampler["c"]: c, sampler["h"]: h}
    current = index[prime[-1]]
    for _ in range(length):
        probs, (c, h) = sess.run(
            [sampler["probabilities"], sampler["state"]], {sampler["char"]: [current], **feed_state}
        )
        feed_state = {sampler["c"]: c, sampler["h"]: h}
        p = probs[0].astype(np.float64)
        current = int(rng.choice(len(vocab), p=p / p.sum()))
        text += vocab[current]
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logdir", default="tmp/logs")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--seq-len", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    text = load_text()
    vocab = sorted(set(text))
    ids = np.array([vocab.index(ch) for ch in text], np.int32)
    rng = np.random.RandomState(args.seed)
    tf.reset_default_graph()
    tf.set_random_seed(args.seed)
    chars, targets, loss, train_op, summaries, sampler = build_model(
        len(vocab), args.units, args.learning_rate
    )
    run_dir = os.path.join(args.logdir, "char_lstm")
    writer = tf.summary.FileWriter(run_dir, tf.get_default_graph())
    data = batches(ids, args.batch_size, args.seq_len, rng)
    losses = []
    started = time.time()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(args.steps + 1):
            x, y = next(data)
            if step % 10 == 0:
                value, summary, _ = sess.run([loss, summaries, train_op], {chars: x, targets: y})
                writer.add_summary(summary, step)
            else:
                value, _ = sess.run([loss, train_op], {chars: x, targets: y})
            losses.append(value)
            if step % 50 == 0:
                print(f"step {step:4d}  loss {value:.3f}  ({time.time() - started:.1f}s)")
        written = sample(sess, sampler, vocab, "Beautiful ", 120, rng)
        print(f"sample: {written!r}")
        writer.add_summary(sess.run(tf.summary.text("sample", tf.constant(written))), args.steps)
    writer.close()
    first, last = np.mean(losses[:10]), np.mean(losses[-10:])
    print(f"loss {first:.3f} -> {last:.3f}; logs in {run_dir}")
    return first, last


if __name__ == "__main__":
    main()
