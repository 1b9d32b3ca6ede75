"""tf.strings.unicode_script against TensorFlow 2.21 (tests/fixtures/unicode_script/make_fixture.py):
the codes of a sample of every plane, invalid values, the graph and TF's type error
(tests/interop/test_unicode_script_in_tf.py runs our graph in TF)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import engine as tf

FIXTURE_PATH = Path(__file__).parents[1] / "fixtures" / "unicode_script" / "unicode_script_tf.json"
FIXTURE = json.loads(FIXTURE_PATH.read_text())


def build():
    x = tf.placeholder(tf.int32, [None], name="points")
    codes = tf.strings.unicode_script(x)
    nested = tf.strings.unicode_script([[65, 0x0416], [0x4E00, -5]], name="nested")
    return x, codes, nested


def test_codes_nodes_and_shape_are_tfs():
    with tf.Graph().as_default() as g:
        x, codes, nested = build()
        assert [[op.name, op.type] for op in g.get_operations()] == FIXTURE["nodes"]
        assert str(codes.shape) == FIXTURE["shape"]
        with tf.Session() as s:
            values, nested_values = s.run([codes, nested], {x: np.array(FIXTURE["points"], np.int32)})
    assert values.dtype == np.int32
    pairs = zip(FIXTURE["points"], values.tolist(), FIXTURE["codes"], strict=True)
    mismatched = [(p, c, e) for p, c, e in pairs if c != e]
    assert not mismatched[:10]
    assert nested_values.tolist() == FIXTURE["nested"]


def test_int64_input_is_refused_as_tf_refuses_it():
    with tf.Graph().as_default():
        expected = ("Input 'input' of 'UnicodeScript' Op has type int64 that does not match expected type of "
                    "int32.")
        with pytest.raises(TypeError, match=expected):
            tf.strings.unicode_script(tf.constant([65], tf.int64))
