"""board's loader on the perf logdir from an S3 server on loopback against the same files on local disk.

    python bench/load_remote.py [--runs 8 --tags 16 --steps 20000] [--rounds 5]

Writes RUNS x TAGS x STEPS scalar events (bench/eventgen.py) into a temporary folder, starts moto's
S3 server (`moto_server`, from the test extra) in its own process on 127.0.0.1, uploads the same
files into a bucket, then times a full first load (`Loader.reload()`, every point kept) of
``s3://bucket`` and of the local folder, alternately, in fresh loaders. Prints the median of the
per-round ratios (s3 / local) with the load average; the target of issue 25 is within 3x.
"""

from __future__ import annotations

import argparse
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
from load_logdir import free_port  # noqa: E402

from board.data.loader import Loader  # noqa: E402


def wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"moto_server did not start on port {port}")


def start_moto():
    """moto's S3 server in its own process on 127.0.0.1, s3fs pointed at it through fsspec's config
    and fake credentials in the environment; returns (process, port, a boto3 client of it). The caller
    waits with `wait_listening` before using the client, and terminates the process."""
    import boto3
    import fsspec.config

    port = free_port()
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ.setdefault(name, value)
    fsspec.config.conf["s3"] = {"endpoint_url": f"http://127.0.0.1:{port}"}
    moto = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1",
                             "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return moto, port, boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}")


def timed_load(logdir: str, expected_points: int) -> float:
    loader = Loader(logdir)
    began = time.perf_counter()
    loader.reload()
    seconds = time.perf_counter() - began
    points = sum(len(series) for run in loader.run_list() for series in run.scalars.values())
    if points != expected_points:
        raise SystemExit(f"{logdir}: loaded {points} points, expected {expected_points}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--tags", type=int, default=16)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    moto, port, client = start_moto()
    tmp = Path(tempfile.mkdtemp(prefix="board-remote-bench-"))
    try:
        size = eventgen.generate(tmp, args.runs, args.tags, args.steps)
        wait_listening(port)
        client.create_bucket(Bucket="perf")
        for path in sorted(tmp.rglob("*tfevents*")):
            client.upload_file(str(path), "perf", path.relative_to(tmp).as_posix())
        expected = args.runs * args.tags * args.steps
        print(f"logdir: {args.runs} runs x {args.tags} tags x {args.steps} steps = {expected:,} events, "
              f"{size / 2**20:.0f} MiB; moto_server on 127.0.0.1:{port}")
        timed_load("s3://perf", expected)  # warm both: imports, the s3fs session, the page cache
        timed_load(str(tmp), expected)
        local, remote, ratios = [], [], []
        for _ in range(args.rounds):
            first_local = len(ratios) % 2 == 0  # alternate which goes first
            order = [str(tmp), "s3://perf"] if first_local else ["s3://perf", str(tmp)]
            times = {where: timed_load(where, expected) for where in order}
            local.append(times[str(tmp)])
            remote.append(times["s3://perf"])
            ratios.append(times["s3://perf"] / times[str(tmp)])
        print(f"local disk:      median {statistics.median(local):.2f} s (best {min(local):.2f})")
        print(f"s3 on loopback:  median {statistics.median(remote):.2f} s (best {min(remote):.2f})")
        print(f"s3 / local: {statistics.median(ratios):.2f}x (median of {args.rounds} per-round ratios; "
              f"target <= 3x); load average {os.getloadavg()[0]:.2f}")
    finally:
        moto.terminate()
        moto.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
