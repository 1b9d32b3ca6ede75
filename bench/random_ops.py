"""Cost of TensorFlow's Philox streams in the engine against numpy's own generator, same sizes.

Times, interleaved round by round: the engine's `sess.run` of a 1M-element `tf.random_uniform`
(float32; the Philox4x32-10 blocks, the mantissa trick, the reservation), numpy's
`Generator.random(1M, dtype=float32)` (PCG64) as the baseline, and the bare kernel without the session.
Prints per-round ratios' medians (wall and CPU time) with the load average.  Target (issue 15): engine
<= 3x numpy.  The ten Philox rounds are ~30 numpy passes over the blocks while numpy's generator is one
C loop; the engine shares the chunks among its intra-op threads as TF shards the kernel.  Measured on
the shared 2-core machine, 30 rounds: quiet (load 1.3) sess.run 1.77x (kernel 1.57x); with one
competing busy loop (--compete 1) 3.11x (kernel 2.91x), the draw then having one core as numpy's has.
Also reports random_normal and truncated_normal (their float32 logf/sincosf go through the C library
to match TF's bits, so they are slower; no target).

    python bench/random_ops.py [--rounds N] [--size N] [--compete N]
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
from bench.scalars_page import competitors
from engine.ops import philox, random_distributions


def _time(fn, clock=time.perf_counter):
    t0 = clock()
    fn()
    return clock() - t0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--normal-size", type=int, default=100_000)
    parser.add_argument("--compete", type=int, default=0,
                        help="CPU-bound busy loops run beside the measurement (other programs)")
    args = parser.parse_args()
    busy = competitors(args.compete)
    try:
        measure(args)
    finally:
        for proc in busy:
            proc.kill()


def measure(args):
    n = args.size

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(1)
        uniform = tf.random_uniform([n])
        normal = tf.random_normal([args.normal_size])
        truncated = tf.truncated_normal([args.normal_size])
    sess = tf.Session(graph=graph)
    rng = np.random.default_rng(1)
    gen = philox.Philox(1, 2)

    def kernel():
        gen.words(-(-n // 4), finish=random_distributions.uint32_to_float_inplace).view(np.float32)

    cases = {
        "engine sess.run(random_uniform 1M)": lambda: sess.run(uniform),
        "engine kernel only (Philox + floats)": kernel,
        "numpy Generator.random float32": lambda: rng.random(n, dtype=np.float32),
        "numpy Generator.random (float64 default)": lambda: rng.random(n),
    }
    for fn in cases.values():  # warm-up
        fn()
    times = {name: [] for name in cases}
    ratios = {name: [] for name in cases}
    cpu_ratios = {name: [] for name in cases}
    base_name = "numpy Generator.random float32"
    for _ in range(args.rounds):
        row = {name: _time(fn) for name, fn in cases.items()}
        # CPU time as well: on a shared machine other processes inflate wall times unevenly.
        cpu = {name: _time(fn, time.process_time) for name, fn in cases.items()}
        for name, t in row.items():
            times[name].append(t)
            ratios[name].append(t / row[base_name])
            cpu_ratios[name].append(cpu[name] / max(cpu[base_name], 1e-9))
    print(f"size {n}, {args.rounds} rounds, load average {os.getloadavg()}")
    for name in cases:
        print(f"  {name:42s} median {statistics.median(times[name]) * 1e3:8.2f} ms   "
              f"ratio to numpy float32 (median of per-round): wall {statistics.median(ratios[name]):5.2f}x, "
              f"cpu {statistics.median(cpu_ratios[name]):5.2f}x")
    worst = statistics.median(ratios["engine sess.run(random_uniform 1M)"])
    print(f"target engine/numpy float32 <= 3.0x: {'met' if worst <= 3.0 else 'NOT met'} ({worst:.2f}x)")
    vs64 = statistics.median(
        e / b for e, b in zip(times["engine sess.run(random_uniform 1M)"],
                              times["numpy Generator.random (float64 default)"], strict=True)
    )
    print(f"engine / numpy's default rng.random(n) (float64): {vs64:.2f}x")

    rounds = max(3, args.rounds // 10)
    for label, t in (("random_normal", normal), ("truncated_normal", truncated)):
        eng, base = [], []
        for _ in range(rounds):
            eng.append(_time(lambda t=t: sess.run(t)))
            base.append(_time(lambda: rng.standard_normal(args.normal_size, dtype=np.float32)))
        ratio = statistics.median(e / b for e, b in zip(eng, base, strict=True))
        print(f"  {label} {args.normal_size}: engine {statistics.median(eng) * 1e3:.1f} ms, numpy "
              f"{statistics.median(base) * 1e3:.2f} ms, ratio {ratio:.1f}x (no target)")
    sess.close()


if __name__ == "__main__":
    main()
