"""The Projector's PCA (board/data/projector.py: axes from the covariance with eigh, fitted on at
most 50,000 points) against the plain way, numpy's SVD of the centred points, on embeddings of
the sizes the page shows. Both run interleaved in rounds; each size reports the median over rounds
of SVD time / our time (>1: ours is faster), with the load average.

    python bench/projector_pca.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from board.data.projector import pca

SIZES = [(360, 128), (10_000, 64), (50_000, 200)]


def svd_pca(points: np.ndarray, components: int) -> np.ndarray:
    centred = points.astype(np.float64) - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:components].T


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    for rows, cols in SIZES:
        points = rng.normal(size=(rows, cols)).astype(np.float32)
        ratios, ours_times = [], []
        for _ in range(args.rounds):
            ours = timed(pca, points, 3)
            baseline = timed(svd_pca, points, 3)
            ratios.append(baseline / ours)
            ours_times.append(ours)
        print(f"{rows:>6} x {cols:<4} ours {1000 * statistics.median(ours_times):8.1f} ms   "
              f"SVD / ours {statistics.median(ratios):5.2f}x   (load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
