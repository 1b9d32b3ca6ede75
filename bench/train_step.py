"""Training-step throughput: engine vs. hand-written numpy vs. TensorFlow 1.x (when importable).

The model is the MLP 784 -> 256 relu -> 256 relu -> 10, batch 128, softmax cross-entropy, Adam
(lr 1e-3), float32, fed through ``feed_dict`` every step.  The three implementations run in one
process, interleaved in rounds so that machine noise hits them alike; each figure is the median
over the rounds of steps per second, and the best round (the least disturbed by other processes).

    python bench/train_step.py [--rounds 15] [--steps 40] [--tf-python /path/to/python-with-tensorflow]

TensorFlow runs in-process when importable, else in the interpreter given by --tf-python (or
$TF_PYTHON, else the venv `make tfref` builds: scripts/tfref.py), driven chunk by chunk so its rounds
still interleave with ours.

On a busy machine multi-threaded BLAS collapses (threads wait for cores at its barriers); a session
sizes BLAS's threads from the load (engine/runtime/blas_threads.py) and hand numpy does not.  --load N
starts N CPU-bound processes for the run, each in a session of its own (the issue-24 measurement: one
competitor, engine vs TF; --load-same-session starts them in the bench's); --engine-threads 1 2 adds
engine sessions with that many BLAS threads to the rounds; OPENBLAS_NUM_THREADS=1 TF_NUM_THREADS=1
compares single-threaded implementations instead (TF_NUM_THREADS alone sizes TF's pools).

--ablations adds engine steps without each of the session's plan-time optimizations, interleaved with
the rest, so one run shows what each buys: "no plan passes" (ENGINE_PLAN_PASSES=none: every op a kernel
call, engine/runtime/passes.py) and "general kernels" (no kernels bound to the plan's constants, no
buffer forwarding; engine/runtime/binding.py, forwarding.py).  Large variables and optimizer scratch on
2 MiB pages (a former engine/memory.py) were measured here too, and removed: engine / "4 KiB pages" came
out between 0.90 and 1.09 from run to run on the shared 2-core machine, median about 1.01.

Targets (issue 4): engine >= 0.97x hand numpy and >= 1.0x TensorFlow.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from unittest import mock

import numpy as np

N, D, H, C = 128, 784, 256, 10
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def make_data(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(N, D).astype(np.float32)
    y = np.eye(C, dtype=np.float32)[rng.randint(0, C, N)]
    shapes = [(D, H), (H,), (H, H), (H,), (H, C), (C,)]
    params = []
    for shape in shapes:
        if len(shape) == 2:
            limit = np.sqrt(6.0 / sum(shape))
            params.append(rng.uniform(-limit, limit, shape).astype(np.float32))
        else:
            params.append(np.zeros(shape, np.float32))
    return x, y, params


class NumpyMLP:
    """The step written by hand: forward, backward and Adam, updating parameters in place."""

    lr = LR

    def __init__(self, params):
        self.params = [p.copy() for p in params]
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]
        self.tmp2 = [np.empty_like(p) for p in params]
        self.b1p = np.float32(BETA1)
        self.b2p = np.float32(BETA2)

    def step(self, x, y):
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = x @ w1
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2
        h2 += b2
        np.maximum(h2, 0, out=h2)
        logits = h2 @ w3
        logits += b3
        # softmax cross-entropy, mean over the batch
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        s = e.sum(axis=1, keepdims=True)
        loss = (y * (np.log(s) - logits)).sum(axis=1).mean()
        e /= s
        e -= y
        e *= np.float32(1.0 / N)
        # backward
        g3 = h2.T @ e
        gb3 = e.sum(axis=0)
        d2 = e @ w3.T
        d2 *= h2 > 0
        g2 = h1.T @ d2
        gb2 = d2.sum(axis=0)
        d1 = d2 @ w2.T
        d1 *= h1 > 0
        g1 = x.T @ d1
        gb1 = d1.sum(axis=0)
        self.adam((g1, gb1, g2, gb2, g3, gb3))
        return loss

    def adam(self, grads):
        """Adam, in place, as ApplyAdam computes it."""
        one = np.float32(1)
        alpha = np.float32(self.lr) * np.sqrt(one - self.b2p) / (one - self.b1p)
        c1, c2, eps = one - np.float32(BETA1), one - np.float32(BETA2), np.float32(EPS)
        for p, g, m, v, t, u in zip(self.params, grads, self.m, self.v, self.tmp, self.tmp2, strict=True):
            np.subtract(g, m, out=t)
            t *= c1
            m += t
            np.multiply(g, g, out=t)
            t -= v
            t *= c2
            v += t
            np.multiply(m, alpha, out=u)
            np.sqrt(v, out=t)
            t += eps
            u /= t
            p -= u
        self.b1p = self.b1p * np.float32(BETA1)
        self.b2p = self.b2p * np.float32(BETA2)


def build_model(tf, x, y, params):
    """(loss, train_op) of the model over inputs `x`, `y` in the default graph (bench/dataset.py too)."""
    h = x
    for i, name in enumerate(["layer1", "layer2", "output"]):
        with tf.variable_scope(name):
            w = tf.get_variable("weight", initializer=tf.constant(params[2 * i]))
            b = tf.get_variable("bias", initializer=tf.constant(params[2 * i + 1]))
            h = tf.matmul(h, w) + b
            if name != "output":
                h = tf.nn.relu(h)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
    return loss, tf.train.AdamOptimizer(LR, BETA1, BETA2, EPS).minimize(loss)


def session(tf, graph, threads=None):
    """A session on `graph`: TensorFlow's with $TF_NUM_THREADS threads in its pools when set; the engine's
    with `threads` intra-op (BLAS) threads when given, else its load-based default."""
    threads = threads or (os.environ.get("TF_NUM_THREADS") if tf.__name__ != "engine" else None)
    if not threads:
        return tf.Session(graph=graph)
    config = tf.ConfigProto(intra_op_parallelism_threads=int(threads),
                            inter_op_parallelism_threads=int(threads))
    return tf.Session(graph=graph, config=config)


def build_graph(tf, params, threads=None):
    """The same model as a TF1 graph; works for ``engine`` and for ``tensorflow.compat.v1``."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, D], name="x")
        y = tf.placeholder(tf.float32, [None, C], name="y")
        loss, train_op = build_model(tf, x, y, params)
        init = tf.global_variables_initializer()
    sess = session(tf, graph, threads)
    sess.run(init)

    def step(xv, yv):
        return sess.run([train_op, loss], feed_dict={x: xv, y: yv})[1]

    return step, sess


