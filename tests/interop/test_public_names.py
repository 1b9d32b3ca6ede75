"""Every public name of `engine` and its namespaces exists in TensorFlow 2.21's ``tf.compat.v1``.

Public names are each module's ``__all__`` (what ``from engine import *`` and README's API table give).
TensorFlow's names are collected once, in one subprocess of the suite's ``tf_python`` (tests/conftest.py);
without TensorFlow the test skips, or fails under CI/REQUIRE_TF.
"""

from __future__ import annotations

import json
import subprocess

import pytest

import engine

# engine namespace -> the tf.compat.v1 attribute path it mirrors ("" is tf.compat.v1 itself).  `summary` is
# left out until the format branch's rewrite of engine/summary/ lands: its __all__ still lists SummaryWriter
# and SummaryMetadata, which tf.compat.v1.summary does not have.
NAMESPACES = ["", "math", "nn", "nn.rnn_cell", "losses", "train", "initializers", "errors", "bitwise",
              "ragged", "logging", "io", "python_io", "data", "data.experimental", "layers", "compat",
              "dtypes", "linalg", "debugging", "gfile", "app", "flags", "metrics", "image", "sets",
              "strings", "signal", "spectral", "sparse", "keras", "keras.initializers", "io.gfile",
              "profiler", "manip", "linalg.experimental"]

_COLLECT = """
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.compat.v1.layers needs tf-keras
import tensorflow.compat.v1 as tf
names = {}
for path in json.loads(sys.argv[1]):
    module = tf
    for part in filter(None, path.split(".")):
        module = getattr(module, part)
    names[path] = sorted(n for n in dir(module) if not n.startswith("_"))
print(json.dumps(names))
"""


@pytest.fixture(scope="module")
def tf_names(tf_python):
    done = subprocess.run([tf_python, "-c", _COLLECT, json.dumps(NAMESPACES)], capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _namespace(path):
    module = engine
    for part in filter(None, path.split(".")):
        module = getattr(module, part)
    return module


@pytest.mark.parametrize("path", NAMESPACES, ids=lambda p: f"tf.{p}" if p else "tf")
def test_every_public_name_exists_in_tf_compat_v1(tf_names, path):
    module = _namespace(path)
    public = getattr(module, "__all__", None)
    assert public is not None, f"engine.{path or '__init__'} must declare __all__"
    missing = sorted(set(public) - set(tf_names[path]))
    assert not missing, f"not in tf.compat.v1{'.' + path if path else ''}: {missing}"


@pytest.mark.parametrize("path", NAMESPACES, ids=lambda p: f"tf.{p}" if p else "tf")
def test_every_public_name_is_defined(path):
    module = _namespace(path)
    undefined = [n for n in getattr(module, "__all__", []) if not hasattr(module, n)]
    assert not undefined
