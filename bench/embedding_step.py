"""Embedding training step: the sparse path (IndexedSlices gradient, SparseApplyMomentum on the rows
looked up) against the dense one (the same gradient converted to a dense Tensor, ApplyMomentum on the
whole table: what the engine did before its gradients were sparse, and what a dense optimizer costs).

The model: an embedding table V x 64 (V = --vocab, default 50,000), a batch of 256 examples of 4 ids,
their embeddings concatenated into a 256-unit dense layer to 10 classes, softmax cross-entropy,
Momentum(0.1, 0.9), float32.  The two sides are separate graphs in one process, run in interleaved
rounds of --steps steps each; the figure is the median over rounds of (dense time / sparse time), with
the load average at the start and end.  The two sides do not give the same numbers (Momentum's slots
of the rows not looked up decay only in the dense one): this measures time, tests/interop checks values.

    python bench/embedding_step.py [--rounds 7] [--steps 10] [--vocab 50000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf

BATCH, IDS, DIM, CLASSES = 256, 4, 64, 10


def build(vocab, dense):
    graph = tf.Graph()
    with graph.as_default():
        rng = np.random.RandomState(0)
        emb = tf.Variable(rng.uniform(-0.05, 0.05, (vocab, DIM)).astype(np.float32), name="embedding")
        w = tf.Variable(rng.uniform(-0.1, 0.1, (IDS * DIM, CLASSES)).astype(np.float32), name="w")
        ids = tf.placeholder(tf.int32, [BATCH, IDS], name="ids")
        labels = tf.placeholder(tf.int32, [BATCH], name="labels")
        flat = tf.reshape(tf.nn.embedding_lookup(emb, ids), [BATCH, IDS * DIM])
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                             logits=tf.matmul(flat, w)))
        opt = tf.train.MomentumOptimizer(0.1, 0.9)
        grads = opt.compute_gradients(loss)
        if dense:
            grads = [(tf.convert_to_tensor(g), v) for g, v in grads]
        train = opt.apply_gradients(grads)
        sess = tf.Session(graph=graph)
        sess.run(tf.global_variables_initializer())
    feed = {ids: rng.randint(0, vocab, (BATCH, IDS)), labels: rng.randint(0, CLASSES, BATCH)}
    return sess, train, feed


def time_steps(side, steps):
    sess, train, feed = side
    start = time.perf_counter()
    for _ in range(steps):
        sess.run(train, feed)
    return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--vocab", type=int, default=50000)
    args = parser.parse_args()
    load_start = os.getloadavg()
    sparse, dense = build(args.vocab, dense=False), build(args.vocab, dense=True)
    for side in (sparse, dense):  # plans built, caches warm
        time_steps(side, 2)
    ratios, sparse_ms, dense_ms = [], [], []
    for _ in range(args.rounds):
        s = time_steps(sparse, args.steps)
        d = time_steps(dense, args.steps)
        sparse_ms.append(s * 1e3)
        dense_ms.append(d * 1e3)
        ratios.append(d / s)
    load_end = os.getloadavg()
    print(f"vocab {args.vocab} x {DIM}, batch {BATCH} x {IDS} ids, Momentum; {args.rounds} rounds of "
          f"{args.steps} steps")
    print(f"sparse (IndexedSlices, SparseApplyMomentum): median {statistics.median(sparse_ms):.2f} ms/step")
    print(f"dense (converted gradient, ApplyMomentum):   median {statistics.median(dense_ms):.2f} ms/step")
    print(f"dense / sparse time, median of per-round ratios: {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
    print(f"load average: {load_start[0]:.2f} at start, {load_end[0]:.2f} at end")


if __name__ == "__main__":
    main()
