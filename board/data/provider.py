"""The data API of board: what the HTTP routes and the pages read, as plain dataclasses.

    provider = LogdirProvider("logs")     # nothing is read yet
    provider.reload()                      # one pass over the logdir (or .start(interval))
    provider.runs()                        # [RunInfo(name=".", start_time=..., ...)]
    provider.scalar_tags()                 # {run: {tag: TagInfo}}
    provider.scalar_series(run, tag)       # ScalarSeries(steps, wall_times, values) numpy arrays
    provider.summary_tags("images")       # {run: {tag: SummaryTag}}; histograms, audio, text too
    provider.summary_entries(run, tag, "images")  # (SummaryTag, [Entry]): where each event is
    provider.graph_kinds()                 # {run: [GraphInfo(kind="graph_def", ...), ...]}
    provider.graph(run, "graph_def")       # engine.proto.graph_pb2.GraphDef

Unknown runs, tags and graph kinds raise `board.errors.NotFound` (HTTP 404). Run and tag names
are only ever looked up in what was loaded: nothing here turns a name into a path. Names may hold
bytes that are not UTF-8 (as lone surrogates); a requested name is matched as `board.names.resolve`
says, so such names can be asked for from a URL.

Inside the app the provider is `request.app.state.provider`. A background thread (`start`)
re-reads the logdir every `reload_interval` seconds; everything returned is a snapshot that
later loading does not change.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from board import names
from board.data.loader import Loader, Progress
from board.data.storage import Store
from board.data.store import RunData
from board.data.summaries import Entry, TagIndex
from board.errors import NotFound

GRAPH_DEF = "graph_def"
META_GRAPH_DEF = "meta_graph_def"
RUN_METADATA = "run_metadata/"  # + the tag of a tagged_run_metadata event or a run-metadata summary
KERAS_MODEL = "keras_model/"  # + the tag of a graph_keras_model summary (a Keras model's JSON config)
KERAS_PLUGIN = "graph_keras_model"
# TF2's tf.summary.trace_export writes a RunMetadata as a string tensor summary of one of these plugins:
# graphs only (`function_graphs`) or graphs with step stats; the plugin content is the version b"1".
RUN_METADATA_PLUGINS = {"graph_run_metadata_graph": "op graph", "graph_run_metadata": "op graph and profile"}

logger = logging.getLogger("board")


@dataclass(frozen=True)
class RunInfo:
    name: str
    start_time: float | None  # wall_time of the run's first event
    version: int  # grows whenever the run's data changes


@dataclass(frozen=True)
class TagInfo:
    display_name: str
    description: str
    points: int


@dataclass(frozen=True)
class ScalarSeries:
    """All points of one (run, tag) in the order they were logged."""

    run: str
    tag: str
    steps: np.ndarray  # int64
    wall_times: np.ndarray  # float64, seconds since the epoch
    values: np.ndarray  # float32 (simple_value, DT_FLOAT) or float64
    version: int

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class SummaryTag:
    """One (run, tag) of a plugin other than scalars."""

    run: str
    tag: str
    plugin: str
    display_name: str
    description: str  # Markdown, as written
    plugin_content: bytes
    events: int
    max_count: int  # most images or clips in one event


@dataclass(frozen=True)
class GraphInfo:
    """One graph a run holds. `kind` is what `graph(run, kind)` takes."""

    kind: str  # "graph_def", "meta_graph_def", "run_metadata/<tag>" or "keras_model/<tag>"
    tag: str | None  # the tagged_run_metadata, run-metadata summary or graph_keras_model summary tag
    source: str  # the Event field it came from, or for a summary its plugin ("graph_keras_model", ...)
    has_graph: bool = True  # False for a RunMetadata holding only step stats (PyTorch's "step1")


@dataclass(frozen=True)
class LoadStatus:
    logdir: str
    loading: bool
    passes: int
    runs: int
    files: int
    records: int
    bytes: int
    pending_bytes: int
    seconds: float
    last_changed: float
    reload_interval: float


class LogdirProvider:
    """Reads a logdir (see `board.data.loader`) and answers questions about it."""

    def __init__(self, logdir: str | Path | Store, reload_interval: float = 5.0,
                 max_points_per_series: int = 10_000_000):
        self._loader = Loader(logdir, max_points_per_series)
        self.logdir = self._loader.store.describe()  # a path, a URL or a --logdir_spec, as given
        self.reload_interval = float(reload_interval)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._first_pass = threading.Event()

    # -- loading --------------------------------------------------------------------------

    def reload(self, on_progress=None) -> LoadStatus:
        """One synchronous pass over the logdir; returns the status after it."""
        self._loader.reload(on_progress)
        self._first_pass.set()
        return self.status()

    def start(self, on_progress=None, after_pass=None) -> None:
        """Loads in a background thread now, then every `reload_interval` seconds (0 = once).
        `after_pass()` runs on that thread after each pass, before `wait_loaded` returns for the
        first: what the app prepares from the data it read (board/app.py)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(on_progress, after_pass),
                                        name="board-loader", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Blocks until the first pass is done (True) or `timeout` passes (False)."""
        return self._first_pass.wait(timeout)

    def _run(self, on_progress, after_pass) -> None:
        while not self._stop.is_set():
            self._loader.reload(on_progress)
            if after_pass is not None:
                try:
                    after_pass()
                except Exception:  # logged (with its traceback): it must not stop the loading
                    logger.exception("board: preparing the data read failed")
            self._first_pass.set()
            if self.reload_interval <= 0:
                return
            self._stop.wait(self.reload_interval)

    def _ensure_loaded(self) -> None:
        # Without a background loader (an app used without its lifespan), read on first use.
        if self._thread is None and not self._first_pass.is_set():
            self.reload()

    @property
    def last_changed(self) -> float:
        return self._loader.last_changed

    def status(self) -> LoadStatus:
        p: Progress = self._loader.progress
        return LoadStatus(str(self.logdir), p.loading, p.passes, p.runs, p.files, p.records, p.bytes,
                          p.pending_bytes, p.seconds, self.last_changed, self.reload_interval)

    # -- runs -----------------------------------------------------------------------------

    def _runs(self) -> list[RunData]:
        self._ensure_loaded()
        return self._loader.run_list()

    def _run_data(self, run: str) -> RunData:
        self._ensure_loaded()
        data = self._loader.get(names.resolve(run, self._loader.runs)) if isinstance(run, str) else None
        if data is None:
            raise NotFound(f"no run named {run!r}")
        return data

    def runs(self) -> list[RunInfo]:
        """Runs ordered by start time (runs without events last), then name, as TensorBoard."""
        infos = [RunInfo(r.name, r.start_time, r.version) for r in self._runs()]
        infos.sort(key=lambda r: (r.start_time if r.start_time is not None else float("inf"), r.name))
        return infos

    def run_names(self) -> list[str]:
        return [r.name for r in self.runs()]

    def local_root(self) -> Path | None:
        """The logdir's folder when it is on local disk (the projector reads files beside the
        event files there, as TensorBoard's does); None for a URL or a --logdir_spec."""
        root = getattr(self._loader.store, "root", None)
        return Path(root) if root is not None else None

    # -- scalars --------------------------------------------------------------------------

    def scalar_tags(self, run: str | None = None) -> dict[str, dict[str, TagInfo]]:
        """{run: {tag: TagInfo}} for every run (or only `run`), tags in name order."""
        runs = [self._run_data(run)] if run is not None else self._runs()
        result: dict[str, dict[str, TagInfo]] = {}
        for data in runs:
            with data.lock:
                tags = {}
                for tag in sorted(data.scalars):
                    meta = data.tag_meta.get(tag)
                    tags[tag] = TagInfo(meta.display_name if meta else "",
                                        meta.description if meta else "", len(data.scalars[tag]))
            result[data.name] = tags
        return result

    def scalar_series(self, run: str, tag: str) -> ScalarSeries:
        data = self._run_data(run)
        with data.lock:
            tag = names.resolve(tag, data.scalars)
            series = data.scalars.get(tag)
            if series is None:
                raise NotFound(f"run {run!r} has no scalar tag {tag!r}")
            steps, walls, values = series.arrays()
            version = data.version
        return ScalarSeries(data.name, tag, steps, walls, values, version)

    # -- histograms, images, audio, text and other plugins --------------------------------

    def summary_tags(self, plugin: str) -> dict[str, dict[str, SummaryTag]]:
        """{run: {tag: SummaryTag}} of one plugin's tags (in the order they were first read, as
        TensorBoard lists them), for the runs that have any."""
        out: dict[str, dict[str, SummaryTag]] = {}
        for data in self._runs():
            with data.lock:
                tags = {tag: _summary_tag(data.name, tag, index)
                        for tag, index in data.summaries.tags.items()
                        if index.plugin == plugin and len(index)}
            if tags:
                out[data.name] = tags
        return out

    def summary_entries(self, run: str, tag: str, plugin: str) -> tuple[SummaryTag, list[Entry]]:
        """The tag's description and where each of its events is (read them with
        `board.data.summaries.read_values`)."""
        data = self._run_data(run)
        with data.lock:
            index = data.summaries.tags.get(tag)
            if index is None or index.plugin != plugin or not len(index):
                raise NotFound(f"run {run!r} has no {plugin} tag {tag!r}")
            return _summary_tag(run, tag, index), data.summaries.entries(tag)

    def plugin_tags(self) -> dict[str, dict[str, list[str]]]:
        """{plugin: {run: [tags]}} for every plugin with data (scalars, histograms, images, ...);
        tensor summaries without plugin metadata are under "" (TensorBoard ignores them)."""
        out: dict[str, dict[str, list[str]]] = {}
        for data in self._runs():
            with data.lock:
                groups = data.summaries.by_plugin()
                if data.scalars:
                    groups.setdefault("scalars", []).extend(data.scalars)
                graphs = self._graph_infos(data)
                if graphs:
                    groups["graphs"] = [g.kind for g in graphs]
            for plugin, tags in groups.items():
                out.setdefault(plugin, {})[data.name] = sorted(tags)
        return out

    # -- graphs ---------------------------------------------------------------------------

    @staticmethod
    def _graph_infos(data: RunData) -> list[GraphInfo]:
        infos = []
        if data.graph_def is not None:
            infos.append(GraphInfo(GRAPH_DEF, None, "graph_def"))
        if data.meta_graph_def is not None:
            infos.append(GraphInfo(META_GRAPH_DEF, None, "meta_graph_def"))
        for tag in sorted(data.run_metadata):
            infos.append(GraphInfo(RUN_METADATA + tag, tag, "tagged_run_metadata",
                                   data.run_metadata_graphs.get(tag, False)))
        for tag, index in data.summaries.tags.items():
            if index.plugin == KERAS_PLUGIN and len(index):
                infos.append(GraphInfo(KERAS_MODEL + tag, tag, KERAS_PLUGIN))
            elif (index.plugin in RUN_METADATA_PLUGINS and len(index) and index.plugin_content == b"1"
                  and tag not in data.run_metadata):  # TB also ignores other versions
                infos.append(GraphInfo(RUN_METADATA + tag, tag, index.plugin))
        return infos

    def graph_kinds(self, run: str | None = None) -> dict[str, list[GraphInfo]]:
        """{run: [GraphInfo]} for runs holding at least one graph (or for `run` only)."""
        runs = [self._run_data(run)] if run is not None else self._runs()
        out = {}
        for data in runs:
            with data.lock:
                infos = self._graph_infos(data)
            if infos or run is not None:
                out[data.name] = infos
        return out

    def graph(self, run: str, kind: str = GRAPH_DEF):
        """The GraphDef of `kind` (see `graph_kinds`). For "graph_def", a run with only a
        meta_graph_def gives that one's graph, as TensorBoard does."""
        from engine.proto import graph_pb2, meta_graph_pb2

        if kind.startswith(KERAS_MODEL):
            return self._keras_graph(run, kind[len(KERAS_MODEL):])
        if kind.startswith(RUN_METADATA):
            return merged_graph(self.run_metadata(run, kind[len(RUN_METADATA):]))
        data = self._run_data(run)
        with data.lock:
            graph_bytes, meta_bytes = data.graph_def, data.meta_graph_def
        if kind == GRAPH_DEF and graph_bytes is not None:
            return graph_pb2.GraphDef.FromString(graph_bytes)
        if kind in (GRAPH_DEF, META_GRAPH_DEF) and meta_bytes is not None:
            meta = meta_graph_pb2.MetaGraphDef.FromString(meta_bytes)
            if meta.HasField("graph_def") or kind == META_GRAPH_DEF:
                return meta.graph_def
        raise NotFound(f"run {run!r} has no graph {kind!r}")

    def _keras_graph(self, run: str, tag: str):
        """The layers of the Keras model in the last `graph_keras_model` summary of `tag`."""
        import json

        from board import keras_graph
        from board.data.summaries import read_values

        _, entries = self.summary_entries(run, tag, KERAS_PLUGIN)
        (value,) = read_values(entries[-1:], tag)
        try:
            config = json.loads(value.tensor.string_val[0])
            return keras_graph.model_graph(config)
        except (IndexError, ValueError, TypeError, AttributeError) as error:
            raise NotFound(f"run {run!r} tag {tag!r} holds no Keras model config ({error})") from None

    def run_metadata(self, run: str, tag: str):
        """The RunMetadata of a tagged_run_metadata event (step stats, partition graphs), or of the
        last event of a run-metadata summary (TF2's trace_export: function graphs)."""
        from board.data.summaries import read_values
        from engine.proto import config_pb2

        data = self._run_data(run)
        with data.lock:
            raw = data.run_metadata.get(tag)
            index = data.summaries.tags.get(tag)
            plugin = index.plugin if index is not None and len(index) else None
        if raw is None and plugin in RUN_METADATA_PLUGINS:
            _, entries = self.summary_entries(run, tag, plugin)
            (value,) = read_values(entries[-1:], tag)
            if value.tensor.string_val:
                raw = value.tensor.string_val[0]
        if raw is None:
            raise NotFound(f"run {run!r} has no run metadata tagged {tag!r}")
        return config_pb2.RunMetadata.FromString(raw)


