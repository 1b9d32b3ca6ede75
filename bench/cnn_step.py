"""Training-step throughput of TF's "deep MNIST" CNN: engine vs. hand-written numpy vs. TensorFlow 1.x.

The model: 28x28x1 -> conv 5x5x32 SAME + bias, relu -> max-pool 2x2/2 -> conv 5x5x64 SAME + bias, relu ->
max-pool 2x2/2 -> fc 1024 relu -> fc 10, batch 64, ``sparse_softmax_cross_entropy_with_logits`` (mean),
Adam (lr 1e-4), float32, fed through ``feed_dict`` every step.  The three run interleaved in rounds (TF in
the interpreter given by --tf-python / $TF_PYTHON when not importable here, driven chunk by chunk), and
each is reported as the median over rounds of its rate divided by numpy's (or TF's) in the same round,
which cancels most of what the machine's load did to that round.

    python bench/cnn_step.py [--rounds 9] [--steps 5] [--tf-python /path/to/python-with-tensorflow]
                             [--engine-threads 1 2]   (engine sessions with that many BLAS threads too)

Targets (issue 24): engine >= 1.0x TensorFlow and >= 0.9x hand numpy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_step
from train_step import NumpyMLP, RemoteTensorFlow, load_tensorflow

N, SIDE, K, C1, C2, HID, CLASSES = 64, 28, 5, 32, 64, 1024, 10
LR, BETA1, BETA2, EPS = 1e-4, 0.9, 0.999, 1e-8  # the tutorial's Adam


def make_data(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(N, SIDE * SIDE).astype(np.float32)
    labels = rng.randint(0, CLASSES, N).astype(np.int32)
    flat = (SIDE // 4) * (SIDE // 4) * C2
    shapes = [(K, K, 1, C1), (C1,), (K, K, C1, C2), (C2,), (flat, HID), (HID,), (HID, CLASSES), (CLASSES,)]
    params = []
    for shape in shapes:  # the tutorial's truncated_normal(stddev=0.1) weights and 0.1 biases
        if len(shape) > 1:
            params.append(np.clip(rng.normal(0, 0.1, shape), -0.2, 0.2).astype(np.float32))
        else:
            params.append(np.full(shape, 0.1, np.float32))
    return x, labels, params


class NumpyCNN(NumpyMLP):
    """The step written by hand as a numpy programmer would: im2col through a window view and one GEMM
    per convolution, col2im by one strided add per filter tap, 2x2 pooling by reshape, Adam in place
    (`NumpyMLP.adam`)."""

    lr = LR

    @staticmethod
    def conv(x, w):
        """SAME 5x5 convolution; returns the output and the patch matrix (reused by the filter gradient)."""
        n, h, wd, c = x.shape
        p = K // 2
        xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
        cols = sliding_window_view(xp, (K, K), axis=(1, 2))  # [n, h, w, c, K, K]
        cols = cols.reshape(n * h * wd, c * K * K)
        wmat = w.transpose(2, 0, 1, 3).reshape(c * K * K, -1)
        return (cols @ wmat).reshape(n, h, wd, -1), cols

    @staticmethod
    def conv_grads(x_shape, cols, w, dy):
        n, h, wd, c = x_shape
        co = w.shape[3]
        d2 = dy.reshape(-1, co)
        gw = (cols.T @ d2).reshape(c, K, K, co).transpose(1, 2, 0, 3)
        wmat = w.transpose(2, 0, 1, 3).reshape(c * K * K, co)
        dcols = (d2 @ wmat.T).reshape(n, h, wd, c, K, K)
        p = K // 2
        dxp = np.zeros((n, h + 2 * p, wd + 2 * p, c), np.float32)
        for i in range(K):
            for j in range(K):
                dxp[:, i:i + h, j:j + wd, :] += dcols[..., i, j]
        return dxp[:, p:p + h, p:p + wd, :], gw

    @staticmethod
    def pool(x):
        n, h, w, c = x.shape
        xr = x.reshape(n, h // 2, 2, w // 2, 2, c)
        y = xr.max(axis=(2, 4))
        return y, xr

    @staticmethod
    def pool_grad(xr, y, dy):
        mask = xr == y[:, :, None, :, None]
        dx = mask * dy[:, :, None, :, None]
        n, oh, _, ow, _, c = xr.shape
        return dx.reshape(n, oh * 2, ow * 2, c)

    def step(self, x, labels):
        w1, b1, w2, b2, w3, b3, w4, b4 = self.params
        x4 = x.reshape(N, SIDE, SIDE, 1)
        h1, cols1 = self.conv(x4, w1)
        h1 += b1
        np.maximum(h1, 0, out=h1)
        p1, p1r = self.pool(h1)
        h2, cols2 = self.conv(p1, w2)
        h2 += b2
        np.maximum(h2, 0, out=h2)
        p2, p2r = self.pool(h2)
        flat = p2.reshape(N, -1)
        h3 = flat @ w3
        h3 += b3
        np.maximum(h3, 0, out=h3)
        logits = h3 @ w4
        logits += b4
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(N)
        loss = (np.log(s[:, 0]) - logits[rows, labels]).mean()
        e /= s
        e[rows, labels] -= 1
        e *= np.float32(1.0 / N)
        g4 = h3.T @ e
        gb4 = e.sum(axis=0)
        d3 = e @ w4.T
        d3 *= h3 > 0
        g3 = flat.T @ d3
        gb3 = d3.sum(axis=0)
        dp2 = (d3 @ w3.T).reshape(p2.shape)
        dh2 = self.pool_grad(p2r, p2, dp2)
        dh2 *= h2 > 0
        gb2 = dh2.sum(axis=(0, 1, 2))
        dp1, g2 = self.conv_grads(p1.shape, cols2, w2, dh2)
        dh1 = self.pool_grad(p1r, p1, dp1)
        dh1 *= h1 > 0
        gb1 = dh1.sum(axis=(0, 1, 2))
        g1 = (cols1.T @ dh1.reshape(-1, C1)).reshape(1, K, K, C1).transpose(1, 2, 0, 3)
        self.adam((g1, gb1, g2, gb2, g3, gb3, g4, gb4))
        return loss


def build_graph(tf, params, threads=None):
    """The tutorial's graph; works for ``engine`` and for ``tensorflow.compat.v1``."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, SIDE * SIDE], name="x")
        y = tf.placeholder(tf.int32, [None], name="y")
        h = tf.reshape(x, [-1, SIDE, SIDE, 1])
        weights = [tf.Variable(p, name=f"p{i}") for i, p in enumerate(params)]
        for w, b in (weights[0:2], weights[2:4]):
            h = tf.nn.relu(tf.nn.conv2d(h, w, strides=[1, 1, 1, 1], padding="SAME") + b)
            h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf.reshape(h, [-1, (SIDE // 4) * (SIDE // 4) * C2])
        h = tf.nn.relu(tf.matmul(h, weights[4]) + weights[5])
        logits = tf.matmul(h, weights[6]) + weights[7]
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train_op = tf.train.AdamOptimizer(LR, BETA1, BETA2, EPS).minimize(loss)
        init = tf.global_variables_initializer()
    sess = train_step.session(tf, graph, threads)
    sess.run(init)

    def step(xv, yv):
        return sess.run([train_op, loss], feed_dict={x: xv, y: yv})[1]

    return step, sess


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--steps", type=int, default=5, help="steps per timed chunk")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--tf-python", default=os.environ.get("TF_PYTHON"),
                    help="an interpreter with tensorflow, used when tensorflow is not importable here")
    ap.add_argument("--engine-threads", type=int, nargs="*", default=[],
                    help="also time engine sessions with these intra_op_parallelism_threads (BLAS threads)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        train_step.worker(make_data, build_graph)
        return None

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import engine

    x, y, params = make_data()
    local = {"numpy": NumpyCNN(params).step, "engine": build_graph(engine, params)[0]}
    local.update(train_step.engine_thread_variants(engine, build_graph, params, args.engine_threads))
    tf1 = load_tensorflow()
    remote = None
    if tf1 is not None:
        local["tensorflow"] = build_graph(tf1, params)[0]
    elif args.tf_python:
        remote = RemoteTensorFlow(args.tf_python, __file__)

    results = train_step.interleave(local, remote, x, y, args, checked=list(local))

    def ratio(a, b):
        return statistics.median(p / q for p, q in zip(results[a], results[b], strict=True))

    for name, rates in results.items():
        print(f"{name:>18}: median {statistics.median(rates):6.2f} steps/s   best {max(rates):6.2f}   "
              f"/ numpy: median of round ratios {ratio(name, 'numpy'):.3f}"
              + (f"   / tensorflow: {ratio(name, 'tensorflow'):.3f}" if "tensorflow" in results else ""))
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"engine / numpy      = {ratio('engine', 'numpy'):.3f}   (target >= 0.9)")
    if "tensorflow" in results:
        print(f"engine / tensorflow = {ratio('engine', 'tensorflow'):.3f}   (target >= 1.0)")
    else:
        print("engine / tensorflow = n/a (tensorflow not importable; see --tf-python)")
    return results


if __name__ == "__main__":
    main()
