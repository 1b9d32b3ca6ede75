"""The sparse slice's shared test models (tests/fixtures/sparse/*_model.py): each is built by the same code
under the engine and under TensorFlow, and run as a script with TensorFlow's Python it prints TF's results
as JSON on its last line."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sparse"


def load(name):
    """The model module `tests/fixtures/sparse/<name>.py`."""
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tensorflow_side(tf_python, name):
    """What the model `name` prints when TensorFlow runs it."""
    done = subprocess.run(
        [tf_python, str(FIXTURES / f"{name}.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
