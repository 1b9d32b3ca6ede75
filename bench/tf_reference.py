"""Real TensorFlow figures for bench/session_run.py and bench/train_step.py, with TF in its own venv.

TensorFlow is not a project dependency, so it is not importable in .venv. This bench runs the TF side
as a subprocess under a Python that has it — env ``TF_PYTHON``, else ``/work/tfref/bin/python``
(``python3.11 -m venv /work/tfref && /work/tfref/bin/pip install tensorflow-cpu==2.21.0``) — and the
engine side in this process. The two sides take turns (engine block, TF block, engine block, ...) so
that load from other processes hits both alike. TensorFlow runs in TF1 behaviour
(``tf.compat.v1`` + ``disable_v2_behavior``), as the engine copies.

Workloads, the same as the two benches:
- ``session``: ``Session.run`` of ``a + b`` (two constants) and of ``x + y`` (two scalar placeholders
  fed 3.0 and 4.5); median microseconds per call over ``--calls`` calls (default 10,000) per side.
- ``train``: the MLP 784 -> 256 -> 256 -> 10, batch 128, Adam, one ``sess.run([train_op, loss])`` per
  step, built by bench/train_step.py's ``build_graph`` for both sides from the same start; median
  steps/s over ``--rounds`` rounds of ``--steps`` steps. The first losses must agree.

    python bench/tf_reference.py [--only session|train] [--calls N] [--rounds R] [--steps S]

Prints the figures and the ratios engine : TensorFlow (> 1 means the engine is faster).

On a loaded machine, set ``OPENBLAS_NUM_THREADS=1``: multi-threaded OpenBLAS under CPU contention can
take 20x longer per matmul (measured: 42 ms vs 2 ms for 128x784 @ 784x256 with two threads at load 14),
which then measures the scheduler, not the engine. The BLAS setting is printed with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_TF_PYTHON = Path("/work/tfref/bin/python")
CASES = ("a+b (constants)", "x+y (scalar feeds)")


def _load_bench(name):
    """A sibling bench module by path (bench/ is not a package); it must import without `engine`."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Workloads:
    """Both workloads for one TF1-style module (`engine` or `tensorflow.compat.v1`)."""

    def __init__(self, tf):
        self.tf = tf
        self.runs = {}
        self.train = None

    def setup_session(self):
        tf = self.tf
        graph = tf.Graph()
        with graph.as_default():
            total = tf.constant(3.0) + tf.constant(4.0)
            x = tf.placeholder(tf.float32)
            y = tf.placeholder(tf.float32)
            z = x + y
        sess = tf.Session(graph=graph)
        assert sess.run(total) == 7.0 and sess.run(z, feed_dict={x: 3.0, y: 4.5}) == 7.5
        self.runs = {CASES[0]: lambda: sess.run(total),
                     CASES[1]: lambda: sess.run(z, feed_dict={x: 3.0, y: 4.5})}
        for run in self.runs.values():  # warm-up: plan building and caches are not what we measure
            for _ in range(1000):
                run()
        return {}

    def session_block(self, case, calls):
        """``calls`` timings of one Session.run, in microseconds."""
        run, clock = self.runs[case], time.perf_counter
        samples = []
        for _ in range(calls):
            t0 = clock()
            run()
            samples.append((clock() - t0) * 1e6)
        return {"samples": samples}

    def setup_train(self, warmup):
        train_step = _load_bench("train_step")
        x, y, params = train_step.make_data()
        step, _ = train_step.build_graph(self.tf, params)
        first_loss = float(step(x, y))
        for _ in range(warmup):
            step(x, y)
        self.train = (step, x, y)
        return {"first_loss": first_loss}

    def train_round(self, steps):
        step, x, y = self.train
        start = time.perf_counter()
        cpu = time.process_time()
        for _ in range(steps):
            step(x, y)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return {"rate": steps / wall, "cpu_rate": steps / cpu}


