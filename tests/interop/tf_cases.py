"""Run a module of cases written once for both sides (`CASES = {name: case(tf)}`, like rnn_cases.py) under
real TensorFlow (TF1 behaviour, tf-keras for `tf.nn.rnn_cell`), in one child process for all its cases."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

_CHILD = """
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.nn.rnn_cell needs tf-keras
warnings.simplefilter("ignore")
import importlib
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
sys.path.insert(0, sys.argv[1])
cases = importlib.import_module(sys.argv[2])
run = getattr(cases, "run_case", None) or (lambda tf, name: cases.CASES[name](tf))
print("RESULT " + json.dumps({name: run(tf, name) for name in cases.CASES}))
"""


def run_cases_in_tf(tf_python, module_name):
    """{case name: what the case returned under TensorFlow}, through JSON."""
    done = subprocess.run(
        [tf_python, "-c", _CHILD, str(Path(__file__).parent), module_name],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])
