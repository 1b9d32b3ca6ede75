"""Suite-wide fixtures: where the real tools' reference files are, and which Python has real TensorFlow."""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _find_real_fixtures() -> Path:
    """The files written by real TF/TensorBoard/PyTorch/tensorboardX (shared/fixtures/real).

    CI lays shared/ beside the clone; a developer's fresh clone in /tmp finds the workplace copy.
    """
    candidates = [os.environ.get("REAL_FIXTURES"), ROOT.parent / "shared" / "fixtures" / "real",
                  Path("/work/shared/fixtures/real")]
    for candidate in candidates:
        if candidate and Path(candidate, "MANIFEST.md").is_file():
            return Path(candidate)
    raise RuntimeError("shared/fixtures/real not found: set REAL_FIXTURES to its path")


REAL_FIXTURES = _find_real_fixtures()


@pytest.fixture(scope="session")
def real_fixtures() -> Path:
    return REAL_FIXTURES


def _load_tfref():
    # scripts/ is not a package: the Makefile runs tfref.py as a script, the suite imports it by path.
    spec = importlib.util.spec_from_file_location("tfref", ROOT / "scripts" / "tfref.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tfref = _load_tfref()


def tf_required() -> bool:
    """CI (``CI=true``) and ``REQUIRE_TF=1`` turn a missing TensorFlow into failures, not skips."""
    return os.environ.get("REQUIRE_TF") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def tf_python() -> str:
    """The Python with real TensorFlow (scripts/tfref.py: ``$TF_PYTHON``, else the cached side venv
    that ``make tfref`` builds). Tests using it skip without one, or fail under CI/REQUIRE_TF."""
    python = tfref.find()
    if python is None:
        message = (f"real TensorFlow not found: run `make tfref` (builds {tfref.cache_dir()}) "
                   "or set TF_PYTHON to a Python with tensorflow installed")
        if tf_required():
            pytest.fail(f"{message} (CI=true or REQUIRE_TF=1: TensorFlow is required)")
        pytest.skip(message)
    if shutil.which(python) is None:
        pytest.fail(f"TF_PYTHON={python!r} is not an executable")
    return python
