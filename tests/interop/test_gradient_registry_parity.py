"""Each op type's gradient status is TensorFlow 2.21's: a gradient where TF has one, a not-differentiable
mark only where TF marks the op (``ops.NotDifferentiable``), and nothing where TF has nothing, so that
``tf.gradients`` raises TF's LookupError there.

TF's gradient registry is read once, in one subprocess of the suite's ``tf_python`` (tests/conftest.py)
that imports every module of ``tensorflow.python.ops`` (where the gradients register); without TensorFlow
the test skips, or fails under CI/REQUIRE_TF.
"""

from __future__ import annotations

import json
import subprocess

import engine  # noqa: F401 - registers the op types of every namespace
from engine.framework import registry
from engine.ops import io_ops, resource_sparse_ops, resource_variable_ops, training_ops  # noqa: F401 - ops of imported graphs

# TF registers a gradient function that returns only None for these; the engine marks them not
# differentiable, which tf.gradients treats the same way.
NONE_GRADIENT_IN_TF = {"ArgMax", "ArgMin", "Ceil", "Floor", "FloorDiv", "Rint", "Round", "TruncateDiv",
                       "LoopCond"}
# Deviations documented in docs/engine.md: TF passes ReadVariableOp's gradient on to the resource handle.
# TF's gradients of SparseDenseCwiseAdd and SparseSparseMaximum/Minimum only raise NotImplementedError; the
# engine registers none, so tf.gradients raises TF's LookupError there.
DEVIATIONS = {"ReadVariableOp", "SparseDenseCwiseAdd", "SparseSparseMaximum", "SparseSparseMinimum"}

_COLLECT = """
import importlib, json, os, pkgutil, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow.python.ops as tf_ops
from tensorflow.python.framework import ops
for info in pkgutil.iter_modules(tf_ops.__path__):
    try:
        importlib.import_module("tensorflow.python.ops." + info.name)
    except Exception:  # a module needing an optional dependency registers nothing we compare
        pass
status = {}
for op_type in json.loads(sys.argv[1]):
    try:
        status[op_type] = "gradient" if ops._gradient_registry.lookup(op_type) is not None else "marked"
    except LookupError:
        status[op_type] = "none"
print(json.dumps(status))
"""


def _engine_status(op_type):
    try:
        return "gradient" if registry.get_gradient_function(op_type) is not None else "marked"
    except LookupError:
        return "none"


def test_gradient_status_of_every_op_type_is_tfs(tf_python):
    op_types = registry.registered_ops()
    done = subprocess.run([tf_python, "-c", _COLLECT, json.dumps(op_types)], capture_output=True, text=True,
                          timeout=600, check=True)
    tf_status = json.loads(done.stdout.strip().splitlines()[-1])
    differ = {}
    for op_type in op_types:
        ours, theirs = _engine_status(op_type), tf_status[op_type]
        if op_type in NONE_GRADIENT_IN_TF and (ours, theirs) == ("marked", "gradient"):
            continue
        if op_type in DEVIATIONS:
            continue
        if ours != theirs:
            differ[op_type] = f"engine: {ours}, TF: {theirs}"
    assert not differ, differ
