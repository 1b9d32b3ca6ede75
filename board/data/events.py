"""Turning one decoded ``Event`` protobuf into what a run keeps (the per-record path).

Used for every record the bulk decoder in `board.data.scan` does not recognise: graphs, histograms,
images, TF2 tensor summaries, session logs. Scalar points found here are returned rather than
stored, so the caller can merge them in record order with the bulk-decoded ones.
"""

from __future__ import annotations

import numpy as np
from google.protobuf.message import DecodeError

from board.data.store import RunData, TagMeta
from engine.proto import event_pb2

START = event_pb2.SessionLog.START

# TensorFlow DataType enum -> numpy dtype, for the types a summary tensor can hold
_NUMPY_TYPES = {
    1: np.float32, 2: np.float64, 3: np.int32, 4: np.uint8, 5: np.int16, 6: np.int8,
    9: np.int64, 10: np.bool_, 17: np.uint16, 19: np.float16, 22: np.uint32, 23: np.uint64,
}
_DT_BFLOAT16 = 14


def parse_event(data: bytes) -> event_pb2.Event | None:
    try:
        return event_pb2.Event.FromString(data)
    except DecodeError:
        return None


def tensor_to_array(tensor) -> np.ndarray | None:
    """A numeric TensorProto as a numpy array; None for strings and unknown types."""
    shape = tuple(d.size for d in tensor.tensor_shape.dim)
    count = int(np.prod(shape)) if shape else 1
    if tensor.dtype == _DT_BFLOAT16:
        if tensor.tensor_content:
            bits = np.frombuffer(tensor.tensor_content, dtype="<u2")
        else:
            bits = np.array(tensor.half_val, dtype=np.uint16)
        values = (bits.astype(np.uint32) << 16).view(np.float32)
    else:
        dtype = _NUMPY_TYPES.get(tensor.dtype)
        if dtype is None:
            return None
        if tensor.tensor_content:
            values = np.frombuffer(tensor.tensor_content, dtype=np.dtype(dtype).newbyteorder("<"))
        elif dtype == np.float32:
            values = np.array(tensor.float_val, dtype=np.float32)
        elif dtype == np.float64:
            values = np.array(tensor.double_val, dtype=np.float64)
        elif dtype == np.int64:
            values = np.array(tensor.int64_val, dtype=np.int64)
        elif dtype == np.float16:
            values = np.array(tensor.half_val, dtype=np.uint16).view(np.float16)
        elif dtype == np.uint32:
            values = np.array(tensor.uint32_val, dtype=np.uint32)
        elif dtype == np.uint64:
            values = np.array(tensor.uint64_val, dtype=np.uint64)
        elif dtype == np.bool_:
            values = np.array(tensor.bool_val, dtype=np.bool_)
        else:
            values = np.array(tensor.int_val, dtype=dtype)
    if len(values) == 0:
        if count == 0:
            return np.zeros(shape, dtype=values.dtype)
        return None
    if len(values) < count:  # TensorFlow repeats the last value to fill the shape
        values = np.concatenate([values, np.repeat(values[-1:], count - len(values))])
    return values[:count].reshape(shape)


def _scalar_from_tensor(tensor) -> np.generic | None:
    array = tensor_to_array(tensor)
    if array is None or array.size != 1:
        return None
    item = array.reshape(())[()]
    if array.dtype in (np.float32, np.float64):
        return item
    if array.dtype == np.float16:
        return np.float32(item)
    return np.float64(item)


class ScalarRows:
    """Scalar points found by the per-record path: parallel lists, in record order."""

    def __init__(self) -> None:
        self.record: list[int] = []
        self.step: list[int] = []
        self.wall_time: list[float] = []
        self.value: list[np.generic] = []
        self.tag: list[str] = []

    def add(self, record: int, step: int, wall_time: float, tag: str, value: np.generic) -> None:
        self.record.append(record)
        self.step.append(step)
        self.wall_time.append(wall_time)
        self.tag.append(tag)
        self.value.append(value)

    def __len__(self) -> int:
        return len(self.record)


