"""`tf.nn.rnn_cell` cells, `static_rnn` and `static_bidirectional_rnn` against real TensorFlow: the same
model code (tests/interop/rnn_cases.py) built by both, given the same weights and inputs, must create
TF's variables (names and shapes), TF's forward op names, and TF's outputs, gradients and training losses.
Needs real TensorFlow (the `tf_python` fixture)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import engine
from tests.interop import rnn_cases

HERE = Path(__file__).parent

_TF_SIDE = """
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.nn.rnn_cell needs tf-keras
import warnings
warnings.simplefilter("ignore")
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
import rnn_cases
print("RESULT " + json.dumps({name: rnn_cases.run_case(tf, name) for name in rnn_cases.CASES}))
"""


@pytest.fixture(scope="module")
def tf_results(tf_python):
    done = subprocess.run(
        [tf_python, "-c", _TF_SIDE, str(HERE)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


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
