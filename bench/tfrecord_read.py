"""Records/s of engine.io.tfrecord's reader against a bare struct loop and the `cat` floor.

All three read the same generated file of scalar events in one run; each is timed `--repeat`
times and the median is reported, with ratios against the bare loop (same work: framing + both
CRCs) and against `cat` (the disk/page-cache floor, no parsing at all).
"""

import argparse
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.io.tfrecord import TFRecordReader
from engine.proto import event_pb2, summary_pb2
from tfformat.records import encode_record, masked_crc32c


def make_file(path: Path, count: int) -> None:
    with open(path, "wb") as f:
        chunk = []
        for step in range(count):
            event = event_pb2.Event(wall_time=1.7e9 + step, step=step, summary=summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (step + 1))]))
            chunk.append(encode_record(event.SerializeToString()))
            if len(chunk) == 10000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))


def read_ours(path: Path) -> int:
    return sum(1 for _ in TFRecordReader(path).records())


def read_bare_loop(path: Path) -> int:
    """The obvious hand-written reader: whole file in memory, struct + CRC per record."""
    data = Path(path).read_bytes()
    unpack_q, unpack_i = struct.Struct("<Q").unpack_from, struct.Struct("<I").unpack_from
    pos, n = 0, 0
    while pos < len(data):
        (length,) = unpack_q(data, pos)
        if masked_crc32c(data[pos:pos + 8]) != unpack_i(data, pos + 8)[0]:
            raise ValueError("bad length crc")
        body = data[pos + 12:pos + 12 + length]
        if masked_crc32c(body) != unpack_i(data, pos + 12 + length)[0]:
            raise ValueError("bad data crc")
        pos += 16 + length
        n += 1
    return n


def read_cat(path: Path) -> int:
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
    return 0


def median_seconds(fn, path, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.out.tfevents.bench"
        make_file(path, args.records)
        size_mb = path.stat().st_size / 1e6
        assert read_ours(path) == read_bare_loop(path) == args.records
        results = {name: median_seconds(fn, path, args.repeat) for name, fn in
                   (("engine TFRecordReader", read_ours), ("bare struct loop", read_bare_loop),
                    ("cat (floor)", read_cat))}
    print(f"{args.records:,} records, {size_mb:.1f} MB, median of {args.repeat}")
    base = results["bare struct loop"]
    for name, seconds in results.items():
        rate = args.records / seconds
        print(f"  {name:24s} {seconds * 1e3:8.1f} ms  {rate / 1e6:7.2f} M records/s  "
              f"{size_mb / seconds:8.0f} MB/s  time vs bare loop {seconds / base:5.2f}x")


if __name__ == "__main__":
    main()
