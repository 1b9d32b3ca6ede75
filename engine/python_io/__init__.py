"""``tf.python_io`` (re-exports only): TF 1.x's home of the TFRecord writer and reader
(engine/io/tfrecord.py)."""

from engine.io.tfrecord import TFRecordCompressionType, TFRecordOptions, TFRecordWriter, tf_record_iterator

__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]
