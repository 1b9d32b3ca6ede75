"""scripts/tfref.py: which Python has real TensorFlow, and the cached side venv's build.

The build's commands (venv, pip, the import check) are replaced by a stand-in that makes a venv-shaped
directory, so these tests exercise the real locking, staging and rename in tmp_path without downloading
TensorFlow. `make tfref` ran once from scratch into an empty cache is the end-to-end check.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import tfref


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_PYTHON", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "engine-board"


@pytest.fixture
def commands(monkeypatch):
    """The build's commands, recorded; `python -m venv DIR` makes DIR/bin/python, the rest succeed."""
    log: list[list[str]] = []

    def run(args):
        log.append(args)
        if args[1:3] == ["-m", "venv"]:
            time.sleep(0.2)  # long enough for the other builders to queue on the lock
            (Path(args[3]) / "bin").mkdir(parents=True)
            (Path(args[3]) / "bin" / "python").write_text("#!/bin/sh\n")

    monkeypatch.setattr(tfref, "_run", run)
    return log


def test_the_cache_is_per_user_and_per_tensorflow_version(cache):
    assert tfref.cache_dir() == cache / f"tf-{tfref.TF_VERSION}"
    assert tfref.find() is None


def test_a_preset_tf_python_wins_and_nothing_is_built(cache, commands, monkeypatch):
    monkeypatch.setenv("TF_PYTHON", "/opt/tf/bin/python")
    assert tfref.find() == tfref.ensure() == "/opt/tf/bin/python"
    assert commands == [] and not cache.exists()


def test_parallel_first_uses_build_once_and_share_it(cache, commands):
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(tfref.ensure())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    python = str(cache / f"tf-{tfref.TF_VERSION}" / "bin" / "python")
    assert results == [python] * 4
    assert [args[1:3] for args in commands] == [["-m", "venv"], ["-m", "pip"], ["-c", commands[2][2]]]
    assert commands[1][-2:] == [f"tensorflow-cpu=={tfref.TF_VERSION}", f"tf-keras=={tfref.TF_VERSION}"]
    entry = f"tf-{tfref.TF_VERSION}"
    assert sorted(p.name for p in cache.iterdir()) == [entry, f"{entry}.lock"]  # no staging left
    assert tfref.find() == python


def test_a_failed_build_leaves_no_cache_entry(cache, commands, monkeypatch):
    def pip_fails(args):
        commands.append(args)
        if args[1:3] == ["-m", "venv"]:
            (Path(args[3]) / "bin").mkdir(parents=True)
            (Path(args[3]) / "bin" / "python").write_text("")
        if args[1:3] == ["-m", "pip"]:
            raise subprocess.CalledProcessError(1, args)

    monkeypatch.setattr(tfref, "_run", pip_fails)
    with pytest.raises(subprocess.CalledProcessError):
        tfref.ensure()
    assert [p.name for p in cache.iterdir()] == [f"tf-{tfref.TF_VERSION}.lock"]
    assert tfref.find() is None


def test_a_killed_builds_staging_directory_is_cleared(cache, commands):
    stale = cache / f"tf-{tfref.TF_VERSION}.building-x1y2z3"
    (stale / "lib").mkdir(parents=True)
    tfref.ensure()
    assert not stale.exists()
    assert (cache / f"tf-{tfref.TF_VERSION}" / "bin" / "python").exists()


def test_the_command_line_reports_and_builds(cache, commands, capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", ["tfref.py", "--find"])
    assert tfref.main() == 1
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setattr("sys.argv", ["tfref.py"])
    assert tfref.main() == 0
    assert capsys.readouterr().out.strip() == str(cache / f"tf-{tfref.TF_VERSION}" / "bin" / "python")


def test_an_entry_whose_python_is_gone_is_rebuilt(cache, commands):
    broken = cache / f"tf-{tfref.TF_VERSION}"
    (broken / "bin").mkdir(parents=True)
    (broken / "bin" / "python").symlink_to(cache / "removed-base-python")
    assert tfref.find() is None
    assert tfref.ensure() == str(broken / "bin" / "python")
    assert (broken / "bin" / "python").read_text() == "#!/bin/sh\n"
