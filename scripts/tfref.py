"""Real TensorFlow for the interop tests and benchmarks: the one place that finds (and builds) it.

TensorFlow is never a dependency of engine or board; it is the oracle our files and results are checked
against. It lives in a side venv cached outside the clone, so every fresh clone on the machine (CI's
included) reuses it: ``${XDG_CACHE_HOME:-~/.cache}/engine-board/tf-2.21.0``. A preset ``TF_PYTHON``
(a Python with tensorflow installed) takes precedence over the cache and is never built.

    python scripts/tfref.py            builds the cached venv unless it exists; prints its Python
    python scripts/tfref.py --find     prints the Python that would be used; exit 1 when there is none

Building is safe to start from parallel processes: one holds a lock while it creates the venv in a
temporary directory beside the cache entry and renames it into place only once TensorFlow imports, so
the cache entry either does not exist or is complete. (A venv's ``bin/python`` keeps working after the
rename; the scripts pip wrote into ``bin/`` name the temporary path, which is why callers run
``bin/python -m pip``, never ``bin/pip``.)
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TF_VERSION = "2.21.0"
# tf-keras is what tf.compat.v1.layers and rnn_cell need (with TF_USE_LEGACY_KERAS=1).
REQUIREMENTS = [f"tensorflow-cpu=={TF_VERSION}", f"tf-keras=={TF_VERSION}"]


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "engine-board" / f"tf-{TF_VERSION}"


def find() -> str | None:
    """The Python with TensorFlow to use: ``$TF_PYTHON``, else the cached venv's; None when neither."""
    configured = os.environ.get("TF_PYTHON")
    if configured:
        return configured
    cached = cache_dir() / "bin" / "python"
    return str(cached) if cached.exists() else None


def _run(args: list[str]) -> None:
    print("tfref:", " ".join(args), file=sys.stderr, flush=True)
    subprocess.run(args, check=True)


def build(target: Path) -> None:
    """Creates the venv at ``target`` (which must not exist yet) in a temporary directory, then renames."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.building-", dir=target.parent))
    try:
        _run([sys.executable, "-m", "venv", str(staging)])
        python = str(staging / "bin" / "python")
        _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS])
        check = f"import tensorflow as tf; assert tf.__version__ == {TF_VERSION!r}, tf.__version__"
        _run([python, "-c", check])
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def ensure() -> str:
    """``find()``, building the cached venv first when there is no TensorFlow at all."""
    found = find()
    if found:
        return found
    target = cache_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Whoever held the lock before us may have built it while we waited.
        if not (target / "bin" / "python").exists():
            # Staging directories left by a killed build are nobody's now that we hold the lock, and
            # an entry without a working bin/python (its base Python removed) is rebuilt.
            for stale in target.parent.glob(f"{target.name}.building-*"):
                shutil.rmtree(stale, ignore_errors=True)
            if target.is_symlink():
                target.unlink()
            elif target.exists():
                shutil.rmtree(target)
            build(target)
    return str(target / "bin" / "python")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--find", action="store_true", help="only report; never build")
    args = parser.parse_args()
    python = find() if args.find else ensure()
    if python is None:
        print(f"no TensorFlow: TF_PYTHON is unset and {cache_dir()} does not exist", file=sys.stderr)
        return 1
    print(python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
