"""Do two of board's server speed-ups still pay? Each is timed against its baseline in the same run,
interleaved (the order alternates per round), and reported as the median of per-round ratios.

1. `_collector_paused` (board/cli.py): the cyclic garbage collector off while the web stack is
   imported and the app built, then `gc.freeze()` of what start-up made. Measured: `board` start-up,
   process start to the first answer of /data/runs, against the same start-up without it.
   (The collector is on again while serving: nothing here runs a threaded server without it.)
2. `CachedStaticFiles` (board/static_files.py) against Starlette's `StaticFiles`: the page's five
   static files (styles, the bundle) fetched over one keep-alive connection, 20 times a round,
   from two servers started side by side.

    python bench/server_overheads.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# a child running `board` with one speed-up swapped for its baseline
CHILD = """
import contextlib, sys
import board.cli
if sys.argv[1] == "no-gc-pause":
    board.cli._collector_paused = contextlib.nullcontext
if sys.argv[1] == "plain-static":
    import board.app
    from starlette.staticfiles import StaticFiles
    board.app.CachedStaticFiles = StaticFiles
sys.exit(board.cli.main(sys.argv[2:]))
"""

STATIC_FILES = ["/static/css/base.css", "/static/css/scalars.css", "/static/vendor/uPlot.min.css",
                "/static/bundle/scalars/main.js", "/static/bundle/graph/main.js"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(variant: str, logdir: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", CHILD, variant, "--logdir", logdir, "--port", str(port),
                                "--host", "127.0.0.1", "--reload-interval", "0"],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, port


def wait_answer(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/data/runs")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.005)
    raise RuntimeError("board never answered")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(10)


def startup_seconds(variant: str, logdir: str) -> float:
    began = time.perf_counter()
    process, port = start(variant, logdir)
    try:
        wait_answer(port)
        return time.perf_counter() - began
    finally:
        stop(process)


def static_seconds(port: int, repeat: int = 20) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    began = time.perf_counter()
    for _ in range(repeat):
        for path in STATIC_FILES:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
    connection.close()
    return time.perf_counter() - began


def ratios(rounds: int, measure, baseline: str, variant: str) -> tuple[float, float, float]:
    """Median baseline seconds, median variant seconds, median of per-round baseline/variant."""
    base_times, variant_times, per_round = [], [], []
    for i in range(rounds):
        order = [(baseline, base_times), (variant, variant_times)]
        if i % 2:
            order.reverse()
        seconds = {}
        for name, store in order:
            seconds[name] = measure(name)
            store.append(seconds[name])
        per_round.append(seconds[baseline] / seconds[variant])
    return statistics.median(base_times), statistics.median(variant_times), statistics.median(per_round)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    logdir = tempfile.mkdtemp(prefix="board-bench-")
    load = os.getloadavg()[0]

    base, fast, ratio = ratios(args.rounds, lambda v: startup_seconds(v, logdir), "no-gc-pause", "as-shipped")
    print(f"start-up to first answer: {base * 1e3:.0f} ms without the collector pause, {fast * 1e3:.0f} ms "
          f"with it: ratio {ratio:.3f} (median of {args.rounds} rounds; load {load:.1f})")

    servers = {name: start(name, logdir) for name in ("plain-static", "as-shipped")}
    try:
        for _, port in servers.values():
            wait_answer(port)
            static_seconds(port, 2)  # warm: first reads, imports
        base, fast, ratio = ratios(args.rounds, lambda v: static_seconds(servers[v][1]), "plain-static",
                                   "as-shipped")
    finally:
        for process, _ in servers.values():
            stop(process)
    count = 20 * len(STATIC_FILES)
    print(f"{count} static files over keep-alive: {base * 1e3:.0f} ms with StaticFiles, {fast * 1e3:.0f} ms "
          f"with CachedStaticFiles: ratio {ratio:.3f} (median of {args.rounds} rounds; "
          f"load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
