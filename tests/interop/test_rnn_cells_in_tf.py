"""`tf.nn.rnn_cell` cells, `static_rnn` and `static_bidirectional_rnn` against real TensorFlow: the same
model code (tests/interop/rnn_cases.py) built by both, given the same weights and inputs, must create
TF's variables (names and shapes), TF's forward op names, and TF's outputs, gradients and training losses.
Needs real TensorFlow (the `tf_python` fixture)."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from tests.interop import rnn_cases
from tests.interop.tf_cases import run_cases_in_tf


@pytest.fixture(scope="module")
def tf_results(tf_python):
    return run_cases_in_tf(tf_python, "rnn_cases")


@pytest.mark.parametrize("name", list(rnn_cases.CASES))
def test_rnn_case_matches_tensorflow(tf_results, name):
    ours, theirs = rnn_cases.run_case(engine, name), tf_results[name]
    assert ours["variables"] == theirs["variables"]
    assert ours["ops"] == theirs["ops"]
    assert len(ours["values"]) == len(theirs["values"])
    for step, (mine, tfs) in enumerate(zip(ours["values"], theirs["values"], strict=False)):
        for i, (a, b) in enumerate(zip(mine, tfs, strict=False)):
            np.testing.assert_allclose(
                np.asarray(a), np.asarray(b), rtol=2e-5, atol=2e-6, err_msg=f"{name}: step {step}, fetch {i}"
            )
