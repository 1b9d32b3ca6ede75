"""``tf.io`` (re-exports only): TFRecord files (tfrecord.py; the byte format itself is the tfformat package)
and parsing of `tf.train.Example`/`SequenceExample` records, CSV and raw bytes (engine/ops/parsing_ops.py),
whole files (engine/ops/file_ops.py) and image codecs (engine/ops/image_codec_ops.py)."""

from engine.io import gfile
from engine.io.tfrecord import TFRecordCompressionType, TFRecordOptions, TFRecordWriter, tf_record_iterator
from engine.ops.file_ops import matching_files, read_file, write_file
from engine.ops.image_codec_ops import decode_image, decode_jpeg, decode_png, encode_jpeg, encode_png
from engine.ops.parsing_config import SparseFeature, VarLenFeature
from engine.ops.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    decode_csv,
    decode_raw,
    parse_example,
    parse_single_example,
    parse_single_sequence_example,
)

__all__ = [
    "FixedLenFeature",
    "FixedLenSequenceFeature",
    "SparseFeature",
    "TFRecordCompressionType",
    "TFRecordOptions",
    "TFRecordWriter",
    "VarLenFeature",
    "decode_csv",
    "decode_raw",
    "gfile",
    "parse_example",
    "parse_single_example",
    "parse_single_sequence_example",
    "tf_record_iterator",
    # files and image codecs
    "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png", "matching_files", "read_file",
    "write_file",
]
