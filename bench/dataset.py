"""An MLP epoch fed by tf.data against the same epoch fed by feed_dict (engine only, one process).

The model is bench/train_step.py's (MLP 784 -> 256 relu -> 256 relu -> 10, softmax cross-entropy, Adam),
the epoch 4096 examples in batches of 128 (32 steps). The feed_dict epoch slices numpy arrays and feeds
each batch; the tf.data epoch runs an initializable iterator over `from_tensor_slices((x, y)).batch(128)`
(the arrays fed to its initializer) and steps until OutOfRangeError. Rounds alternate the two, so machine
noise hits both alike; the figure is the median over rounds of (feed_dict epoch time / tf.data epoch
time), i.e. tf.data's throughput relative to feed_dict's, by wall-clock and by process CPU time (steadier
when other processes hold the cores). A third line batches with drop_remainder=True,
whose batches have a static shape ([128, 784]) as the fed placeholder's specialised plan has.

    python bench/dataset.py [--rounds 15] [--examples 4096]

Target (issue 18): tf.data >= 0.9x feed_dict. OPENBLAS_NUM_THREADS=1 gives steadier figures on a busy
machine.
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
from bench.train_step import C, D, build_model, make_data

BATCH = 128


def feed_dict_epoch(params, xs, ys):
    """A function that runs one epoch fed batch by batch through feed_dict."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, D])
        y = tf.placeholder(tf.float32, [None, C])
        _, train = build_model(tf, x, y, params)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())

    def epoch():
        for i in range(0, len(xs), BATCH):
            sess.run(train, {x: xs[i:i + BATCH], y: ys[i:i + BATCH]})

    return epoch


def dataset_epoch(params, xs, ys, drop_remainder=False):
    """A function that runs one epoch from a tf.data iterator, re-initialised each epoch."""
    graph = tf.Graph()
    with graph.as_default():
        x_all = tf.placeholder(tf.float32, [None, D])
        y_all = tf.placeholder(tf.float32, [None, C])
        dataset = tf.data.Dataset.from_tensor_slices((x_all, y_all))
        dataset = dataset.batch(BATCH, drop_remainder=drop_remainder)
        iterator = dataset.make_initializable_iterator()
        x, y = iterator.get_next()
        _, train = build_model(tf, x, y, params)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())

    def epoch():
        sess.run(iterator.initializer, {x_all: xs, y_all: ys})
        while True:
            try:
                sess.run(train)
            except tf.errors.OutOfRangeError:
                return

    return epoch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--examples", type=int, default=4096)
    args = parser.parse_args(argv)
    _, _, params = make_data()
    rng = np.random.RandomState(1)
    xs = rng.rand(args.examples, D).astype(np.float32)
    ys = np.eye(C, dtype=np.float32)[rng.randint(0, C, args.examples)]
    runs = {"feed_dict": feed_dict_epoch(params, xs, ys), "tf.data": dataset_epoch(params, xs, ys),
            "tf.data drop_remainder": dataset_epoch(params, xs, ys, drop_remainder=True)}
    for epoch in runs.values():  # warm-up: plans built, caches filled
        epoch()
    clocks = {"wall": time.perf_counter, "cpu": time.process_time}
    times = {(clock, name): [] for clock in clocks for name in runs}
    for r in range(args.rounds):
        for name in list(runs) if r % 2 == 0 else list(reversed(runs)):
            start = {clock: read() for clock, read in clocks.items()}
            runs[name]()
            for clock, read in clocks.items():
                times[clock, name].append(read() - start[clock])
    steps = -(-args.examples // BATCH)
    for clock in clocks:
        for name in runs:
            median = statistics.median(times[clock, name])
            print(f"{clock:>4} {name:>22}: median epoch {median * 1e3:7.1f} ms "
                  f"({steps / median:6.1f} steps/s)")
    for clock in clocks:  # CPU time is the steadier figure when other processes hold the cores
        for name in runs:
            if name == "feed_dict":
                continue
            ratios = [f / t for f, t in zip(times[clock, "feed_dict"], times[clock, name], strict=True)]
            print(f"{clock:>4} {name} / feed_dict throughput = {statistics.median(ratios):.3f} median of "
                  f"{args.rounds} per-round ratios (min {min(ratios):.3f}, max {max(ratios):.3f})   "
                  "(target >= 0.9)")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
