"""board at 10x the perf logdir: the load curve (events -> seconds, peak RSS) from 0.256M to 25.6M
scalar events, and the latency of one full-series request at each size.

    python bench/load_scale.py [--rounds 3] [--skip-curve]

Writes 80 runs x 16 tags x 20,000 steps (25.6M events, ~1.4 GB; bench/eventgen.py) once, and
smaller logdirs of symlinks to the first N of those files (N = 8 is the perf logdir of
bench/load_logdir.py, the baseline), plus one 16,000-step run (0.256M). Each size is served by a
fresh `python -m board --logdir ... --reload-interval 0` (bench/load_logdir.py's bench_board):
seconds from start until every series is served in full through `/data/scalars/series` (and the
server's CPU seconds by then, which other load on the machine does not inflate), the server's peak
RSS (VmHWM), and per-request latency (median, p90 wall; server CPU) of a full
20,000-point series through `/data/plugin/scalars/scalars` ("rows") and of the 1,000-point chart
series ("chart"). Then `--rounds` rounds alternate the baseline (2.56M) and 10x (25.6M) and print
the median of the per-round ratios of seconds and RSS. Targets at 10x: <= 1024 MiB RSS, < 50 ms
per series request. The load average is printed with each line (2 shared cores).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eventgen
from load_logdir import bench_board

TAGS = [f"metrics/series_{t:02d}" for t in range(16)]
STEPS = 20_000


def linked_logdir(workdir: Path, full: Path, runs: int) -> Path:
    """A logdir of `runs` run folders whose event files are symlinks into the full logdir."""
    logdir = workdir / f"runs{runs}"
    if not logdir.exists():
        for run in sorted(full.iterdir())[:runs]:
            (logdir / run.name).mkdir(parents=True)
            for file in run.iterdir():
                (logdir / run.name / file.name).symlink_to(file)
    return logdir


def measure(logdir: Path, runs: int, steps: int) -> dict:
    names = [f"run_{r:02d}" for r in range(runs)]
    result = bench_board(logdir, names, TAGS, steps, "/data/scalars/series", timeout=900)
    result["events"] = runs * len(TAGS) * steps
    result["load"] = os.getloadavg()[0]
    return result


def line(result: dict) -> str:
    rows, chart = result["latency"]["rows"], result["latency"]["chart"]
    return (f"{result['events'] / 1e6:6.2f}M events  {result['seconds']:7.2f} s "
            f"(cpu {result['cpu']:6.2f} s)  "
            f"{result['rss_mib']:7.1f} MiB  "
            f"{result['events'] / result['seconds'] / 1e6:5.2f}M ev/s  rows {rows['median_ms']:5.1f} ms "
            f"(p90 {rows['p90_ms']:5.1f}, cpu {rows['cpu_ms']:5.1f})  chart {chart['median_ms']:5.1f} ms  "
            f"load {result['load']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating baseline / 10x rounds")
    parser.add_argument("--skip-curve", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="board-scale-"))
    try:
        began = time.monotonic()
        full = workdir / "full"
        size = eventgen.generate(full, 80, len(TAGS), STEPS)
        small = workdir / "small"
        eventgen.generate(small, 1, len(TAGS), 16_000)
        print(f"wrote {size / 2**20:.0f} MiB (25.6M events) in {time.monotonic() - began:.1f} s", flush=True)
        if not args.skip_curve:
            print("curve (one fresh server per size):", flush=True)
            print(line(measure(small, 1, 16_000)), flush=True)
            for runs in (8, 20, 40, 80):
                print(line(measure(linked_logdir(workdir, full, runs), runs, STEPS)), flush=True)
        base_dir, big_dir = linked_logdir(workdir, full, 8), linked_logdir(workdir, full, 80)
        time_ratios, rss_ratios = [], []
        for round_ in range(args.rounds):
            base, big = measure(base_dir, 8, STEPS), measure(big_dir, 80, STEPS)
            time_ratios.append(big["cpu"] / base["cpu"])
            rss_ratios.append(big["rss_mib"] / base["rss_mib"])
            print(f"round {round_ + 1}: baseline {line(base)}\n         10x      {line(big)}", flush=True)
        if time_ratios:
            print("10x / baseline (median of per-round ratios): "
                  f"server CPU seconds {statistics.median(time_ratios):.2f}x, "
                  f"peak RSS {statistics.median(rss_ratios):.2f}x, load {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
