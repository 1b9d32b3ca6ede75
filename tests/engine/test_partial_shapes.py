"""Static shapes of the layers slice's ops and layers for partly-known inputs (unknown dimensions, unknown
rank, fed `k`/`maxlen`/shape arguments) are TensorFlow 2.21's: tests/fixtures/partial_shapes has the cases
(built by the same code under both) and TF's results."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import engine as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "partial_shapes"
EXPECTED = json.loads((FIXTURES / "shapes_tf.json").read_text())
_spec = importlib.util.spec_from_file_location("shape_cases", FIXTURES / "shape_cases.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
CASES = _module.cases(tf)


def test_the_fixture_covers_every_case():
    assert sorted(CASES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(CASES))
def test_static_shape_is_tfs(name):
    with tf.Graph().as_default():
        try:
            t = CASES[name]()
            got = {"shape": str(t.shape), "dtype": t.dtype.name}
        except (ValueError, TypeError) as e:
            got = {"error": type(e).__name__}
    assert got == EXPECTED[name]
