"""``tf.data`` in TF 1.x graph mode (re-exports only).

dataset_ops.py: `Dataset` and its dataset ops (graph side); pipeline.py: what their kernels produce at run
time; iterator_ops.py: `Iterator` and the iterator ops; structure.py: nested element structures;
experimental/: `tf.data.experimental`.
"""

from engine.data import experimental
from engine.data.dataset_ops import Dataset, FixedLengthRecordDataset, TextLineDataset, TFRecordDataset
from engine.data.iterator_ops import (
    Iterator,
    get_output_classes,
    get_output_shapes,
    get_output_types,
    make_initializable_iterator,
    make_one_shot_iterator,
)

__all__ = [
    "Dataset", "FixedLengthRecordDataset", "Iterator", "TFRecordDataset", "TextLineDataset", "experimental",
    "get_output_classes", "get_output_shapes", "get_output_types", "make_initializable_iterator",
    "make_one_shot_iterator",
]
