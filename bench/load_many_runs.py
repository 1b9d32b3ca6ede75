"""Many small runs: how long board's loader takes for N runs of one small event file each, and what a
reload that finds nothing new costs (discovery: listing the logdir and checking every file's size).

    python bench/load_many_runs.py [--runs 10000 --steps 10 --reloads 5] [--s3]

Issue 25's target: 10,000 runs x 1 small file load in < 10 s. With ``--s3`` the same logdir is also
uploaded to moto's S3 server (its own process, 127.0.0.1) and loaded through s3fs, where discovery is
one recursive listing (ListObjectsV2 pages of 1,000 keys). Prints seconds per first load and the
median seconds per no-change reload, with the load average.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_remote import start_moto, wait_listening  # noqa: E402

from board.data.loader import Loader  # noqa: E402
from engine.proto import event_pb2, summary_pb2  # noqa: E402
from tfformat.records import encode_record  # noqa: E402


def small_file(steps: int) -> bytes:
    events = [event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2")]
    events += [event_pb2.Event(wall_time=1.7e9 + s, step=s, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (s + 1))])) for s in range(steps)]
    return b"".join(encode_record(e.SerializeToString()) for e in events)


def measure(logdir: str, runs: int, steps: int, reloads: int) -> tuple[float, float]:
    loader = Loader(logdir)
    began = time.perf_counter()
    loader.reload()
    first = time.perf_counter() - began
    points = sum(len(s) for run in loader.run_list() for s in run.scalars.values())
    if len(loader.run_list()) != runs or points != runs * steps:
        raise SystemExit(f"{logdir}: {len(loader.run_list())} runs, {points} points; "
                         f"expected {runs} runs, {runs * steps} points")
    again = []
    for _ in range(reloads):
        began = time.perf_counter()
        loader.reload()
        again.append(time.perf_counter() - began)
    return first, statistics.median(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--reloads", type=int, default=5)
    parser.add_argument("--s3", action="store_true", help="also from moto's S3 server on loopback")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="board-many-runs-"))
    data = small_file(args.steps)
    moto = None
    try:
        for r in range(args.runs):
            folder = tmp / f"run{r:05d}"
            folder.mkdir()
            (folder / "events.out.tfevents.1700000000.bench").write_bytes(data)
        print(f"logdir: {args.runs:,} runs x 1 file of {args.steps} scalars ({len(data)} bytes)")
        first, again = measure(str(tmp), args.runs, args.steps, args.reloads)
        print(f"local disk: first load {first:.2f} s (target < 10 s); a reload with nothing new "
              f"{again * 1000:.0f} ms (median of {args.reloads}); load average {os.getloadavg()[0]:.2f}")
        if args.s3:
            moto, port, client = start_moto()
            wait_listening(port)
            client.create_bucket(Bucket="many")
            for r in range(args.runs):
                client.put_object(Bucket="many", Key=f"run{r:05d}/events.out.tfevents.1700000000.bench",
                                  Body=data)
            first, again = measure("s3://many", args.runs, args.steps, args.reloads)
            print(f"s3 on loopback: first load {first:.2f} s; a reload with nothing new "
                  f"{again * 1000:.0f} ms (median of {args.reloads}); load average {os.getloadavg()[0]:.2f}")
    finally:
        if moto is not None:
            moto.terminate()
            moto.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
