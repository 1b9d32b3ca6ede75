"""The command line: one clear line for start-up problems, progress while loading, localhost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.board.conftest import event_file, file_version_event, scalar_event, write_events

ROOT = Path(__file__).resolve().parents[2]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(*args, timeout=30):
    return subprocess.run([sys.executable, "-m", "board", *args], capture_output=True, text=True,
                          timeout=timeout, env=_env(), cwd=ROOT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_clear_line(result):
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_logdir(tmp_path):
    line = _one_clear_line(_run("--logdir", str(tmp_path / "nope")))
    assert "does not exist" in line and "nope" in line


def test_bad_option(tmp_path):
    line = _one_clear_line(_run("--logdir", str(tmp_path), "--port", "sixty"))
    assert "--port" in line
    line = _one_clear_line(_run("--logdir", str(tmp_path), "--frobnicate"))
    assert "--frobnicate" in line
    line = _one_clear_line(_run())
    assert "--logdir" in line
    line = _one_clear_line(_run("--logdir", str(tmp_path), "--reload-interval", "-1"))
    assert "reload-interval" in line


def test_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        line = _one_clear_line(_run("--logdir", str(tmp_path), "--port", str(port), "--host", "127.0.0.1"))
    assert str(port) in line and "in use" in line


def test_unbuilt_page_scripts(tmp_path):
    # board started on a static folder without the bundles scripts/build_assets.py makes
    patched = ("import pathlib, sys; import board.app; board.app.STATIC_DIR = pathlib.Path(sys.argv[1]); "
               "from board.cli import main; sys.exit(main(sys.argv[2:]))")
    result = subprocess.run([sys.executable, "-c", patched, str(tmp_path), "--logdir", str(tmp_path),
                             "--port", str(_free_port()), "--host", "127.0.0.1"],
                            capture_output=True, text=True, timeout=30, env=_env(), cwd=ROOT)
    line = _one_clear_line(result)
    assert "bundle/scalars/main.js is missing" in line and "make assets" in line


def _serve(logdir, *extra):
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "board", "--logdir", str(logdir), "--port", str(port),
                                *extra], stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
    return process, port


def _wait_for(url, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


def _stop(process):
    process.terminate()
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


def test_serves_on_localhost_and_prints_progress(tmp_path):
    runs = 3
    for r in range(runs):
        write_events(event_file(tmp_path / f"run{r}"),
                     [file_version_event()] + [scalar_event(f"tag{t}", s, s * 0.1)
                                               for s in range(3000) for t in range(4)])
    process, port = _serve(tmp_path)
    try:
        # the server answers while its first pass still discovers runs (as TensorBoard does): poll
        deadline = time.monotonic() + 20
        body = _wait_for(f"http://localhost:{port}/data/runs")
        while body != b'["run0","run1","run2"]' and time.monotonic() < deadline:
            time.sleep(0.05)
            body = _wait_for(f"http://localhost:{port}/data/runs")
        assert body == b'["run0","run1","run2"]'
        # localhost only: the port is not open on the machine's other addresses
        other = socket.gethostbyname(socket.gethostname())
        if not other.startswith("127."):
            with pytest.raises(OSError):
                socket.create_connection((other, port), timeout=1).close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = _wait_for(f"http://localhost:{port}/data/plugin/scalars/scalars?run=run2&tag=tag3")
            if rows.count(b"],[") == 2999:
                break
            time.sleep(0.05)
    finally:
        err = _stop(process)
    assert f"http://localhost:{port}/" in err
    assert "board: loading: " in err and "MB/s" in err
    assert "loaded: 3 runs, 3 files, 36,003 records" in err
    assert "Traceback" not in err


def test_progress_lines_while_a_big_logdir_loads(tmp_path):
    """A loader slower than the print interval shows 'loading:' lines with MB and MB/s."""
    from board.cli import ProgressPrinter
    from board.data.loader import Progress

    class Stream:
        def __init__(self):
            self.text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    stream = Stream()
    printer = ProgressPrinter(stream, every=0.0)
    progress = Progress(runs=2, files=3, records=1000, bytes=5_000_000, pending_bytes=10_000_000)
    printer(progress)
    printer.finish(progress)
    lines = stream.text.strip().splitlines()
    assert lines[0].startswith("board: loading: 2 runs, 3 files, 1,000 records, 5.0 MB in ")
    assert "MB/s" in lines[0] and "10.0 MB to go" in lines[0]
    assert lines[1].startswith("board: loaded: 2 runs")
