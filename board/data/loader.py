"""Incremental reading of a logdir: each file is read from where the last read stopped.

One `Loader.reload()` pass finds the runs (each is listed as soon as the walk finds it and its
files' first bytes check out, so routes list runs while a big logdir is still walked and read),
then reads the new bytes of every event file in chunks of 4 MB and takes each chunk through three
stages:

1. **frame**: split the chunk into records, checking their CRCs (tfformat/records.py has the layout);
2. **decode**: turn the records into scalar points and ``Event`` protobufs, in a `ChunkScan`;
3. **apply**: fold them into the run's `RunData` in record order (`Loader._apply`).

Stages 1 and 2 have two implementations that give the same `ChunkScan`: the plain path
(`board.data.plain`: one record at a time, protobuf for everything) and its accelerator
(`board.data.scan`: numpy over the whole chunk, protobuf only for what is not a plain scalar). The
loader uses the accelerator; ``Loader(accelerated=False)`` the plain path, and
tests/board/test_loader_paths.py holds them equal. Applying:

* a truncated last record is left for the next pass (the file offset stays at its start);
* a corrupt record is skipped and logged once with its file and byte offset;
* ``SessionLog.START`` purges the run's points at or after its step (see `_apply_barrier`);
* in files without ``file_version`` >= 2, a summary whose step goes backwards purges its tags'
  later points, as TensorBoard's ``purge_orphaned_data`` does;
* each Summary value goes to the handler of its kind (`board.data.events`, by value kind and plugin).

Runs are read one after the other, on one thread: the work is bound by the GIL (numpy calls on
MB-sized arrays mostly keep it), and reading two runs at once only added contention.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from board.data import plain
from board.data.scan import ChunkScan, scan_chunk
from board.data.sniff import Verdict
from board.data.storage import Store, open_logdir
from board.data.store import RunData
from board.data.summaries import index_recognized, recognize_histograms, reorder_chunk
from tfformat.records import FRAMING_SIZE, HEADER_SIZE

if TYPE_CHECKING:
    from board.data.events import ScalarRows

logger = logging.getLogger("board")

# Bytes read and decoded together. Each chunk pays fixed costs per tag it holds (a histogram tag's
# index columns are appended once per chunk): 4 MB chunks loaded bench/load_histograms.py's logdir at
# 1.27-1.31x its scalars-only time against 1.49-1.89x with 1 MB (load 4-5), scalars alone no slower.
CHUNK = 1 << 22
_PAD = 16  # zero bytes after each chunk, so 8-byte reads near its end stay in bounds


@dataclass
class FileState:
    path: Path | object  # the key its store gave it (board/data/storage.py): a Path for local files
    offset: int = 0
    records: int = 0
    corrupt_reported: set[int] = field(default_factory=set)
    unreadable: bool = False  # an open failure was logged (once)
    verdict: Verdict = Verdict.UNDECIDED  # what its first bytes say (board/data/sniff.py)


@dataclass
class Progress:
    """Counters of the loading so far (cumulative over passes)."""

    runs: int = 0
    files: int = 0
    records: int = 0
    bytes: int = 0
    pending_bytes: int = 0  # bytes known to be waiting in this pass
    seconds: float = 0.0
    passes: int = 0
    loading: bool = False


class Loader:
    """Reads a logdir into `RunData` objects, one pass per `reload()`; thread-safe.

    ``accelerated=False`` frames and decodes through the plain path (the reference; much slower).
    `logdir` is a local path, an fsspec URL or a `Store` (board/data/storage.py: where bytes come from).
    """

    def __init__(self, logdir: str | Path | Store, max_points_per_series: int = 10_000_000,
                 accelerated: bool = True):
        self.store: Store = open_logdir(logdir) if isinstance(logdir, (str, os.PathLike)) else logdir
        # stages 1 and 2: chunk -> ChunkScan
        self._frame_and_decode = scan_chunk if accelerated else plain.scan_chunk
        self.max_points = max_points_per_series
        self.runs: dict[str, RunData] = {}
        self.files: dict[object, FileState] = {}  # by store key
        self.progress = Progress()
        self.last_changed = 0.0  # time.time() of the last pass that changed data
        self._pass_lock = threading.Lock()
        self._runs_lock = threading.Lock()
        self._unlistable: set[str] = set()  # folders that could not be listed, warned about once
        self._where: dict[int, tuple[str, int, int]] = {}  # see _apply
        self._listing_failed = False  # the last discovery failed (warned about once until it works)

    # -- a pass ---------------------------------------------------------------------------

    def reload(self, on_progress=None) -> Progress:
        """One pass over the logdir. `on_progress(Progress)` is called after every chunk."""
        with self._pass_lock:
            began = time.monotonic()
            self.progress.loading = True
            try:
                self._reload(on_progress)
            finally:
                self.progress.loading = False
                self.progress.pending_bytes = 0  # what is left (an incomplete record) waits for the next pass
                self.progress.passes += 1
                self.progress.seconds += time.monotonic() - began
            return self.progress

    def _reload(self, on_progress) -> None:
        try:
            found = self.store.discover(self._folder_error)
        except OSError as error:
            # a remote listing refused or timed out: keep what was read, try again next pass
            if not self._listing_failed:
                logger.warning("board: cannot list %s: %s", self.store.describe(), _reason(error))
            self._listing_failed = True
            return
        self._listing_failed = False
        # Each run is listed as soon as its files are sniffed, before any is read: pages list the
        # runs (and a run's data as it comes) while a big logdir is still being read, as
        # TensorBoard does. A folder holding only garbage is no run.
        kept_runs: dict[str, list] = {}
        work: list[tuple[RunData, FileState, int]] = []
        for name, paths in found:
            kept = [path for path in paths if self._records(path)]
            if not kept:
                continue
            kept_runs[name] = kept
            run = self.runs.get(name)
            if run is None:
                run = RunData(name, self.max_points)
                with self._runs_lock:
                    self.runs[name] = run
                self.progress.runs = len(self.runs)
                self.last_changed = time.time()
            for path in kept:
                state = self.files[path]  # made by _records
                try:
                    size = self.store.size(path)
                except OSError:
                    continue
                if size > state.offset:
                    work.append((run, state, size))
        self._forget_deleted(kept_runs)
        self.progress.runs = len(self.runs)
        self.progress.files = len(self.files)
        self.progress.pending_bytes = sum(size - state.offset for _, state, size in work)
        for run, state, size in work:  # a run's files one after the other, in name order
            self._read_file(run, state, size, on_progress)

    def _folder_error(self, error: OSError) -> None:
        folder = str(error.filename)
        if folder not in self._unlistable:
            self._unlistable.add(folder)
            logger.warning("board: cannot list %s: %s", folder, _reason(error))

    def _records(self, path) -> bool:
        """False for a file whose first bytes are not a record header: garbage is skipped, with one
        warning, before a byte of it is read as records (board/data/sniff.py)."""
        state = self.files.get(path)
        if state is None:
            state = self.files[path] = FileState(path)
        if state.verdict is Verdict.UNDECIDED:
            try:
                state.verdict = self.store.sniff(path)
            except OSError:
                return True  # _read_file reports it
            if state.verdict is Verdict.GARBAGE:
                logger.warning("board: skipped %s: it is not an event file (its first bytes hold no "
                               "TFRecord header)", path)
        return state.verdict is not Verdict.GARBAGE

    def _forget_deleted(self, found: dict[str, list]) -> None:
        """Runs whose folder is gone (or holds no event file any more) leave the listing."""
        gone = [name for name in self.runs if name not in found]
        if gone:
            with self._runs_lock:
                for name in gone:
                    del self.runs[name]
            self.last_changed = time.time()
        present = {path for paths in found.values() for path in paths}
        for path in [p for p, state in self.files.items() if p not in present
                     and (state.verdict is not Verdict.GARBAGE or not self.store.exists(p))]:
            del self.files[path]

    def _read_file(self, run: RunData, state: FileState, size: int, on_progress) -> None:
        try:
            reader = self.store.open(state.path)
        except OSError as error:
            self._unreadable(state, error)
            return
        try:
            self._read_chunks(run, state, size, reader, on_progress)
        except OSError as error:
            # a remote read that failed (timeout, refused) after its retries: the offset still marks
            # the last applied record, so the next pass reads on from there without duplicates
            self._unreadable(state, error)
        else:
            state.unreadable = False
        finally:
            reader.close()

    def _unreadable(self, state: FileState, error: OSError) -> None:
        if not state.unreadable:
            logger.warning("board: cannot read %s: %s", state.path, _reason(error))
            state.unreadable = True

    def _read_chunks(self, run: RunData, state: FileState, size: int, reader, on_progress) -> None:
        want = CHUNK
        while state.offset < size:
            length = min(want, size - state.offset)
            buffer = bytearray(length + _PAD)
            got = reader.read_at(state.offset, memoryview(buffer)[:length])
            if not got:
                break
            chunk = memoryview(buffer)[: got + _PAD]
            found = self._frame_and_decode(chunk, got)
            if found.consumed == 0:
                needed = _first_record_size(chunk[:got])
                if needed is None or needed <= got or state.offset + needed > size:
                    break  # an incomplete record at the end: retried on the next pass
                want = needed  # one record bigger than a chunk
                continue
            want = CHUNK
            self._report_corrupt(state, found)
            # points still to come in this file, per point of this chunk (for preallocation)
            run.expect_ratio = (size - state.offset - found.consumed) / max(found.consumed, 1)
            with run.lock:
                self._apply(run, found, chunk, state)  # stage 3
            state.offset += found.consumed
            state.records += found.record_count
            self.progress.records += found.record_count
            self.progress.bytes += found.consumed
            self.progress.pending_bytes = max(self.progress.pending_bytes - found.consumed, 0)
            self.last_changed = time.time()
            if on_progress is not None:
                on_progress(self.progress)

    def _report_corrupt(self, state: FileState, scan: ChunkScan) -> None:
        for bad in scan.corrupt:
            offset = state.offset + bad.offset
            if offset in state.corrupt_reported:
                continue
            state.corrupt_reported.add(offset)
            logger.warning("board: skipped a corrupt record in %s at byte %d: %s",
                           state.path, offset, bad.reason)

    # -- applying one chunk, in record order ----------------------------------------------

    def _apply(self, run: RunData, scan: ChunkScan, chunk: memoryview, state: FileState) -> None:
        decoded: dict[int, object] = {}
        # hook for non-scalar summaries: each per-record event's (path, offset, length) in its file
        path, base, where = str(state.path), state.offset, {}
        self._where = where
        # ...and histogram events recognized from their bytes, without protobuf (in files whose
        # order rules allow it; undone below if the chunk holds a barrier)
        other, histograms = scan.other, None
        version = run.file_version
        if scan.file_versions and scan.file_versions[0][0] == 0:  # a file's first chunk
            version = parse_file_version(scan.file_versions[0][2])
        if version is not None and version >= 2:
            histograms, other = recognize_histograms(chunk, other, run.summaries)
        parse_event = _events().parse_event if len(other) else None
        for record, offset, length in other.tolist():
            where[record] = (path, base + offset, length)
            event = parse_event(bytes(chunk[offset : offset + length]))
            if event is None:
                logger.warning("board: an unreadable event in run %r (record %d of a chunk)",
                               run.name, record)
                continue
            decoded[record] = event
        versions = {record: text for record, _, text in scan.file_versions}
        if run.start_time is None:
            first_times = [float(e.wall_time) for e in decoded.values() if e.wall_time]
            first_times += [wall for _, wall, _ in scan.file_versions if wall]
            bulk_times = scan.wall_time[scan.wall_time != 0]
            if len(bulk_times):
                first_times.append(float(bulk_times.min()))
            if histograms is not None:
                first_times.append(float(histograms.wall_time.min()))
            if first_times:
                run.start_time = min(first_times)

        barriers = sorted([*versions, *(r for r, e in decoded.items() if _is_barrier(e))])
        if histograms is not None and barriers not in ([], [0]):  # in order, then: the slow way
            parse_event = _events().parse_event
            for record, offset, length in zip(histograms.record.tolist(), histograms.offset.tolist(),
                                              histograms.length.tolist(), strict=True):
                where[record] = (path, base + offset, length)
                decoded[record] = parse_event(bytes(chunk[offset : offset + length]))
        elif histograms is not None:
            index_recognized(run.summaries, histograms, path, base)
            run.version += 1
        begin = 0
        for barrier in [*barriers, None]:
            end = barrier if barrier is not None else scan.record_count
            if begin < end:
                if run.file_version is None or run.file_version < 2:
                    self._apply_one_by_one(run, scan, decoded, begin, end)
                else:
                    self._apply_segment(run, scan, decoded, begin, end)
            if barrier is None:
                break
            if barrier in versions:
                run.file_version = parse_file_version(versions[barrier])
            else:
                self._apply_barrier(run, decoded[barrier])
            begin = barrier + 1
        if histograms is not None and decoded:  # only events parsed one by one land out of order
            reorder_chunk(run.summaries, histograms)

    def _apply_segment(self, run: RunData, scan: ChunkScan, decoded: dict, begin: int, end: int) -> None:
        lo, hi = np.searchsorted(scan.record, [begin, end])
        extra = None
        last_summary_step = None
        for record in sorted(r for r in decoded if begin <= r < end):
            event = decoded[record]
            ev = _events()
            if event.HasField("summary"):
                if extra is None:
                    extra = ev.ScalarRows()
                ev.apply_summary(run, event, record, extra, self._where.get(record))
                last_summary_step = (record, int(event.step))
            else:
                ev.apply_other(run, event)
        if hi > lo:
            last_fast = (int(scan.record[hi - 1]), int(scan.step[hi - 1]))
            if last_summary_step is None or last_fast[0] > last_summary_step[0]:
                last_summary_step = last_fast
        if last_summary_step is not None:
            run.most_recent_step = last_summary_step[1]
        if hi == lo and not extra:
            return
        _store_points(run, scan, slice(lo, hi), extra)

    def _apply_barrier(self, run: RunData, event) -> None:
        if event.HasField("file_version"):
            run.file_version = parse_file_version(event.file_version)
            return
        # SessionLog.START: a (re)start at this step; what was logged at or after it is orphaned.
        # TensorBoard skips the first START of a run; we purge on every START, so that a run
        # whose only START marks a restart (written by hand on resuming) is cleaned too.
        dropped = run.purge(int(event.step))
        if dropped:
            run.version += 1
            logger.info("board: run %r restarted at step %d: dropped %d later points",
                        run.name, event.step, dropped)

    def _apply_one_by_one(self, run: RunData, scan: ChunkScan, decoded: dict, begin: int, end: int) -> None:
        """TensorBoard's rules for files without file_version 2, one event at a time."""
        fast_rows: dict[int, list[int]] = {}
        lo, hi = np.searchsorted(scan.record, [begin, end])
        for i in range(lo, hi):
            fast_rows.setdefault(int(scan.record[i]), []).append(i)
        for record in sorted(set(fast_rows) | {r for r in decoded if begin <= r < end}):
            event = decoded.get(record)
            if event is not None:
                ev = _events()
                step = int(event.step)
                if event.HasField("summary"):
                    tags = [v.tag for v in event.summary.value]
                    if step < run.most_recent_step:
                        _purge_tags(run, step, tags)
                    extra = ev.ScalarRows()
                    ev.apply_summary(run, event, record, extra, self._where.get(record))
                    run.most_recent_step = step
                    if len(extra):
                        _store_points(run, scan, slice(0, 0), extra)
                else:
                    ev.apply_other(run, event)
                continue
            rows = fast_rows[record]
            step = int(scan.step[rows[0]])
            if step < run.most_recent_step:
                _purge_tags(run, step, [scan.tags[scan.tag_id[i]] for i in rows])
            run.most_recent_step = step
            _store_points(run, scan, np.array(rows))

    # -- access -------------------------------------------------------------------------------

    def run_list(self) -> list[RunData]:
        with self._runs_lock:
            return list(self.runs.values())

    def get(self, name: str) -> RunData | None:
        with self._runs_lock:
            return self.runs.get(name)


