"""How fast board serves a big logdir, against TensorBoard, in one run.

    python bench/load_logdir.py [--runs 8 --tags 16 --steps 20000] [--skip-accumulator]

Writes RUNS x TAGS x STEPS scalar events (2.56M by default, one event per tag and step, with
our fast generator bench/eventgen.py) into a temporary logdir, then measures:

* board: seconds from starting `python -m board --logdir ... --reload-interval 0` until every
  series has been served in full by `/data/plugin/scalars/scalars` (all STEPS points), and the
  server's peak RSS (VmHWM). CRCs are checked (always).
* `tensorboard --logdir ... --load_fast=true` (Rust data server), when it starts here: seconds
  until every series is served through its last step (it keeps only 1,000 points per tag).
* tensorboard's Python `EventAccumulator` (keeping every point): seconds to load every run and
  read every series, and its peak RSS, in a subprocess.
* the latency of `/data/plugin/scalars/scalars` for one STEPS-point series (first request).

The client polls the tag list until every series is listed, then fetches the series in order,
retrying one only until it is complete; both servers are polled the same way.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eventgen  # noqa: E402
import orjson  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def get(conn: http.client.HTTPConnection, path: str) -> bytes | None:
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        return body if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        conn.close()
        return None


def serve_all(port: int, runs: list[str], tags: list[str], steps: int, full: bool, timeout: float) -> float:
    """Polls until every series is served; returns the monotonic time it finished."""
    from urllib.parse import quote

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # every series listed
        body = get(conn, "/data/plugin/scalars/tags")
        if body:
            index = orjson.loads(body)
            if all(set(tags) <= set(index.get(r, {})) for r in runs):
                break
        time.sleep(0.01)
    for run in runs:
        for tag in tags:
            path = f"/data/plugin/scalars/scalars?run={quote(run)}&tag={quote(tag)}"
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{run}/{tag} never complete")
                body = get(conn, path)
                if body:
                    rows = orjson.loads(body)
                    complete = len(rows) == steps if full else (rows and rows[-1][1] == steps - 1)
                    if complete:
                        break
                time.sleep(0.005)
    return time.monotonic()


def bench_board(logdir: Path, runs, tags, steps) -> dict:
    port = free_port()
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "board", "--logdir", str(logdir), "--port", str(port), "--host", "127.0.0.1",
         "--reload-interval", "0"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        done = serve_all(port, runs, tags, steps, full=True, timeout=120)
        rss = peak_rss_mib(process.pid)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    return {"seconds": done - began, "rss_mib": rss, "log": err.strip().splitlines()}


def bench_tensorboard(logdir: Path, runs, tags, steps) -> dict | None:
    port = free_port()
    exe = Path(sys.executable).with_name("tensorboard")
    if not exe.exists():
        return None
    began = time.monotonic()
    process = subprocess.Popen(
        [str(exe), "--logdir", str(logdir), "--port", str(port), "--host", "127.0.0.1", "--load_fast=true",
         "--reload_interval", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        done = serve_all(port, runs, tags, steps, full=False, timeout=180)
        rss = peak_rss_mib(process.pid)
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                                  text=True).stdout.split()
        rss_children = sum(peak_rss_mib(int(pid)) for pid in children)
    except TimeoutError:
        return None
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return {"seconds": done - began, "rss_mib": rss + rss_children}


ACCUMULATOR = r"""
import sys, time, json
from pathlib import Path
began = time.monotonic()
from tensorboard.backend.event_processing import event_accumulator as ea
logdir = Path(sys.argv[1]); total = 0
for run in sorted(p for p in logdir.iterdir() if p.is_dir()):
    acc = ea.EventAccumulator(str(run), size_guidance={ea.SCALARS: 0})
    acc.Reload()
    for tag in acc.Tags()["scalars"]:
        total += len(acc.Scalars(tag))
