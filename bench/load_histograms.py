"""Loading a logdir with histograms costs little more than loading its scalars alone.

    python bench/load_histograms.py [--rounds 5] [--runs 8 --tags 16 --steps 20000]
                                    [--histogram-tags 128 --histogram-steps 500 --buckets 30]

Builds bench/load_logdir.py's logdir (RUNS x TAGS x STEPS scalar events, bench/eventgen.py) twice:
once as is (the baseline), once with HISTOGRAM_TAGS more histogram tags spread over the runs,
each written at HISTOGRAM_STEPS steps in its own event file (TF1 HistogramProto with BUCKETS
non-empty buckets, one Event per tag and step, as Keras and tf.summary write them). Each round
loads both logdirs (in alternating order) with a fresh `LogdirProvider.reload()` in this process
and times it; prints the medians, the median of the per-round ratios and the load average.
Target: ratio <= 1.5. Also times the first /data/plugin/histograms/histograms answer.
Each load is timed twice: wall-clock seconds, and the CPU seconds of this process (the loader is one
thread), whose ratio holds when other work crowds the machine and stretches the wall clock.

With `--baseline CHECKOUT` (another checkout of this project), each round also loads both logdirs
with that checkout's board, each load in a fresh process of either tree (alternating which goes
first), and prints the median per-round ratios of ours to the baseline's.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
import numpy as np  # noqa: E402

from board.data.provider import LogdirProvider  # noqa: E402
from engine.io.tfrecord import encode_record  # noqa: E402
from engine.proto import event_pb2, summary_pb2  # noqa: E402


def write_histograms(folder: Path, tags: list[str], steps: int, buckets: int) -> int:
    """One event file of `tags` x `steps` histogram events; returns its size."""
    rng = np.random.default_rng(len(tags))
    limits = np.cumsum(np.full(buckets, 0.1)) - 1.5
    records = [encode_record(event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2")
                             .SerializeToString())]
    for step in range(steps):
        for tag in tags:
            counts = rng.integers(1, 100, buckets).astype(float)
            histo = summary_pb2.HistogramProto(min=-1.5, max=float(limits[-1]), num=float(counts.sum()),
                                               sum=1.0, sum_squares=2.0, bucket_limit=limits.tolist(),
                                               bucket=counts.tolist())
            event = event_pb2.Event(wall_time=1.7e9 + step, step=step, summary=summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag=tag, histo=histo)]))
            records.append(encode_record(event.SerializeToString()))
    data = b"".join(records)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "events.out.tfevents.1700000001.histograms").write_bytes(data)
    return len(data)


def load_seconds(logdir: Path) -> tuple[float, float, LogdirProvider]:
    """(wall-clock seconds, CPU seconds, the provider) of one fresh load of `logdir`."""
    provider = LogdirProvider(logdir, reload_interval=0)
    began, began_cpu = time.perf_counter(), time.process_time()
    provider.reload()
    return time.perf_counter() - began, time.process_time() - began_cpu, provider


# Seconds of one fresh LogdirProvider.reload() of sys.argv[1], with whichever board PYTHONPATH names.
LOAD_ONCE = """
import sys, time
from board.data.provider import LogdirProvider
provider = LogdirProvider(sys.argv[1], reload_interval=0)
began = time.perf_counter()
provider.reload()
print(time.perf_counter() - began)
"""


def load_seconds_in(tree: Path, logdir: Path) -> float:
    """`load_seconds` in a process of its own running the checkout `tree`'s board."""
    out = subprocess.run([sys.executable, "-c", LOAD_ONCE, str(logdir)], capture_output=True, text=True,
                         check=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)})
    return float(out.stdout.split()[-1])


