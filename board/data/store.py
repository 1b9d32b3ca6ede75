"""What board keeps of one run: every scalar point in growable numpy columns, plus the rest.

Points arrive in batches (one per chunk of an event file); a series keeps the batches in a list
and joins them into one array the first time someone reads the series, so loading never copies
the history again and again. Reads and writes of one run go through the run's lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Histogram:
    """One histogram event: TF1 ``HistogramProto`` or a TF2 ``[k, 3]`` tensor, as bucket arrays."""

    step: int
    wall_time: float
    # TF2 layout: rows of (left edge, right edge, count)
    buckets: np.ndarray
    # TF1 extras when present (min, max, num, sum, sum_squares)
    stats: dict[str, float] | None = None


class Series:
    """Scalar points of one (run, tag): step int64, wall_time float64, value float32 or float64."""

    __slots__ = ("_parts", "_steps", "_walls", "_values", "cap", "thinned")

    def __init__(self, cap: int):
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._steps = np.zeros(0, dtype=np.int64)
        self._walls = np.zeros(0, dtype=np.float64)
        self._values = np.zeros(0, dtype=np.float32)
        self.cap = cap
        self.thinned = False  # True once the cap forced dropping points

    def append(self, steps: np.ndarray, walls: np.ndarray, values: np.ndarray) -> None:
        if len(steps):
            self._parts.append((steps, walls, values))

    def _join(self) -> None:
        if not self._parts:
            return
        parts = [(self._steps, self._walls, self._values), *self._parts]
        self._parts = []
        value_type = np.result_type(*(p[2].dtype for p in parts))
        self._steps = np.concatenate([p[0] for p in parts]).astype(np.int64, copy=False)
        self._walls = np.concatenate([p[1] for p in parts]).astype(np.float64, copy=False)
        self._values = np.concatenate([p[2].astype(value_type, copy=False) for p in parts])
        if len(self._steps) > self.cap:
            self._thin()

    def _thin(self) -> None:
        """Over the cap: keep every other point of the older half, always the newest points."""
        while len(self._steps) > self.cap:
            half = len(self._steps) // 2
            keep = np.concatenate([np.arange(0, half, 2), np.arange(half, len(self._steps))])
            self._steps, self._walls, self._values = (
                self._steps[keep], self._walls[keep], self._values[keep])
            self.thinned = True

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._join()
        return self._steps, self._walls, self._values

    def __len__(self) -> int:
        return len(self._steps) + sum(len(p[0]) for p in self._parts)

    def purge_from(self, step: int) -> int:
        """Drops points with step >= `step`; returns how many were dropped."""
        self._join()
        keep = self._steps < step
        dropped = int(len(keep) - keep.sum())
        if dropped:
            self._steps, self._walls, self._values = (
                self._steps[keep], self._walls[keep], self._values[keep])
        return dropped


@dataclass
class TagMeta:
    plugin: str  # "scalars", "histograms", "images", "audio", "text", or another plugin's name
    display_name: str = ""
    description: str = ""


@dataclass
class RunData:
    """Everything read so far from one run's event files."""

    name: str
    max_points: int
    lock: threading.RLock = field(default_factory=threading.RLock)
    scalars: dict[str, Series] = field(default_factory=dict)
    histograms: dict[str, list[Histogram]] = field(default_factory=dict)
    # tags of other plugins (images, audio, text, ...) with their event counts
    others: dict[str, int] = field(default_factory=dict)
    tag_meta: dict[str, TagMeta] = field(default_factory=dict)
    graph_def: bytes | None = None
    meta_graph_def: bytes | None = None
    run_metadata: dict[str, bytes] = field(default_factory=dict)  # tagged_run_metadata by tag
    start_time: float | None = None  # wall_time of the first event
    file_version: float | None = None
    most_recent_step: int = -1
    purged_points: int = 0
    version: int = 0  # bumped whenever data changes

    def series(self, tag: str) -> Series:
        series = self.scalars.get(tag)
        if series is None:
            series = self.scalars[tag] = Series(self.max_points)
            self.tag_meta.setdefault(tag, TagMeta("scalars"))
        return series

    def purge(self, step: int, tags: list[str] | None = None) -> int:
        """Drops every point (scalars and histograms) at or after `step`, of `tags` or of all."""
        dropped = 0
        names = list(self.scalars) if tags is None else [t for t in tags if t in self.scalars]
        for tag in names:
            dropped += self.scalars[tag].purge_from(step)
        names = list(self.histograms) if tags is None else [t for t in tags if t in self.histograms]
        for tag in names:
            before = len(self.histograms[tag])
            self.histograms[tag] = [h for h in self.histograms[tag] if h.step < step]
            dropped += before - len(self.histograms[tag])
        self.purged_points += dropped
        return dropped
