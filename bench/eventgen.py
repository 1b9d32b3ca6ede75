"""Fast writer of big scalar-only event files for benchmarks (numpy, one pass per record shape).

Each run gets one file: the `file_version` record, then for every step one `simple_value` Event
per tag (`wall_time`, `step`, `summary { value { tag simple_value } }`), framed as TFRecord with
masked CRC32C. The bytes are exactly what a protobuf writer produces for the same Events
(checked by tests/board/test_eventgen.py against engine.proto).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.proto import event_pb2
from tfformat.crc_tables import crc32c_ranges
from tfformat.records import HEADER_SIZE, encode_record, encode_varint, mask_array


def series_value(run: int, tag: int, steps: np.ndarray) -> np.ndarray:
    """Deterministic float32 values with noise and occasional spikes."""
    rng = np.random.default_rng(run * 1000 + tag)
    base = 2.0 * np.exp(-steps / (2000.0 + 300 * tag)) + 0.05 * rng.random(len(steps))
    spikes = rng.random(len(steps)) < 0.001
    base[spikes] += 5.0
    return base.astype(np.float32)


def write_run(path: Path, run: int, tags: list[str], steps: int, start_time: float = 1.7e9) -> int:
    """Writes one event file; returns its size in bytes."""
    first = event_pb2.Event(wall_time=start_time, file_version="brain.Event:2").SerializeToString()
    step_values = np.arange(steps, dtype=np.int64)
    values = np.stack([series_value(run, t, step_values) for t in range(len(tags))], axis=1)
    wall = start_time + step_values[:, None] * 0.01 + np.arange(len(tags))[None, :] * 1e-5
    # group steps by the byte length of their varint (step 0 has no step field at all)
    bounds = [0, 1, 128, 1 << 14, 1 << 21, 1 << 28]
    pieces: list[bytes] = [encode_record(first)]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=False):
        if lo >= steps:
            break
        hi = min(hi, steps)
        block_steps = step_values[lo:hi]
        step_bytes = 0 if lo == 0 else len(encode_varint(lo))
        rows_per_step = []
        for t, tag in enumerate(tags):
            tag_bytes = tag.encode()
            value_body = b"\x0a" + encode_varint(len(tag_bytes)) + tag_bytes + b"\x15"
            value_len = len(value_body) + 4
            summary_body_len = 1 + len(encode_varint(value_len)) + value_len
            prefix_after_step = (
                b"\x2a" + encode_varint(summary_body_len) + b"\x0a" + encode_varint(value_len) + value_body
            )
            length = 9 + (1 + step_bytes if step_bytes else 0) + len(prefix_after_step) + 4
            row = np.zeros((len(block_steps), 16 + length), dtype=np.uint8)
            row[:, 0:HEADER_SIZE] = np.frombuffer(encode_record(bytes(length))[:HEADER_SIZE], dtype=np.uint8)
            col = 12
            row[:, col] = 0x09
            row[:, col + 1 : col + 9] = wall[lo:hi, t].astype("<f8").view(np.uint8).reshape(-1, 8)
            col += 9
            if step_bytes:
                row[:, col] = 0x10
                col += 1
                s = block_steps.astype(np.uint64)
                for k in range(step_bytes):
                    byte = (s >> np.uint64(7 * k)) & np.uint64(0x7F)
                    if k < step_bytes - 1:
                        byte |= np.uint64(0x80)
                    row[:, col + k] = byte.astype(np.uint8)
                col += step_bytes
            row[:, col : col + len(prefix_after_step)] = np.frombuffer(prefix_after_step, dtype=np.uint8)
            col += len(prefix_after_step)
            row[:, col : col + 4] = values[lo:hi, t].astype("<f4").view(np.uint8).reshape(-1, 4)
            flat = row.reshape(-1)
            data_starts = np.arange(len(block_steps)) * row.shape[1] + 12
            crcs = mask_array(crc32c_ranges(flat, data_starts, np.full(len(block_steps), length)))
            row[:, 12 + length :] = crcs.astype("<u4").view(np.uint8).reshape(-1, 4)
            rows_per_step.append(row)
        # interleave: for each step, every tag in order
        widths = [r.shape[1] for r in rows_per_step]
        block = np.concatenate(rows_per_step, axis=1)
        assert block.shape[1] == sum(widths)
        pieces.append(block.tobytes())
    data = b"".join(pieces)
    path.write_bytes(data)
    return len(data)


def generate(logdir: Path, runs: int = 8, tags: int = 16, steps: int = 20_000) -> int:
    """Writes `runs` run folders; returns the total size in bytes."""
    total = 0
    tag_names = [f"metrics/series_{t:02d}" for t in range(tags)]
    for r in range(runs):
        folder = Path(logdir) / f"run_{r:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        total += write_run(folder / f"events.out.tfevents.{1700000000 + r}.bench", r, tag_names, steps)
    return total
