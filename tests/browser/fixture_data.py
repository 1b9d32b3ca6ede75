"""Expected scalars of the real logdirs in ../shared/fixtures/real (from their CSVs)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from ..conftest import REAL_FIXTURES as FIXTURES

# name -> (logdir, expected CSV, column holding the run name or None for the logdir itself ".")
LOGDIRS = {
    "tf1_mlp": ("tf1_mlp/logs", "tf1_mlp/loss.csv", None),
    "tf2_summaries": ("tf2_summaries/logdir", "tf2_summaries/expected_scalars.csv", "run"),
    "tensorboardx": ("tensorboardx/logdir", "tensorboardx/expected_scalars.csv", "folder"),
    "torch_tb": ("torch_tb/logdir", "torch_tb/expected_scalars.csv", None),
}


def logdir(name: str) -> Path:
    return FIXTURES / LOGDIRS[name][0]


def expected_series(name: str) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """{(run, tag): [(step, value), ...]} in step order."""
    _, csv_name, run_column = LOGDIRS[name]
    series: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    with open(FIXTURES / csv_name, newline="") as f:
        for row in csv.DictReader(f):
            run = row[run_column] if run_column else "."
            tag = row.get("tag", "loss")
            value = float(row["value"] if "value" in row else row["loss"])
            series[(run, tag)].append((int(row["step"]), value))
    return {key: sorted(points) for key, points in series.items()}