def serve():
    """The TensorFlow side: one JSON request per stdin line, one JSON reply per stdout line."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow.compat.v1 as tf1

    tf1.disable_v2_behavior()
    workloads = Workloads(tf1)
    print(json.dumps({"version": tf1.__version__ if hasattr(tf1, "__version__") else "?"}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        reply = getattr(workloads, request.pop("call"))(**request)
        print(json.dumps(reply), flush=True)


class TensorFlowSide:
    """Calls `Workloads` methods in the `--serve` subprocess (keyword arguments only)."""

    def __init__(self, python):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        self.stderr = tempfile.TemporaryFile("w+")  # TF's start-up chatter; shown if it fails
        self.proc = subprocess.Popen([python, __file__, "--serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env)
        self.version = self._reply()["version"]

    def _reply(self):
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            self.stderr.seek(0)
            raise SystemExit(f"the TensorFlow side exited with code {code}:\n{self.stderr.read()[-3000:]}")
        return json.loads(line)

    def __getattr__(self, call):
        def remote(**kwargs):
            self.proc.stdin.write(json.dumps({"call": call, **kwargs}) + "\n")
            self.proc.stdin.flush()
            return self._reply()
        return remote

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.stderr.close()


def tf_python():
    configured = os.environ.get("TF_PYTHON")
    if configured:
        return configured
    return str(DEFAULT_TF_PYTHON) if DEFAULT_TF_PYTHON.exists() else None


def bench_session(ours, theirs, calls, blocks=5):
    ours.setup_session()
    theirs.setup_session()
    samples = {side: {case: [] for case in CASES} for side in ("engine", "tensorflow")}
    per_block = max(1, calls // blocks)
    for _ in range(blocks):
        for case in CASES:
            samples["engine"][case] += ours.session_block(case, per_block)["samples"]
            samples["tensorflow"][case] += theirs.session_block(case=case, calls=per_block)["samples"]
    print(f"Session.run, median of {per_block * blocks} calls per side (microseconds per call)")
    for case in CASES:
        engine_us = statistics.median(samples["engine"][case])
        tf_us = statistics.median(samples["tensorflow"][case])
        print(f"  {case:<20} engine {engine_us:7.2f} us   tensorflow {tf_us:7.2f} us   "
              f"engine is {tf_us / engine_us:5.2f}x as fast")


def bench_train(ours, theirs, rounds, steps, warmup):
    first = {"engine": ours.setup_train(warmup)["first_loss"],
             "tensorflow": theirs.setup_train(warmup=warmup)["first_loss"]}
    if abs(first["engine"] - first["tensorflow"]) > 1e-4 * max(1.0, abs(first["tensorflow"])):
        raise SystemExit(f"engine computes loss {first['engine']}, TensorFlow {first['tensorflow']}: "
                         "not the same step")
    rates = {"engine": [], "tensorflow": []}
    cpu_rates = {"engine": [], "tensorflow": []}
    for _ in range(rounds):
        for side, workloads in (("engine", ours), ("tensorflow", theirs)):
            result = workloads.train_round(steps=steps)
            rates[side].append(result["rate"])
            cpu_rates[side].append(result["cpu_rate"])
    print(f"MLP 784-256-256-10 Adam train step, batch 128: median of {rounds} rounds x {steps} steps")
    for side in rates:
        print(f"  {side:>10}: {statistics.median(rates[side]):8.1f} steps/s wall, "
              f"{statistics.median(cpu_rates[side]):8.1f} steps per CPU-second "
              f"(rounds: {', '.join(f'{r:.0f}' for r in rates[side])})")
    wall = statistics.median(rates["engine"]) / statistics.median(rates["tensorflow"])
    per_cpu = statistics.median(cpu_rates["engine"]) / statistics.median(cpu_rates["tensorflow"])
    print(f"  engine / tensorflow = {wall:.3f} (wall), {per_cpu:.3f} (per CPU-second of each process)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["session", "train"])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0

    python = tf_python()
    if python is None:
        print("No TensorFlow: set TF_PYTHON to a Python with tensorflow-cpu installed, or create "
              f"{DEFAULT_TF_PYTHON.parent.parent} (see this file's docstring).")
        return 2
    sys.path.insert(0, str(BENCH.parent))
    import engine

    ours = Workloads(engine)
    theirs = TensorFlowSide(python)
    try:
        print(f"TensorFlow {theirs.version} ({python}), engine in {sys.executable}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}, "
              f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
        if args.only in (None, "session"):
            bench_session(ours, theirs, args.calls)
        if args.only in (None, "train"):
            bench_train(ours, theirs, args.rounds, args.steps, args.warmup)
    finally:
        theirs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
