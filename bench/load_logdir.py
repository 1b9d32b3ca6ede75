"""How fast board serves a big logdir, against TensorBoard, in one run.

    python bench/load_logdir.py [--runs 8 --tags 16 --steps 20000] [--skip-accumulator]

Writes RUNS x TAGS x STEPS scalar events (2.56M by default, one event per tag and step, with
our fast generator bench/eventgen.py) into a temporary logdir, then measures:

* board: seconds from starting `python -m board --logdir ... --reload-interval 0` until every
  series has been served in full (all STEPS points), once through board's columnar
  `/data/scalars/series` and once through TensorBoard's `/data/plugin/scalars/scalars`, and the
  server's peak RSS (VmHWM). CRCs are checked (always). The target (1.4 s) is on the median of
  each route.
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (immune to other load on the machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
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


def count_points(body: bytes, columnar: bool) -> tuple[int, int]:
    """(number of points, last step) of a response, without building Python objects per point."""
    if columnar:
        start = body.index(b'"steps":[') + 9
        end = body.index(b"]", start)
        steps = body[start:end]
        if not steps:
            return 0, -1
        return steps.count(b",") + 1, int(steps[steps.rfind(b",") + 1:])
    if body == b"[]":
        return 0, -1
    last = body[body.rfind(b"[") + 1:].split(b",")
    return body.count(b"],[") + 1, int(float(last[1]))


def serve_all(port: int, runs: list[str], tags: list[str], steps: int, full: bool, timeout: float,
              route: str = "/data/plugin/scalars/scalars") -> float:
    """Polls until every series is served; returns the monotonic time it finished."""
    from urllib.parse import quote

    columnar = route == "/data/scalars/series"
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
            path = f"{route}?run={quote(run)}&tag={quote(tag)}"
            if columnar:
                path += f"&points={steps}"
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{run}/{tag} never complete")
                body = get(conn, path)
                if body:
                    count, last_step = count_points(body, columnar)
                    if (count == steps) if full else (last_step == steps - 1):
                        break
                time.sleep(0.02)  # not complete yet: ask again a little later
    return time.monotonic()


def bench_board(logdir: Path, runs, tags, steps, route: str, timeout: float = 120) -> dict:
    port = free_port()
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "board", "--logdir", str(logdir), "--port", str(port), "--host", "127.0.0.1",
         "--reload-interval", "0"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        done = serve_all(port, runs, tags, steps, full=True, timeout=timeout, route=route)
        rss = peak_rss_mib(process.pid)
        cpu = cpu_seconds(process.pid)
        latency = {
            "rows": measure_latency(process.pid, port, runs, tags, "/data/plugin/scalars/scalars"),
            "chart": measure_latency(process.pid, port, runs, tags, "/data/scalars/series", "&points=1000"),
        }
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    return {"seconds": done - began, "rss_mib": rss, "cpu": cpu, "latency": latency,
            "log": err.strip().splitlines()}


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
        cpu = cpu_seconds(process.pid)
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                                  text=True).stdout.split()
        rss_children = sum(peak_rss_mib(int(pid)) for pid in children)
        cpu += sum(cpu_seconds(int(pid)) for pid in children)
    except TimeoutError:
        return None
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return {"seconds": done - began, "rss_mib": rss + rss_children, "cpu": cpu}


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
cpu = time.process_time()
rss = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0] / 1024
print(json.dumps({"seconds": seconds, "rss_mib": rss, "points": total, "cpu": cpu}))
"""


