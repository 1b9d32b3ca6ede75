"""Where each non-scalar summary of a run is: histograms, images, audio, text and other plugins.

Loading only notes, per (run, tag), each event's step, wall time and the byte range of its record
in the event file; the values are decoded when a route asks for them (`read_values`). Images and
audio are never held in memory, a histogram tag of 500 steps costs a few kB, and loading a
histogram event costs no more than appending five numbers (bench/load_histograms.py).

Event files are append-only, so a byte range read later holds the same record. A file that was
replaced meanwhile (its record no longer parses, or no longer holds the tag) gives `Stale`.

The loader's hooks: `SummaryIndex.add`, called for every parsed summary value that is not a
scalar (board/data/events.py); `SummaryIndex.purge` when TensorBoard's purge rules drop steps; and,
per chunk of a file, `recognize_histograms` / `index_recognized` / `reorder_chunk`, which index
single-value histogram events straight from their bytes (most histogram events, as Keras, TF2,
torch and tensorboardX write them) without protobuf.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np

from board.data.scan import float_view, group_tags, varint_in_word, word_view

# Plugins whose data board shows on a page; any other plugin's tags are counted and named.
HISTOGRAMS, IMAGES, AUDIO, TEXT = "histograms", "images", "audio", "text"
UNNAMED = ""  # a tensor summary without plugin metadata
# Plugins whose data is all in the summary metadata: a value of theirs may hold no tensor at all
METADATA_PLUGINS = frozenset({"hparams"})

_DT_STRING = 7


class Stale(LookupError):
    """A record is no longer where the index says (its file was replaced)."""


@dataclass
class TagIndex:
    """Every event of one (run, tag): parallel columns, in the order they were read."""

    plugin: str
    display_name: str = ""
    description: str = ""
    plugin_content: bytes = b""
    steps: array = field(default_factory=lambda: array("q"))
    walls: array = field(default_factory=lambda: array("d"))
    files: array = field(default_factory=lambda: array("i"))  # index into SummaryIndex.paths
    offsets: array = field(default_factory=lambda: array("q"))  # of the record's data in the file
    lengths: array = field(default_factory=lambda: array("i"))
    counts: array = field(default_factory=lambda: array("i"))  # images/clips of the event
    max_count: int = 0

    def __len__(self) -> int:
        return len(self.steps)

    def keep(self, mask: list[bool]) -> None:
        for name in ("steps", "walls", "files", "offsets", "lengths", "counts"):
            column = getattr(self, name)
            setattr(self, name, array(column.typecode, (v for v, k in zip(column, mask, strict=True) if k)))
        self.max_count = max(self.counts, default=0)


@dataclass(frozen=True)
class Position:
    """A record's data in an event file."""

    path: str
    offset: int
    length: int


@dataclass(frozen=True)
class Entry:
    """One event of a tag, as `TagIndex.entries` hands it out (a snapshot)."""

    step: int
    wall_time: float
    count: int
    position: Position


