"""``tf.summary``: summary ops, FileWriter, and a graph-free SummaryWriter (TensorFlow 1.x names)."""

from engine.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from engine.proto.summary_pb2 import Summary, SummaryDescription, SummaryMetadata

from .file_writer import FileWriter, FileWriterCache
from .graph_free_writer import SummaryWriter
from .ops import audio, histogram, image, merge, merge_all, scalar, tensor_summary, text

__all__ = [
    "audio",
    "histogram",
    "image",
    "merge",
    "merge_all",
    "scalar",
    "tensor_summary",
    "text",
    "Event",
    "FileWriter",
    "FileWriterCache",
    "SessionLog",
    "Summary",
    "SummaryDescription",
    "SummaryMetadata",
    "SummaryWriter",
    "TaggedRunMetadata",
]
