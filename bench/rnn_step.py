"""Training-step throughput of an LSTM: engine vs. hand-written numpy vs. TensorFlow 1.x.

The model: inputs [batch 32, 50 steps, 64] -> `tf.nn.dynamic_rnn` over a `BasicLSTMCell(128)` (TF's
`rnn/while` loop, trained through its gradient loop) -> dense 10 on the last output ->
``sparse_softmax_cross_entropy_with_logits`` (mean), Adam (lr 1e-3), float32, fed through ``feed_dict``
every step. The three run interleaved in rounds (TF in the interpreter given by --tf-python / $TF_PYTHON
/ scripts/tfref.py's when not importable here, driven chunk by chunk), each reported as the median over
rounds of its rate divided by numpy's (or TF's) in the same round, with the load average.

    python bench/rnn_step.py [--rounds 7] [--steps 3] [--tf-python /path/to/python-with-tensorflow]
                             [--interpreted] [--load N]

--load N spins N CPU-bound processes beside the bench, each in its own session as another program's
would be (bench/train_step.py's `competing_load`).  --interpreted adds the engine with its loops
interpreted op by op (the plan pass `frame_compilation` off, engine/runtime/frame_compile.py) as another
side, interleaved with the rest.

Targets (issue 16): engine >= 1.0x TensorFlow and >= 0.9x hand numpy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from unittest import mock

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # TF's tf.nn.rnn_cell needs tf-keras (worker process)

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_step
from train_step import NumpyMLP, RemoteTensorFlow, load_tensorflow

N, T, D, H, CLASSES = 32, 50, 64, 128, 10
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def make_data(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, (N, T, D)).astype(np.float32)
    labels = rng.randint(0, CLASSES, N).astype(np.int32)
    shapes = [(D + H, 4 * H), (4 * H,), (H, CLASSES), (CLASSES,)]
    params = []
    for shape in shapes:  # glorot-uniform kernels, zero biases (TF's defaults for these layers)
        if len(shape) == 2:
            limit = np.sqrt(6.0 / sum(shape))
            params.append(rng.uniform(-limit, limit, shape).astype(np.float32))
        else:
            params.append(np.zeros(shape, np.float32))
    return x, labels, params


def _sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


class NumpyLSTM(NumpyMLP):
    """The step written by hand as a numpy programmer would: the input projection of all steps in one GEMM,
    one GEMM per step for the recurrence, backpropagation through time with the kernel gradient as one
    GEMM over all steps, Adam in place (`NumpyMLP.adam`)."""

    lr = LR

    def step(self, x, labels):
        w, b, wd, bd = self.params
        xt = np.ascontiguousarray(x.transpose(1, 0, 2))  # [T, N, D]
        projected = (xt.reshape(T * N, D) @ w[:D]).reshape(T, N, 4 * H)
        projected += b
        hs = np.zeros((T + 1, N, H), np.float32)
        cs = np.zeros((T + 1, N, H), np.float32)
        gates = np.empty((T, N, 4 * H), np.float32)  # sigmoid(i), tanh(j), sigmoid(f + 1), sigmoid(o)
        tanh_c = np.empty((T, N, H), np.float32)
        for t in range(T):
            z = projected[t] + hs[t] @ w[D:]
            g = gates[t]
            g[:, :H] = _sigmoid(z[:, :H])
            g[:, H : 2 * H] = np.tanh(z[:, H : 2 * H])
            g[:, 2 * H : 3 * H] = _sigmoid(z[:, 2 * H : 3 * H] + 1.0)
            g[:, 3 * H :] = _sigmoid(z[:, 3 * H :])
            cs[t + 1] = cs[t] * g[:, 2 * H : 3 * H] + g[:, :H] * g[:, H : 2 * H]
            tanh_c[t] = np.tanh(cs[t + 1])
            hs[t + 1] = tanh_c[t] * g[:, 3 * H :]
        logits = hs[T] @ wd + bd
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(N)
        loss = (np.log(s[:, 0]) - logits[rows, labels]).mean()
        e /= s
        e[rows, labels] -= 1
        e *= np.float32(1.0 / N)
        gwd = hs[T].T @ e
        gbd = e.sum(axis=0)
        dh = e @ wd.T
        dc = np.zeros((N, H), np.float32)
        dz = np.empty((T, N, 4 * H), np.float32)
        w_h = w[D:]
        for t in reversed(range(T)):
            g = gates[t]
            si, tj, sf, so = g[:, :H], g[:, H : 2 * H], g[:, 2 * H : 3 * H], g[:, 3 * H :]
            dc += dh * so * (1 - tanh_c[t] ** 2)
            d = dz[t]
            d[:, :H] = dc * tj * si * (1 - si)
            d[:, H : 2 * H] = dc * si * (1 - tj * tj)
            d[:, 2 * H : 3 * H] = dc * cs[t] * sf * (1 - sf)
            d[:, 3 * H :] = dh * tanh_c[t] * so * (1 - so)
            dc *= sf
            dh = d @ w_h.T
        flat_dz = dz.reshape(T * N, 4 * H)
        gw = np.concatenate([xt.reshape(T * N, D).T @ flat_dz, hs[:T].reshape(T * N, H).T @ flat_dz])
        self.adam((gw, flat_dz.sum(axis=0), gwd, gbd))
        return loss


def build_graph(tf, params):
    """The model's graph; works for ``engine`` and for ``tensorflow.compat.v1``."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [N, T, D], name="x")
        y = tf.placeholder(tf.int32, [N], name="y")
        outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(H), x, dtype=tf.float32)
        logits = tf.layers.dense(outputs[:, -1], CLASSES)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train_op = tf.train.AdamOptimizer(LR, BETA1, BETA2, EPS).minimize(loss)
        init = tf.global_variables_initializer()
        assigns = [tf.assign(v, p) for v, p in zip(tf.trainable_variables(), params, strict=True)]
    sess = tf.Session(graph=graph)
    sess.run(init)
    sess.run(assigns)

    def step(xv, yv):
        return sess.run([train_op, loss], feed_dict={x: xv, y: yv})[1]

    return step, sess


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=3, help="steps per timed chunk")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument(
        "--tf-python",
        default=os.environ.get("TF_PYTHON"),
        help="an interpreter with tensorflow, used when tensorflow is not importable here",
    )
    ap.add_argument("--interpreted", action="store_true",
                    help="also time the engine with its loops interpreted (no frame compilation)")
    ap.add_argument("--load", type=int, default=0,
                    help="CPU-bound processes spinning beside the bench, each in its own session")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        train_step.worker(make_data, build_graph)
        return None

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import engine
    from scripts.tfref import find as find_tf_python

    x, y, params = make_data()
    local = {"numpy": NumpyLSTM(params).step, "engine": build_graph(engine, params)[0]}
    if args.interpreted:
        from engine.runtime import passes

        with mock.patch.dict(os.environ, {passes.ENV: f"all,-{passes.FRAME_COMPILATION}"}):
            local["interpreted"] = build_graph(engine, params)[0]  # the session reads the knob
    tf1 = load_tensorflow()
    remote = None
    if tf1 is not None:
        local["tensorflow"] = build_graph(tf1, params)[0]
    elif (tf_python := args.tf_python or find_tf_python()) is not None:
        remote = RemoteTensorFlow(tf_python, __file__)

    with train_step.competing_load(args.load):
        results = train_step.interleave(local, remote, x, y, args, checked=list(local))

    def ratio(a, b):
        return statistics.median(p / q for p, q in zip(results[a], results[b], strict=True))

    for name, rates in results.items():
        print(
            f"{name:>10}: median {statistics.median(rates):6.2f} steps/s   best {max(rates):6.2f}   "
            f"/ numpy: median of round ratios {ratio(name, 'numpy'):.3f}"
        )
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
          + (f" with {args.load} competing CPU-bound processes" if args.load else ""))
    print(f"engine / numpy      = {ratio('engine', 'numpy'):.3f}   (target >= 0.9)")
    if "interpreted" in results:
        print(f"engine / interpreted = {ratio('engine', 'interpreted'):.3f}   (loops compiled / not)")
    if "tensorflow" in results:
        print(f"engine / tensorflow = {ratio('engine', 'tensorflow'):.3f}   (target >= 1.0)")
    else:
        print("engine / tensorflow = n/a (tensorflow not importable; see --tf-python)")
    return results


if __name__ == "__main__":
    main()
