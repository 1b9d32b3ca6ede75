"""Suite-wide fixtures: where the real tools' reference files are."""

import os
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