def _events():
    """`board.data.events`, imported on first use: it needs protobuf and the `engine` package (a
    tenth of a second of start-up), which a logdir of plain scalar events never does."""
    from board.data import events

    return events


def parse_file_version(text: str) -> float:
    """``brain.Event:2`` -> 2.0; anything unreadable -> -1 (old out-of-order purge rules)."""
    try:
        return float(text.split("brain.Event:")[-1])
    except ValueError:
        return -1.0


def _is_barrier(event) -> bool:
    return event.HasField("file_version") or (
        event.HasField("session_log") and event.session_log.status == _events().START)


def _purge_tags(run: RunData, step: int, tags: list[str]) -> None:
    dropped = run.purge(step, tags)
    if dropped:
        run.version += 1
        logger.info("board: run %r: step went back to %d: dropped %d later points of %s",
                    run.name, step, dropped, ", ".join(sorted(set(tags))))


def _store_points(run: RunData, scan: ChunkScan, rows, extra: ScalarRows | None = None) -> None:
    """Appends bulk-decoded rows (`rows` of the scan) and per-record points, in record order."""
    record = scan.record[rows]
    step = scan.step[rows]
    wall = scan.wall_time[rows]
    value = scan.value[rows]
    tag_id = scan.tag_id[rows]
    names = list(scan.tags)
    narrow = None  # per row: the value was written as float32 (kept as float32 when a tag has only those)
    if extra:
        index = {name: i for i, name in enumerate(names)}
        extra_ids = [index.setdefault(tag, len(index)) for tag in extra.tag]
        names = list(index)
        record = np.concatenate([record, np.array(extra.record, dtype=record.dtype)])
        step = np.concatenate([step, np.array(extra.step, dtype=np.int64)])
        wall = np.concatenate([wall, np.array(extra.wall_time, dtype=np.float64)])
        value = np.concatenate([value.astype(np.float64), np.array(extra.value, dtype=np.float64)])
        narrow = np.concatenate([np.ones(len(tag_id), dtype=bool),
                                 np.array([isinstance(v, np.float32) for v in extra.value], dtype=bool)])
        tag_id = np.concatenate([tag_id, np.array(extra_ids, dtype=np.int32)])
        order = np.argsort(record, kind="stable")
        step, wall, value = step[order], wall[order], value[order]
        tag_id, narrow = tag_id[order], narrow[order]
    if len(tag_id) == 0:
        return
    period = len(names)
    if period <= len(tag_id) and len(set(tag_id[:period].tolist())) == period and bool(
        (tag_id[period:] == tag_id[:-period]).all()
    ):
        # tags logged in a fixed cycle (the common case): every period-th row is one tag
        groups = [slice(k, None, period) for k in range(period)]
    else:
        order = np.argsort(tag_id, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(tag_id[order])) + 1)
    for group in groups:
        values = value[group]
        if narrow is not None and narrow[group].all():
            values = values.astype(np.float32)
        first = group.start if isinstance(group, slice) else group[0]
        more = int(len(values) * run.expect_ratio * 1.02)
        run.series(names[int(tag_id[first])]).append(step[group], wall[group], values, more)
    run.version += 1


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def _first_record_size(chunk: memoryview) -> int | None:
    """Total size of the record at the start of `chunk` from its length field, if readable."""
    if len(chunk) < HEADER_SIZE:
        return None
    return int.from_bytes(chunk[:8], "little") + FRAMING_SIZE