def compare(baseline: Path, scalars: Path, both: Path, rounds: int) -> None:
    """Per round, each logdir loaded by each tree (fresh processes, alternating order); prints the
    medians of the per-round ratios: ours / baseline for the histogram logdir and for the
    histograms' share (with histograms minus scalars only)."""
    totals, extras, own_ratios, base_ratios = [], [], [], []
    for round_ in range(rounds):
        trees = [("ours", ROOT), ("baseline", baseline)]
        if round_ % 2:
            trees.reverse()
        took = {(name, kind): load_seconds_in(tree, logdir)
                for name, tree in trees for kind, logdir in (("scalars", scalars), ("both", both))}
        extra = {name: took[name, "both"] - took[name, "scalars"] for name, _ in trees}
        totals.append(took["ours", "both"] / took["baseline", "both"])
        extras.append(extra["ours"] / max(extra["baseline"], 1e-3))
        own_ratios.append(took["ours", "both"] / took["ours", "scalars"])
        base_ratios.append(took["baseline", "both"] / took["baseline", "scalars"])
        print(f"  round {round_ + 1}: "
              + ", ".join(f"{name} {kind} {t:.3f} s" for (name, kind), t in took.items()))
    print(f"baseline {baseline}: with histograms / scalars only, median: ours "
          f"{statistics.median(own_ratios):.2f}, baseline {statistics.median(base_ratios):.2f}; ours / "
          f"baseline, median of rounds: load with histograms {statistics.median(totals):.2f}, the "
          f"histograms' extra time {statistics.median(extras):.2f}; load average {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--tags", type=int, default=16)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--histogram-tags", type=int, default=128)
    parser.add_argument("--histogram-steps", type=int, default=500)
    parser.add_argument("--buckets", type=int, default=30)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of this project to time alternately")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="board-bench-hist-"))
    try:
        scalars = work / "scalars"
        eventgen.generate(scalars, args.runs, args.tags, args.steps)
        both = work / "both"
        shutil.copytree(scalars, both)
        runs = sorted(p.name for p in both.iterdir())
        per_run = -(-args.histogram_tags // len(runs))
        written = 0
        for i, run in enumerate(runs):
            last = min((i + 1) * per_run, args.histogram_tags)
            tags = [f"layer{k}/weights" for k in range(i * per_run, last)]
            written += write_histograms(both / run, tags, args.histogram_steps, args.buckets)
        print(f"logdir: {args.runs * args.tags * args.steps:,} scalar events; plus {args.histogram_tags} "
              f"histogram tags x {args.histogram_steps} steps ({written / 2**20:.1f} MiB)")

        if args.baseline:
            compare(args.baseline.resolve(), scalars, both, args.rounds)
            return
        base_times, hist_times, ratios, cpu_ratios = [], [], [], []
        for round_ in range(args.rounds):
            order = [("scalars", scalars), ("both", both)]
            if round_ % 2:
                order.reverse()
            took, cpu = {}, {}
            for name, logdir in order:
                took[name], cpu[name], provider = load_seconds(logdir)
            base_times.append(took["scalars"])
            hist_times.append(took["both"])
            ratios.append(took["both"] / took["scalars"])
            cpu_ratios.append(cpu["both"] / cpu["scalars"])
            print(f"  round {round_ + 1}: scalars only {took['scalars']:.3f} s ({cpu['scalars']:.3f} s CPU), "
                  f"with histograms {took['both']:.3f} s ({cpu['both']:.3f} s CPU), ratio {ratios[-1]:.2f} "
                  f"(CPU {cpu_ratios[-1]:.2f})")
        print(f"median: scalars only {statistics.median(base_times):.3f} s, with histograms "
              f"{statistics.median(hist_times):.3f} s; median ratio {statistics.median(ratios):.2f}, of CPU "
              f"seconds {statistics.median(cpu_ratios):.2f} (target <= 1.5); load average "
              f"{os.getloadavg()[0]:.2f}")

        from fastapi.testclient import TestClient

        from board import create_app

        client = TestClient(create_app(both, reload_interval=0, provider=provider))
        began = time.perf_counter()
        body = client.get("/data/plugin/histograms/histograms",
                          params={"run": runs[0], "tag": "layer0/weights", "samples": 0}).content
        print(f"every step of one histogram tag ({args.histogram_steps} steps, {len(body) / 1024:.0f} kB "
              f"JSON): {(time.perf_counter() - began) * 1000:.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