class SummaryIndex:
    """The non-scalar tags of one run. Guarded by the run's lock (`RunData.lock`)."""

    def __init__(self) -> None:
        self.tags: dict[str, TagIndex] = {}
        self.paths: list[str] = []
        self._path_ids: dict[str, int] = {}

    def add(self, tag: str, value, plugin: str | None, step: int, wall_time: float,
            where: tuple[str, int, int]) -> bool:
        """Notes one summary value (a protobuf ``Summary.Value`` that is not a scalar) found in
        the record at `where` = (path, offset, length). `plugin` is the plugin its metadata (or
        its tag's first metadata) names. Returns whether anything was noted."""
        index = self.tags.get(tag)
        kind = value.WhichOneof("value")
        if index is not None and kind == "histo":
            count = 1  # the common case first: a TF1 histogram of a known tag
        else:
            plugin, count = self._describe(value, kind, plugin)
            if plugin is None:
                return False
            if index is None:
                index = self.tags[tag] = TagIndex(plugin)
            if len(index) == 0:  # the first event's metadata describes the tag, as in TensorBoard
                meta = value.metadata
                index.display_name = meta.display_name
                index.description = meta.summary_description
                index.plugin_content = bytes(meta.plugin_data.content)
                if kind != "tensor" and not meta.display_name:
                    index.display_name = tag  # as TensorBoard's migration of TF1 summaries
        path, offset, length = where
        path_id = self._path_ids.get(path)
        if path_id is None:
            path_id = self._path_ids[path] = len(self.paths)
            self.paths.append(path)
        index.steps.append(step)
        index.walls.append(wall_time)
        index.files.append(path_id)
        index.offsets.append(offset)
        index.lengths.append(length)
        index.counts.append(count)
        if count > index.max_count:
            index.max_count = count
        return True

    @staticmethod
    def _describe(value, kind: str | None, plugin: str | None) -> tuple[str | None, int]:
        """(plugin, images or clips in it) of a summary value; plugin None: nothing to note."""
        if kind == "histo":
            return HISTOGRAMS, 1
        if kind == "image":
            return IMAGES, 1
        if kind == "audio":
            return AUDIO, 1
        if kind is None:  # metadata only, as tensorboardX and torch write hparams
            return (plugin, 1) if plugin in METADATA_PLUGINS else (None, 0)
        if kind != "tensor":
            return None, 0
        tensor = value.tensor
        if not plugin:
            # TensorBoard shows no tensor without plugin metadata; board names strings as text
            plugin = TEXT if tensor.dtype == _DT_STRING else UNNAMED
        dims = [d.size for d in tensor.tensor_shape.dim]
        if plugin == IMAGES:  # [width, height, image, image, ...]
            return plugin, max((dims[0] if dims else len(tensor.string_val)) - 2, 0)
        if plugin == AUDIO:  # [clips, 2]: (encoded audio, label) rows
            return plugin, dims[0] if dims else 0
        return plugin, 1

    def purge(self, step: int, tags: list[str] | None = None) -> int:
        """Drops events at or after `step` (of `tags`, or of every tag); returns how many."""
        dropped = 0
        for tag in list(self.tags) if tags is None else [t for t in tags if t in self.tags]:
            index = self.tags[tag]
            mask = [s < step for s in index.steps]
            gone = mask.count(False)
            if gone:
                index.keep(mask)
                dropped += gone
        return dropped

    def entries(self, tag: str) -> list[Entry]:
        index = self.tags[tag]
        paths = self.paths
        return [Entry(s, w, c, Position(paths[f], o, n)) for s, w, c, f, o, n in zip(
            index.steps, index.walls, index.counts, index.files, index.offsets, index.lengths, strict=True)]

    def by_plugin(self) -> dict[str, list[str]]:
        """{plugin: [tags]} of the tags with at least one event."""
        out: dict[str, list[str]] = {}
        for tag, index in self.tags.items():
            if len(index):
                out.setdefault(index.plugin, []).append(tag)
        return out


def read_values(entries: list[Entry], tag: str) -> list:
    """The ``Summary.Value`` of `tag` in each entry's record, read from the files in one pass
    per file (records in file order). Raises `Stale` when a record cannot be read back."""
    from engine.proto import event_pb2

    out: list = [None] * len(entries)
    by_path: dict[str, list[int]] = {}
    for i in sorted(range(len(entries)), key=lambda i: entries[i].position.offset):
        by_path.setdefault(entries[i].position.path, []).append(i)
    for path, indices in by_path.items():
        try:
            with open(path, "rb") as handle:
                for i in indices:
                    out[i] = _read_value(handle, entries[i].position, tag, event_pb2)
        except OSError as error:
            raise Stale(f"cannot read {path}: {error.strerror or error}") from None
    return out


