"""``tf.summary``: summary ops, FileWriter, and a graph-free SummaryWriter (TensorFlow 1.x names)."""

from engine.proto import layout_pb2
from engine.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from engine.proto.summary_pb2 import Summary, SummaryDescription, SummaryMetadata

from .custom_scalar import custom_scalar, custom_scalar_pb  # TensorBoard's summary_lib names
from .file_writer import FileWriter, FileWriterCache
from .graph_free_writer import SummaryWriter
from .ops import audio, histogram, image, merge, merge_all, scalar, tensor_summary, text
from .pr_curve import pr_curve, pr_curve_pb, pr_curve_raw_data_op, pr_curve_raw_data_pb

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
    # TensorBoard's plugin summaries
    "custom_scalar",
    "custom_scalar_pb",
    "layout_pb2",
    "pr_curve",
    "pr_curve_pb",
    "pr_curve_raw_data_op",
    "pr_curve_raw_data_pb",
]