def engine_ablations(engine, params, x, y):
    """Engine steps, each built and first run (which plans it) without one plan-time optimization."""
    from engine.runtime import passes

    ablations = {
        "engine, no plan passes": [mock.patch.dict(os.environ, {passes.ENV: "none"})],
        "engine, general kernels": [
            mock.patch.dict(os.environ, {passes.ENV: "all,-bound_kernels,-buffer_forwarding"})],
    }
    variants = {}
    for name, patches in ablations.items():
        with contextlib.ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patch)
            step, _ = build_graph(engine, params)
            step(x, y)
        variants[name] = step
    return variants


def engine_thread_variants(engine, build_graph, params, counts):
    """{"engine, n threads": step} of engine sessions given intra_op_parallelism_threads=n: beside the
    default session in the same rounds, they show what the load-based BLAS thread count buys."""
    return {f"engine, {n} threads": build_graph(engine, params, threads=n)[0] for n in counts}


def load_tensorflow():
    try:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow.compat.v1 as tf1
    except ImportError:
        return None
    tf1.disable_v2_behavior()
    return tf1


def rate(step, x, y, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step(x, y)
    return steps / (time.perf_counter() - start)


class RemoteTensorFlow:
    """TensorFlow in another interpreter (``--tf-python``), driven step-chunk by step-chunk over a pipe
    so that its rounds interleave with ours.  `script` is the bench whose ``--worker`` it runs."""

    def __init__(self, python, script=__file__):
        self.proc = subprocess.Popen([python, os.path.abspath(script), "--worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": ""})
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "ready":
            raise SystemExit(f"TensorFlow worker failed to start ({python})")
        self.first_loss = float(line[1])

    def warmup(self, steps):
        self.rate(steps)

    def rate(self, steps):
        self.proc.stdin.write(f"run {steps}\n")
        self.proc.stdin.flush()
        return steps / float(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)


def worker(make_data=make_data, build_graph=build_graph):
    """``--worker``: build the model in TensorFlow and time chunks of steps on request (also serves
    other benches' models, through their `make_data` and `build_graph`)."""
    tf1 = load_tensorflow()
    if tf1 is None:
        print("error no-tensorflow", flush=True)
        return
    x, y, params = make_data()
    step, _ = build_graph(tf1, params)
    print(f"ready {float(step(x, y))!r}", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if cmd[0] == "quit":
            return
        n = int(cmd[1])
        start = time.perf_counter()
        for _ in range(n):
            step(x, y)
        print(time.perf_counter() - start, flush=True)


@contextlib.contextmanager
def competing_load(processes, same_session=False):
    """`processes` CPU-bound interpreters spinning while the block runs, each in a session of its own as
    another program would be: with Linux's autogroup scheduling (on here) a session's processes share one
    group's CPU share, so a spinner in the bench's session would take its CPU from the bench (engine,
    numpy and the TensorFlow worker alike) rather than compete with it as an outside process
    (`same_session`: the former measurement, --load-same-session)."""
    spin = [sys.executable, "-c", "while True: pass"]
    spinners = [subprocess.Popen(spin, start_new_session=not same_session) for _ in range(processes)]
    try:
        if spinners:
            time.sleep(2)  # let the load average see them
        yield
    finally:
        for proc in spinners:
            proc.kill()
            proc.wait()


def interleave(local, remote, x, y, args, checked):
    """Checks that the `checked` steps (and `remote`) start from numpy's loss, warms every step up, then
    times them in turn, `args.rounds` rounds of `args.steps` steps: {name: [steps/s per round]}."""
    # The same start and the same data: the losses must agree before timing means anything.
    first = {name: float(local[name](x, y)) for name in checked}
    if remote is not None:
        first["tensorflow"] = remote.first_loss
    for name, value in first.items():
        if abs(value - first["numpy"]) > 1e-4 * max(1.0, abs(first["numpy"])):
            raise SystemExit(f"{name} computes loss {value}, numpy {first['numpy']}: not the same step")
    for step in local.values():
        for _ in range(args.warmup):
            step(x, y)
    if remote is not None:
        remote.warmup(args.warmup)

    results = {name: [] for name in local}
    if remote is not None:
        results["tensorflow"] = []
    for _ in range(args.rounds):
        for name, step in local.items():
            results[name].append(rate(step, x, y, args.steps))
        if remote is not None:
            results["tensorflow"].append(remote.rate(args.steps))
    if remote is not None:
        remote.close()
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--steps", type=int, default=40, help="steps per timed chunk")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--tf-python", default=None,
                    help="an interpreter with tensorflow, used when tensorflow is not importable here "
                         "(default: scripts/tfref.py's, when there is one)")
    ap.add_argument("--ablations", action="store_true",
                    help="also time the engine without each plan-time optimization")
    ap.add_argument("--load", type=int, default=0, help="CPU-bound processes to run beside the bench")
    ap.add_argument("--load-same-session", action="store_true",
                    help="start the --load processes in the bench's session (its autogroup), not their own")
    ap.add_argument("--engine-threads", type=int, nargs="*", default=[],
                    help="also time engine sessions with these intra_op_parallelism_threads (BLAS threads)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker()
        return None

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import engine
    from scripts.tfref import find as find_tf_python

    x, y, params = make_data()
    numpy_step = NumpyMLP(params).step
    engine_step, _ = build_graph(engine, params)
    local = {"numpy": numpy_step, "engine": engine_step}
    if args.ablations:
        local.update(engine_ablations(engine, params, x, y))
    local.update(engine_thread_variants(engine, build_graph, params, args.engine_threads))
    tf1 = load_tensorflow()
    remote = None
    if tf1 is not None:
        local["tensorflow"] = build_graph(tf1, params)[0]
    elif (tf_python := args.tf_python or find_tf_python()) is not None:
        remote = RemoteTensorFlow(tf_python)

    checked = [name for name in local if not name.startswith("engine, ")]
    with competing_load(args.load, args.load_same_session):
        results = interleave(local, remote, x, y, args, checked)

    # Best round: the least disturbed measurement of each (other processes only ever slow a round down).
    best = {name: max(v) for name, v in results.items()}
    med = {name: statistics.median(v) for name, v in results.items()}
    # Per-round ratios to numpy's rate in the same round cancel what the load did to that round.
    ratio = {name: statistics.median(r / n for r, n in zip(v, results["numpy"], strict=True))
             for name, v in results.items()}
    to_tf = {name: statistics.median(r / t for r, t in zip(v, results["tensorflow"], strict=True))
             for name, v in results.items()} if "tensorflow" in results else {}
    for name in results:
        print(f"{name:>26}: best {best[name]:7.1f} steps/s   median {med[name]:7.1f} steps/s   "
              f"/ numpy: median of round ratios {ratio[name]:.3f}"
              + (f"   / tensorflow: {to_tf[name]:.3f}" if to_tf else ""))
    for name in results:  # what each ablated optimization buys, round by round
        if name.startswith("engine, "):
            gain = statistics.median(e / a for e, a in zip(results["engine"], results[name], strict=True))
            print(f"engine / {name.removeprefix('engine, ')}: median of round ratios {gain:.3f}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
          + (f" with {args.load} competing CPU-bound processes" if args.load else "")
          + (" in the bench's session" if args.load and args.load_same_session else ""))
    print(f"engine / numpy      = {best['engine'] / best['numpy']:.3f} best, "
          f"{med['engine'] / med['numpy']:.3f} median, {ratio['engine']:.3f} median of round ratios"
          "   (target >= 0.97)")
    if to_tf:
        print(f"engine / tensorflow = {best['engine'] / best['tensorflow']:.3f} best, "
              f"{med['engine'] / med['tensorflow']:.3f} median, {to_tf['engine']:.3f} median of round ratios"
              "   (target >= 1.0)")
    else:
        print("engine / tensorflow = n/a (tensorflow not importable; see --tf-python)")
    return best


if __name__ == "__main__":
    main()