seconds = time.monotonic() - began
rss = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0] / 1024
print(json.dumps({"seconds": seconds, "rss_mib": rss, "points": total}))
"""


def bench_accumulator(logdir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", ACCUMULATOR, str(logdir)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def bench_latency(logdir: Path, runs, tags) -> dict:
    """First-request latency of /data/plugin/scalars/scalars for full series (in process)."""
    from fastapi.testclient import TestClient

    from board import create_app

    client = TestClient(create_app(logdir, reload_interval=0))
    client.app.state.provider.reload()
    times = []
    for run in runs:
        for tag in tags[:4]:
            t = time.perf_counter()
            response = client.get("/data/plugin/scalars/scalars", params={"run": run, "tag": tag})
            times.append(time.perf_counter() - t)
            assert response.status_code == 200
    t = time.perf_counter()
    client.get("/data/scalars/series", params={"run": runs[0], "tag": tags[0], "points": 1000})
    chart = time.perf_counter() - t
    return {"median_ms": statistics.median(times) * 1e3, "max_ms": max(times) * 1e3, "chart_ms": chart * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--tags", type=int, default=16)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="board start-ups to time (best and median)")
    parser.add_argument("--skip-accumulator", action="store_true")
    parser.add_argument("--skip-tensorboard", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="board-bench-"))
    try:
        logdir = workdir / "logs"
        began = time.monotonic()
        size = eventgen.generate(logdir, args.runs, args.tags, args.steps)
        events = args.runs * args.tags * args.steps
        print(f"logdir: {args.runs} runs x {args.tags} tags x {args.steps:,} steps = "
              f"{events:,} scalar events, "
              f"{size / 1e6:.0f} MB, written in {time.monotonic() - began:.1f} s")
        runs = [f"run_{r:02d}" for r in range(args.runs)]
        tags = [f"metrics/series_{t:02d}" for t in range(args.tags)]

        boards = [bench_board(logdir, runs, tags, args.steps) for _ in range(args.repeat)]
        best = min(boards, key=lambda b: b["seconds"])
        median = statistics.median(b["seconds"] for b in boards)
        print(f"board:  every series served in full after {best['seconds']:.2f} s "
              f"(median of {len(boards)}: {median:.2f} s), peak RSS {best['rss_mib']:.0f} MiB")
        for line in best["log"][-2:]:
            print("        " + line)

        results = {}
        if not args.skip_tensorboard:
            tb = bench_tensorboard(logdir, runs, tags, args.steps)
            if tb is None:
                print("tensorboard --load_fast=true: did not start or serve here")
            else:
                results["tensorboard --load_fast=true"] = tb
                print(f"tensorboard --load_fast=true: every series served (1,000 sampled points each) after "
                      f"{tb['seconds']:.2f} s, peak RSS {tb['rss_mib']:.0f} MiB (server + data server)")
        if not args.skip_accumulator:
            acc = bench_accumulator(logdir)
            results["EventAccumulator"] = acc
            print(f"EventAccumulator (keeps all {acc['points']:,} points): {acc['seconds']:.2f} s, "
                  f"peak RSS {acc['rss_mib']:.0f} MiB")
        for name, other in results.items():
            print(f"ratio vs {name}: {other['seconds'] / best['seconds']:.1f}x faster, "
                  f"{other['rss_mib'] / best['rss_mib']:.2f}x the memory")
        latency = bench_latency(logdir, runs, tags)
        print(f"/data/plugin/scalars/scalars, {args.steps:,}-point series, first request: median "
              f"{latency['median_ms']:.1f} ms, max {latency['max_ms']:.1f} ms; "
              f"/data/scalars/series (1,000 points): {latency['chart_ms']:.1f} ms")
        print(f"targets: <= 1.4 s ({'met' if best['seconds'] <= 1.4 else 'MISSED'}), "
              f"<= 150 MiB ({'met' if best['rss_mib'] <= 150 else 'MISSED'}), "
              f"< 20 ms ({'met' if latency['max_ms'] < 20 else 'MISSED'})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
