"""What board keeps of one run: every scalar point in growable numpy columns, plus the rest.

Points arrive in batches (one per chunk of an event file); a series keeps the batches in a list
and joins them into one array the first time someone reads the series, so loading never copies
the history again and again. Reads and writes of one run go through the run's lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from board.data.summaries import SummaryIndex


class Series:
    """Scalar points of one (run, tag): step int64, wall_time float64, value float32 or float64.

    Columns live in arrays with spare capacity; the loader says how many more points it expects
    (from the bytes left in the file), so a big file's series is allocated about once instead
    of growing piece by piece. `arrays()` hands out views of the filled part: appends only write
    past it, and purging or thinning builds new arrays, so a view never changes.
    """

    __slots__ = ("_steps", "_walls", "_values", "_size", "cap", "thinned")

    def __init__(self, cap: int):
        self._steps = np.zeros(0, dtype=np.int64)
        self._walls = np.zeros(0, dtype=np.float64)
        self._values = np.zeros(0, dtype=np.float32)
        self._size = 0
        self.cap = cap
        self.thinned = False  # True once the cap forced dropping points

    def append(self, steps: np.ndarray, walls: np.ndarray, values: np.ndarray, expect_more: int = 0) -> None:
        """Adds points; `expect_more` is how many more are likely to follow soon."""
        count = len(steps)
        if count == 0:
            return
        size = self._size
        value_type = np.result_type(self._values.dtype, values.dtype)
        if size + count > len(self._steps) or value_type != self._values.dtype:
            capacity = max(size + count + max(expect_more, 0), int(len(self._steps) * 1.5), 16)
            self._grow(min(capacity, self.cap + count), value_type)
        self._steps[size : size + count] = steps
        self._walls[size : size + count] = walls
        self._values[size : size + count] = values
        self._size = size + count
        if self._size > self.cap:
            self._thin()

    def _grow(self, capacity: int, value_type) -> None:
        size = self._size
        steps = np.empty(capacity, dtype=np.int64)
        walls = np.empty(capacity, dtype=np.float64)
        values = np.empty(capacity, dtype=value_type)
        steps[:size] = self._steps[:size]
        walls[:size] = self._walls[:size]
        values[:size] = self._values[:size]
        self._steps, self._walls, self._values = steps, walls, values

    def _replace(self, keep) -> None:
        """New arrays holding only the points selected by `keep` (old views stay valid)."""
        self._steps = self._steps[: self._size][keep]
        self._walls = self._walls[: self._size][keep]
        self._values = self._values[: self._size][keep]
        self._size = len(self._steps)

    def _thin(self) -> None:
        """Over the cap: keep every other point of the older half, always the newest points."""
        while self._size > self.cap:
            half = self._size // 2
            self._replace(np.concatenate([np.arange(0, half, 2), np.arange(half, self._size)]))
            self.thinned = True

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        size = self._size
        return self._steps[:size], self._walls[:size], self._values[:size]

    def __len__(self) -> int:
        return self._size

    def purge_from(self, step: int) -> int:
        """Drops points with step >= `step`; returns how many were dropped."""
        keep = self._steps[: self._size] < step
        dropped = int(self._size - keep.sum())
        if dropped:
            self._replace(keep)
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
    # histograms, images, audio, text and other plugins' tags: where each event is in its file
    summaries: SummaryIndex = field(default_factory=SummaryIndex)
    tag_meta: dict[str, TagMeta] = field(default_factory=dict)
    graph_def: bytes | None = None
    meta_graph_def: bytes | None = None
    run_metadata: dict[str, bytes] = field(default_factory=dict)  # tagged_run_metadata by tag
    run_metadata_graphs: dict[str, bool] = field(default_factory=dict)  # ...whether it holds graphs
    start_time: float | None = None  # wall_time of the first event
    file_version: float | None = None
    most_recent_step: int = -1
    purged_points: int = 0
    version: int = 0  # bumped whenever data changes
    expect_ratio: float = 0.0  # while loading a file: bytes still to read / bytes just read

    def series(self, tag: str) -> Series:
        series = self.scalars.get(tag)
        if series is None:
            series = self.scalars[tag] = Series(self.max_points)
            self.tag_meta.setdefault(tag, TagMeta("scalars"))
        return series

    def purge(self, step: int, tags: list[str] | None = None) -> int:
        """Drops every point (scalars and other summaries) at or after `step`, of `tags` or of all."""
        dropped = 0
        names = list(self.scalars) if tags is None else [t for t in tags if t in self.scalars]
        for tag in names:
            dropped += self.scalars[tag].purge_from(step)
        dropped += self.summaries.purge(step, tags)
        self.purged_points += dropped
        return dropped
