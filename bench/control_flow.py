"""What control flow costs a training step: the MLP of bench/train_step.py (784-256-256-10, batch 128,
Adam, feed_dict) with a `tf.cond` on a training flag after each hidden layer, against the same step
without the conds, interleaved in one process.  The flag is a `placeholder_with_default`, so the plan
pass `cond_specialisation` runs the step as straight-line code built for its value; the third side
turns the pass off, leaving the conds to the dataflow executor (engine/runtime/dataflow.py).  Also times
a `tf.while_loop` of 1000 scalar iterations (microseconds per iteration).

Prints the medians of per-round ratios (steps/s with conds over steps/s without) and the load average.

    OPENBLAS_NUM_THREADS=1 python bench/control_flow.py [--rounds N] [--steps N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from unittest import mock

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf
from engine.runtime import passes


def train_step(with_cond, rng):
    """A callable running one training step of the MLP, with or without the conds."""
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 784])
        y = tf.placeholder(tf.int64, [None])
        training = tf.placeholder_with_default(True, [])
        h = x
        for n in (256, 256):
            w = tf.Variable(tf.random_normal([int(h.shape[1]), n], stddev=0.05))
            b = tf.Variable(tf.zeros([n]))
            h = tf.nn.relu(tf.matmul(h, w) + b)
            if with_cond:
                h = tf.cond(training, lambda h=h: h * 1.0, lambda h=h: h)
        w = tf.Variable(tf.random_normal([256, 10], stddev=0.05))
        b = tf.Variable(tf.zeros([10]))
        logits = tf.matmul(h, w) + b
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)
        session = tf.Session(graph=g)
        session.run(tf.variables_initializer(tf.global_variables()))
    feed = {x: rng.random((128, 784), dtype=np.float32), y: rng.integers(0, 10, 128)}
    return lambda: session.run([train, loss], feed)


def while_loop_us_per_iteration(iterations=1000, repeats=5, clock=time.perf_counter):
    g = tf.Graph()
    with g.as_default():
        n = tf.placeholder(tf.int32, [])
        _, total = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + 0.5), [0, 0.0])
        session = tf.Session(graph=g)
    session.run(total, {n: 10})
    times = []
    for _ in range(repeats):
        start = clock()
        session.run(total, {n: iterations})
        times.append(clock() - start)
    return statistics.median(times) / iterations * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed chunk")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    sides = {"without": train_step(False, rng), "with conds": train_step(True, rng)}
    with mock.patch.dict(os.environ, {passes.ENV: f"all,-{passes.COND_SPECIALISATION}"}):
        sides["with conds, executor"] = train_step(True, rng)  # the session reads the knob
    for fn in sides.values():
        for _ in range(3):
            fn()
    times = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, fn in sides.items():
            start = time.perf_counter()
            for _ in range(args.steps):
                fn()
            times[name].append(time.perf_counter() - start)
    for name in ("with conds", "with conds, executor"):
        ratio = statistics.median(p / c for p, c in zip(times["without"], times[name], strict=True))
        print(f"train step {name} / without: median of round ratios {ratio:.3f} "
              f"({args.rounds} rounds of {args.steps} steps)")
    print(f"tf.while_loop, scalar body: {while_loop_us_per_iteration():.1f} us per iteration")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