def apply_summary(run: RunData, event, record: int, scalars: ScalarRows,
                  where: tuple[str, int, int] | None = None) -> None:
    """Collects the scalar values of a Summary event; notes where the others are (`where` is the
    (path, offset, length) of the event's record data in its file).

    Each value goes to the handler of its kind (`VALUE_KINDS`); tensor values to the handler of their
    plugin (`TENSOR_PLUGINS`). A reader for a new kind of summary registers itself there.
    """
    point = Point(record, int(event.step), float(event.wall_time), scalars, where)
    for value in event.summary.value:
        tag = value.tag or value.node_name
        if value.HasField("metadata") and value.metadata.plugin_data.plugin_name:
            if tag not in run.tag_meta or run.tag_meta[tag].plugin != value.metadata.plugin_data.plugin_name:
                run.tag_meta[tag] = TagMeta(
                    value.metadata.plugin_data.plugin_name,
                    value.metadata.display_name,
                    value.metadata.summary_description,
                )
        handler = VALUE_KINDS.get(value.WhichOneof("value"))
        if handler is not None:
            handler(run, tag, value, point)


class Point:
    """Where a Summary value was logged: its record in the chunk, step and wall time, and the
    record's (path, offset, length) in its file; `scalars` collects scalar points for the caller to
    merge in record order."""

    __slots__ = ("record", "step", "wall_time", "scalars", "where")

    def __init__(self, record: int, step: int, wall_time: float, scalars: ScalarRows,
                 where: tuple[str, int, int] | None = None):
        self.record, self.step, self.wall_time, self.scalars = record, step, wall_time, scalars
        self.where = where

    def add_scalar(self, tag: str, number: np.generic) -> None:
        self.scalars.add(self.record, self.step, self.wall_time, tag, number)


def _simple_value(run: RunData, tag: str, value, point: Point) -> None:
    point.add_scalar(tag, np.float32(value.simple_value))


def _indexed(run: RunData, tag: str, value, point: Point) -> None:
    """Histograms, images, audio, text and other plugins' values: only where they are is kept;
    they are decoded on request (board/data/summaries.py)."""
    meta = run.tag_meta.get(tag)
    plugin = meta.plugin if meta else None
    if point.where is not None and run.summaries.add(tag, value, plugin, point.step, point.wall_time,
                                                     point.where):
        run.tag_meta.setdefault(tag, TagMeta(run.summaries.tags[tag].plugin))
        run.version += 1


def _tensor(run: RunData, tag: str, value, point: Point) -> None:
    meta = run.tag_meta.get(tag)
    handler = TENSOR_PLUGINS.get(meta.plugin, _indexed) if meta else _indexed
    handler(run, tag, value, point)


def _tensor_scalar(run: RunData, tag: str, value, point: Point) -> None:
    number = _scalar_from_tensor(value.tensor)
    if number is not None:
        point.add_scalar(tag, number)


# Summary.Value's `value` oneof -> handler(run, tag, value, point)
VALUE_KINDS = {
    "simple_value": _simple_value,
    "histo": _indexed,
    "image": _indexed,
    "audio": _indexed,
    "tensor": _tensor,
    None: _indexed,  # metadata only: noted for the plugins that need no tensor (summaries.METADATA_PLUGINS)
}
# plugin_data.plugin_name of a tensor value -> handler; other plugins' tensors (histograms,
# images, audio, text, third-party ones) are indexed by `_indexed`
TENSOR_PLUGINS = {
    "scalars": _tensor_scalar,
}


def apply_other(run: RunData, event) -> None:
    """Graph-like payloads: the newest of each kind wins, as in TensorBoard."""
    kind = event.WhichOneof("what")
    if kind == "graph_def":
        run.graph_def = bytes(event.graph_def)
    elif kind == "meta_graph_def":
        run.meta_graph_def = bytes(event.meta_graph_def)
    elif kind == "tagged_run_metadata":
        from engine.proto import config_pb2

        tag, raw = event.tagged_run_metadata.tag, bytes(event.tagged_run_metadata.run_metadata)
        run.run_metadata[tag] = raw
        try:
            metadata = config_pb2.RunMetadata.FromString(raw)
            run.run_metadata_graphs[tag] = bool(metadata.function_graphs or metadata.partition_graphs)
        except DecodeError:
            run.run_metadata_graphs[tag] = False
    else:
        return
    run.version += 1
