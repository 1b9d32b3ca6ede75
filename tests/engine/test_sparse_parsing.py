"""VarLenFeature and SparseFeature in parse_example, parse_single_example and parse_single_sequence_example
give TensorFlow's SparseTensors: tests/fixtures/sparse/parsing_model.py runs under the engine here and under
TensorFlow 2.21 (the `tf_python` oracle), and the static shapes and values must agree."""

from __future__ import annotations

import json

import pytest

import engine as tf
from engine.proto.example_pb2 import Example, SequenceExample
from tests.engine.sparse_models import load, tensorflow_side


def _model():
    return load("parsing_model")


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def test_sparse_features_parse_as_tensorflow_parses_them(tf_python):
    module = _model()
    feeds, out = module.build(tf, Example, SequenceExample)
    with tf.Session() as sess:
        ours = module.describe(tf, out, sess.run(out, feeds))
    theirs = tensorflow_side(tf_python, "parsing_model")
    assert json.loads(json.dumps(ours)) == theirs


def test_parse_graph_has_tfs_sparse_keys_and_types():
    """Sparse keys in TF's order: features by sorted key, a SparseFeature's index keys then its value key
    (a key already listed is not repeated)."""
    module = _model()
    module.build(tf, Example, SequenceExample)
    op = tf.get_default_graph().get_operation_by_name("ParseExample/ParseExampleV2")
    assert op.get_attr("num_sparse") == 6
    assert [t.name for t in op.get_attr("sparse_types")] == [
        "float32",
        "string",
        "int64",
        "float32",
        "int64",
        "int64",
    ]
    keys = list(op.inputs[2].op.get_attr("value").reshape(-1))
    assert [k.decode() for k in keys] == ["a", "s", "ix", "val", "r", "c"]
    with pytest.raises(ValueError, match="Conflicting type"):
        tf.parse_example(
            ["x"], {"a": tf.VarLenFeature(tf.float32), "b": tf.io.SparseFeature("a", "v", tf.float32, 3)}
        )
