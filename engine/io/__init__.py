"""``tf.io`` (re-exports only): TFRecord files (tfrecord.py; the byte format itself is the tfformat package)
and parsing of `tf.train.Example`/`SequenceExample` records, CSV and raw bytes (engine/ops/parsing_ops.py)."""

from engine.io import gfile
from engine.io.tfrecord import TFRecordCompressionType, TFRecordOptions, TFRecordWriter, tf_record_iterator
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
    "TFRecordCompressionType",
    "TFRecordOptions",
    "TFRecordWriter",
    "decode_csv",
    "decode_raw",
    "gfile",
    "parse_example",
    "parse_single_example",
    "parse_single_sequence_example",
    "tf_record_iterator",
]
