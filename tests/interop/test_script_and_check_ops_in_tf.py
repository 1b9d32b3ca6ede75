"""`tf.py_func`, `tf.numpy_function` and the `tf.assert_*` checks against real TensorFlow: the same code
(tests/interop/script_check_cases.py) run by both gives the same values, op names and types, and the same
error classes with the same texts. Needs real TensorFlow (the `tf_python` fixture)."""

from __future__ import annotations

import json

import pytest

import engine
from tests.interop import script_check_cases
from tests.interop.tf_cases import run_cases_in_tf


@pytest.fixture(scope="module")
def tf_results(tf_python):
    return run_cases_in_tf(tf_python, "script_check_cases")


@pytest.mark.parametrize("name", list(script_check_cases.CASES))
def test_case_matches_tensorflow(tf_results, name):
    ours = json.loads(json.dumps(script_check_cases.CASES[name](engine)))
    theirs = tf_results[name]
    assert len(ours) == len(theirs)
    for i, (mine, tfs) in enumerate(zip(ours, theirs, strict=True)):
        assert mine == tfs, f"outcome {i}"