def _summary_tag(run: str, tag: str, index: TagIndex) -> SummaryTag:
    return SummaryTag(run, tag, index.plugin, index.display_name, index.description,
                      index.plugin_content, len(index), index.max_count)


def merged_graph(run_metadata):
    """One GraphDef from a RunMetadata: its functions' pre-optimization graphs, else its partition
    graphs; several are kept apart under ``graph_1/``, ``graph_2/``... name scopes, and their library
    functions renamed ``graph_1_<name>``, as TensorBoard merges them (its graph_util.merge_graph_defs,
    which renames the `f` of `PartitionedCall` ops only)."""
    from engine.proto import graph_pb2

    graphs = [f.pre_optimization_graph for f in run_metadata.function_graphs]
    if not graphs:
        graphs = list(run_metadata.partition_graphs)
    if len(graphs) == 1:
        return graphs[0]
    merged = graph_pb2.GraphDef()
    for i, graph in enumerate(graphs, start=1):
        prefix = f"graph_{i}"
        for node in graph.node:
            new = merged.node.add()
            new.CopyFrom(node)
            new.name = f"{prefix}/{node.name}"
            del new.input[:]
            for name in node.input:
                control = name.startswith("^")
                bare = name[1:] if control else name
                new.input.append(("^" if control else "") + f"{prefix}/{bare}")
            if new.op == "PartitionedCall" and "f" in new.attr:
                new.attr["f"].func.name = f"{prefix}_{new.attr['f'].func.name}"
        for function in graph.library.function:
            new_function = merged.library.function.add()
            new_function.CopyFrom(function)
            new_function.signature.name = f"{prefix}_{function.signature.name}"
        for gradient in graph.library.gradient:
            merged.library.gradient.add(function_name=f"{prefix}_{gradient.function_name}",
                                        gradient_func=f"{prefix}_{gradient.gradient_func}")
        if graph.HasField("versions"):
            merged.versions.CopyFrom(graph.versions)
    return merged