def bench_accumulator(logdir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", ACCUMULATOR, str(logdir)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def measure_latency(pid: int, port: int, runs, tags, route: str, extra: str = "") -> dict:
    """Latency of one full-series request against the running server: wall time per request
    (median, p90), and the server's CPU time per request (immune to other load)."""
    from urllib.parse import quote

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    paths = [f"{route}?run={quote(r)}&tag={quote(t)}{extra}" for r in runs for t in tags[:4]]
    get(conn, paths[0])  # warm the connection
    walls = []
    cpu = cpu_seconds(pid)
    for path in paths:
        began = time.perf_counter()
        assert get(conn, path) is not None
        walls.append(time.perf_counter() - began)
    cpu = (cpu_seconds(pid) - cpu) / len(paths)
    walls.sort()
    return {"median_ms": statistics.median(walls) * 1e3, "p90_ms": walls[int(0.9 * (len(walls) - 1))] * 1e3,
            "cpu_ms": cpu * 1e3}


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

        routes = {"/data/scalars/series": "board's chart route, all points",
                  "/data/plugin/scalars/scalars": "TensorBoard's route, all points"}
        bests, medians = {}, {}
        for route, label in routes.items():
            boards = [bench_board(logdir, runs, tags, args.steps, route) for _ in range(args.repeat)]
            bests[route] = min(boards, key=lambda b: b["seconds"])
            median = medians[route] = statistics.median(b["seconds"] for b in boards)
            print(f"board: every series served in full ({label}) after {bests[route]['seconds']:.2f} s "
                  f"(median of {len(boards)}: {median:.2f} s), peak RSS {bests[route]['rss_mib']:.0f} MiB, "
                  f"{bests[route]['cpu']:.2f} CPU-s in the server")
            for line in bests[route]["log"][-1:]:
                print("        " + line)
        best = bests["/data/scalars/series"]
        results = {}
        if not args.skip_tensorboard:
            tb = bench_tensorboard(logdir, runs, tags, args.steps)
            if tb is None:
                print("tensorboard --load_fast=true: did not start or serve here")
            else:
                results["tensorboard --load_fast=true"] = tb
                print(f"tensorboard --load_fast=true: every series served (1,000 sampled points each) after "
                      f"{tb['seconds']:.2f} s, peak RSS {tb['rss_mib']:.0f} MiB (server + data server), "
                      f"{tb['cpu']:.2f} CPU-s")
        if not args.skip_accumulator:
            acc = bench_accumulator(logdir)
            results["EventAccumulator"] = acc
            print(f"EventAccumulator (keeps all {acc['points']:,} points): {acc['seconds']:.2f} s, "
                  f"peak RSS {acc['rss_mib']:.0f} MiB, {acc['cpu']:.2f} CPU-s")
        for name, other in results.items():
            for route, mine in bests.items():
                print(f"ratio vs {name} (board via {route}): {other['seconds'] / mine['seconds']:.1f}x "
                      f"faster, {other['cpu'] / mine['cpu']:.1f}x less CPU, "
                      f"{mine['rss_mib'] / other['rss_mib']:.2f}x its peak RSS")
        rows, chart = best["latency"]["rows"], best["latency"]["chart"]
        # nothing is cached between requests: each one reads and encodes the whole series
        print(f"/data/plugin/scalars/scalars, {args.steps:,}-point series over HTTP: median "
              f"{rows['median_ms']:.1f} ms (p90 {rows['p90_ms']:.1f} ms, "
              f"{rows['cpu_ms']:.1f} CPU-ms in the server); /data/scalars/series (1,000 points): "
              f"median {chart['median_ms']:.1f} ms ({chart['cpu_ms']:.1f} CPU-ms)")
        slow = [route for route in routes if medians[route] > 1.4]
        print(f"targets: median <= 1.4 s ({'MISSED by ' + ' and '.join(slow) if slow else 'met'}), "
              f"<= 150 MiB ({'met' if max(b['rss_mib'] for b in bests.values()) <= 150 else 'MISSED'}), "
              f"< 20 ms ({'met' if rows['median_ms'] < 20 else 'MISSED'})")
        load = os.getloadavg()[0]
        if load > (os.cpu_count() or 1):
            print(f"note: the machine was busy (load average {load:.1f} on {os.cpu_count()} cores): "
                  "wall times are inflated; the CPU-s figures are not")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
