"""Per-call overhead of `Session.run`: `a + b` of two constants, and `x + y` with scalar feeds.

Prints the median of 10,000 calls in microseconds for our engine and, when `tensorflow` is importable
(e.g. `pip install tensorflow-cpu` in a bench venv), for TensorFlow 1.x graph mode in the same run, with
the ratios.  When it is not importable here, the TF side runs as a subprocess under --tf-python (default:
$TF_PYTHON, else the venv `make tfref` builds, if it exists: scripts/tfref.py). Targets (issue 3):
<= 8 us and <= 15 us on the project's 2-core machine; TF1 measures about 42 us and 115 us there.

    python bench/session_run.py [--calls N] [--tf-python PYTHON]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from scripts.tfref import find as find_tf_python

TARGETS_US = {"a+b (constants)": 8.0, "x+y (scalar feeds)": 15.0}


def _median_us(fn, calls):
    for _ in range(min(1000, calls)):  # warm-up: plan building and caches are not what we measure
        fn()
    samples = []
    clock = time.perf_counter
    for _ in range(calls):
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    return statistics.median(samples) * 1e6


def measure(tf, calls):
    graph = tf.Graph()
    with graph.as_default():
        a = tf.constant(3.0)
        b = tf.constant(4.0)
        total = a + b
        x = tf.placeholder(tf.float32)
        y = tf.placeholder(tf.float32)
        z = x + y
    sess = tf.Session(graph=graph)
    try:
        assert sess.run(total) == 7.0
        assert sess.run(z, feed_dict={x: 3.0, y: 4.5}) == 7.5
        return {
            "a+b (constants)": _median_us(lambda: sess.run(total), calls),
            "x+y (scalar feeds)": _median_us(lambda: sess.run(z, feed_dict={x: 3.0, y: 4.5}), calls),
        }
    finally:
        sess.close()


def _tensorflow():
    try:
        import tensorflow.compat.v1 as tf1  # optional baseline
    except ImportError:
        return None
    tf1.disable_v2_behavior()
    return tf1


def _measure_in_subprocess(python, calls):
    """TF's figures from `python bench/session_run.py --tf-worker` (TF installed in another venv)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([python, os.path.abspath(__file__), "--tf-worker", "--calls", str(calls)],
                          capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode != 0:
        print(f"  (TensorFlow under {python} failed: {proc.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(proc.stdout.splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--tf-python", default=find_tf_python(),
                        help="an interpreter with tensorflow, used when tensorflow is not importable here")
    parser.add_argument("--tf-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tf_worker:  # runs under --tf-python: measure TF only, print JSON
        print(json.dumps(measure(_tensorflow(), args.calls)))
        return 0

    import engine

    ours = measure(engine, args.calls)
    baseline_tf = _tensorflow()
    if baseline_tf is not None:
        theirs = measure(baseline_tf, args.calls)
    elif args.tf_python:
        theirs = _measure_in_subprocess(args.tf_python, args.calls)
    else:
        theirs = None
    print(f"Session.run overhead, median of {args.calls} calls (microseconds per call)")
    for case, value in ours.items():
        target = TARGETS_US[case]
        line = f"  {case:<20} engine {value:7.2f} us   target <= {target:4.1f} us"
        line += f" ({value / target:.2f}x of target)"
        if theirs is not None:
            line += f"   tensorflow {theirs[case]:7.2f} us   speed-up {theirs[case] / value:5.1f}x"
        print(line)
    if theirs is None:
        print("  (tensorflow not importable: no TF baseline in this run)")
    return 0 if all(ours[c] <= TARGETS_US[c] for c in ours) else 1


if __name__ == "__main__":
    sys.exit(main())