def _read_value(handle, where, tag: str, event_pb2):
    """The value of `tag` in the event at `where` of the open file `handle`."""
    handle.seek(where.offset)
    data = handle.read(where.length)
    try:
        event = event_pb2.Event.FromString(data)
    except Exception:  # noqa: BLE001 - DecodeError and friends: the file changed
        raise Stale(f"the event at byte {where.offset} of {where.path} changed") from None
    for value in event.summary.value:
        if (value.tag or value.node_name) == tag:
            return value
    raise Stale(f"the event at byte {where.offset} of {where.path} has no tag {tag!r}")


# -- histogram events indexed from their bytes ------------------------------------------------
#
# A histogram event as the writers frame it is `Event{wall_time, step, summary{value{tag, histo |
# tensor}}}`: 0x09 <wall f64> 0x10 <step varint> 0x2a <len> 0x0a <len> 0x0a <len> <tag>
# (0x2a | 0x42) <len> <payload>. `recognize_histograms` finds, in numpy over a whole chunk, the
# records of exactly that shape whose payload ends the record (so no metadata follows), and takes
# their tag, step and wall time from the bytes; protobuf never parses them. Only TF1 histograms
# (0x2a) and tensors (0x42) of tags already indexed as histograms qualify: a first TF2 event
# carries the metadata that names its plugin and takes the per-record path.

@dataclass
class Recognized:
    """Histogram records of one chunk: parallel arrays, in record order."""

    record: np.ndarray
    offset: np.ndarray  # of the record's data in the chunk
    length: np.ndarray
    step: np.ndarray
    wall_time: np.ndarray
    tag_id: np.ndarray  # index into names
    names: list[str]
    before: dict[str, int]  # each tag's events before this chunk

    def __len__(self) -> int:
        return len(self.record)


def _varints(buffer: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The varints starting at `at`: (values as uint64, their lengths, ok), read a word at a time;
    ok is False for a varint longer than 8 bytes (such a record takes the per-record path)."""
    words = word_view(buffer)
    return varint_in_word(words[np.minimum(at, len(words) - 1)])


def recognize_histograms(chunk, other: np.ndarray,
                         index: SummaryIndex) -> tuple[Recognized | None, np.ndarray]:
    """Splits `other` (rows of record, data offset, length: `ChunkScan.other`) into histogram
    records indexed from their bytes and the rest, which need protobuf."""
    if len(other) < 16:  # not worth it
        return None, other
    buffer = np.frombuffer(chunk, dtype=np.uint8)
    record, start, length = other[:, 0], other[:, 1], other[:, 2]
    end = start + length
    ok = (length > 24) & (buffer[start] == 0x09)
    has_step = buffer[np.minimum(start + 9, len(buffer) - 1)] == 0x10  # step 0 is not written
    step, n1, good = _varints(buffer, start + 10)
    ok &= good | ~has_step
    step = np.where(has_step, step, np.uint64(0))
    at = np.where(has_step, start + 10 + n1, start + 9)
    ok &= buffer[np.minimum(at, len(buffer) - 1)] == 0x2A  # summary
    size, n2, good = _varints(buffer, at + 1)
    ok &= good & (at + 1 + n2 + size.astype(np.int64) == end)
    at = at + 1 + n2
    ok &= buffer[np.minimum(at, len(buffer) - 1)] == 0x0A  # its one value
    size, n3, good = _varints(buffer, at + 1)
    ok &= good & (at + 1 + n3 + size.astype(np.int64) == end)
    at = at + 1 + n3
    ok &= buffer[np.minimum(at, len(buffer) - 1)] == 0x0A  # the tag
    tag_length, n4, good = _varints(buffer, at + 1)
    ok &= good
    tag_start = at + 1 + n4
    at = tag_start + tag_length.astype(np.int64)
    kind = buffer[np.minimum(at, len(buffer) - 1)]
    ok &= (kind == 0x2A) | (kind == 0x42)  # histo | tensor
    size, n5, good = _varints(buffer, at + 1)
    ok &= good & (at + 1 + n5 + size.astype(np.int64) == end)  # nothing (no metadata) after it
    rows = np.flatnonzero(ok)
    if not len(rows):
        return None, other
    tag_id, names = group_tags(buffer, tag_start[rows], (at - tag_start)[rows])
    # per distinct tag: a histogram already, or a TF1 histogram (tensors need their metadata)
    _, first_row = np.unique(tag_id, return_index=True)  # tag ids are 0..len(names)-1
    first_kind = kind[rows][first_row]
    wanted = np.array([(index.tags[name].plugin == HISTOGRAMS) if name in index.tags
                       else first_kind[k] == 0x2A for k, name in enumerate(names)], dtype=bool)
    keep = wanted[tag_id] & ((kind[rows] == 0x2A) | np.array([name in index.tags for name in names])[tag_id])
    if not keep.any():
        return None, other
    picked = rows[keep]
    walls = float_view(buffer)[start[picked] + 1]
    recognized = Recognized(record[picked], start[picked], length[picked], step[picked].view(np.int64),
                            walls, tag_id[keep], names,
                            {name: len(index.tags[name]) if name in index.tags else 0 for name in names})
    taken = np.zeros(len(other), dtype=bool)
    taken[picked] = True
    return recognized, other[~taken]


def index_recognized(index: SummaryIndex, found: Recognized, path: str, base: int) -> None:
    """Notes every histogram record of `found` (its offsets relative to a chunk at file offset
    `base`)."""
    path_id = index._path_ids.get(path)
    if path_id is None:
        path_id = index._path_ids[path] = len(index.paths)
        index.paths.append(path)
    # the chunk's records sorted by tag once; each tag's columns are then slices, appended as raw
    # bytes in the arrays' own (native) types
    order = np.argsort(found.tag_id, kind="stable")
    bounds: list[int] = np.searchsorted(found.tag_id[order], np.arange(len(found.names) + 1)).tolist()
    columns: dict[str, np.ndarray] = {"steps": found.step[order].astype(np.int64),
               "walls": found.wall_time[order].astype(np.float64),
               "offsets": (found.offset[order] + base).astype(np.int64),
               "lengths": found.length[order].astype(np.intc)}
    files = np.full(len(order), path_id, dtype=np.intc).tobytes()
    ones = np.ones(len(order), dtype=np.intc).tobytes()
    width = np.dtype(np.intc).itemsize
    for k, tag in enumerate(found.names):
        lo, hi = bounds[k], bounds[k + 1]
        if lo == hi:
            continue
        tag_index = index.tags.get(tag)
        if tag_index is None:  # a TF1 histogram: TensorBoard names it by its tag
            tag_index = index.tags[tag] = TagIndex(HISTOGRAMS, display_name=tag)
        for name, column in columns.items():
            getattr(tag_index, name).frombytes(column[lo:hi].tobytes())
        tag_index.files.frombytes(files[lo * width : hi * width])
        tag_index.counts.frombytes(ones[lo * width : hi * width])
        tag_index.max_count = max(tag_index.max_count, 1)


def reorder_chunk(index: SummaryIndex, found: Recognized) -> None:
    """Puts the events a chunk added to the recognized tags back in file order: records of a tag
    that took the per-record path (a first event with metadata, say) were appended after the
    recognized ones. (A chunk is one file, so its events' offsets order them.)"""
    for tag, before in found.before.items():
        tag_index = index.tags.get(tag)
        if tag_index is None or len(tag_index) - before < 2:
            continue
        offsets = np.frombuffer(tag_index.offsets, dtype=np.int64)[before:]
        if (np.diff(offsets) > 0).all():
            continue
        order = (np.argsort(offsets, kind="stable") + before).tolist()
        for name in ("steps", "walls", "files", "offsets", "lengths", "counts"):
            column = getattr(tag_index, name)
            column[before:] = array(column.typecode, [column[i] for i in order])
