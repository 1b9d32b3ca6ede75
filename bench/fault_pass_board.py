"""board and TensorBoard on the same damaged logdirs and hostile requests: the figures of
docs/reliability.md's "board" section.

Each case starts both servers (board as `python -m board`, TensorBoard from the same venv, default
options) on a fresh copy of one logdir and prints what each answers:

* garbage: a healthy run (5,000 steps) beside a 1 GiB sparse ``events.out.tfevents.x`` of zeros:
  seconds from process start until the healthy run's points are served, against the same logdir
  without the garbage file (the difference is the delay the garbage causes); warnings logged.
* non-UTF-8 names: a run folder ``run\\xff`` with tags ``loss_\\xff`` / ``loss_\\xfe``: /data/runs's
  status and whether the two tags stay two.
* deleted run: a run's folder removed while serving; listed after the next reload?
* 1 MB query string, a foreign Host header, and the security headers of /data/runs.

    python bench/fault_pass_board.py
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.io.tfrecord import encode_record  # noqa: E402
from engine.proto import event_pb2, summary_pb2  # noqa: E402

TENSORBOARD = Path(sys.executable).with_name("tensorboard")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scalar(tag: bytes, step: int, value: float) -> bytes:
    placeholder = "X" * len(tag)
    event = event_pb2.Event(wall_time=1.7e9 + step, step=step, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=placeholder, simple_value=value)]))
    return encode_record(event.SerializeToString().replace(placeholder.encode(), tag))


def write_run(folder: Path, tags=(b"loss",), steps: int = 5000) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    head = encode_record(event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2").SerializeToString())
    body = b"".join(scalar(tag, s, s * 0.5) for s in range(steps) for tag in tags)
    (folder / "events.out.tfevents.1700000000.host").write_bytes(head + body)


class Server:
    def __init__(self, kind: str, logdir: Path):
        self.kind, self.port = kind, free_port()
        if kind == "board":
            command = [sys.executable, "-m", "board", "--logdir", str(logdir), "--port", str(self.port),
                       "--host", "127.0.0.1", "--reload-interval", "1"]
        else:
            command = [str(TENSORBOARD), "--logdir", str(logdir), "--port", str(self.port),
                       "--host", "127.0.0.1", "--reload_interval", "1"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - the server writes it for its whole life
        self.began = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self.log, stderr=self.log,
                                        env={**os.environ, "PYTHONPATH": str(ROOT)})

    def get(self, target: str, host: str | None = None, timeout: float = 10.0):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", target, headers={"Host": host} if host else {})
            response = connection.getresponse()
            return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
        except OSError as error:
            return type(error).__name__, {}, b""
        finally:
            connection.close()

    def wait_for(self, target: str, ok, timeout: float = 300.0) -> float:
        """Seconds since start until `ok(status, body)`."""
        while time.perf_counter() - self.began < timeout:
            status, _, body = self.get(target)
            if ok(status, body):
                return time.perf_counter() - self.began
            time.sleep(0.05)
        return float("inf")

    def last_log_line(self) -> str:
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:120] if lines else ""

    def warnings(self) -> int:
        self.log.seek(0)
        return sum(1 for line in self.log.read().decode("utf-8", "replace").splitlines()
                   if "warn" in line.lower() or "skipped" in line.lower() or "corrupt" in line.lower())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def healthy_rows(status, body) -> bool:
    """All of the healthy run is in (TensorBoard serves a sample of at most 1,000 points)."""
    return status == 200 and json.loads(body)[-1][1] == 4999


def series_url(kind: str, run: str) -> str:
    return f"/data/plugin/scalars/scalars?run={run}&tag=loss"


def case_garbage(kind: str, work: Path) -> str:
    results = {}
    for name, garbage in (("clean", False), ("garbage", True)):
        logdir = work / f"{kind}-{name}"
        write_run(logdir / "healthy")
        if garbage:
            (logdir / "junk").mkdir()
            with open(logdir / "junk" / "events.out.tfevents.x", "wb") as file:
                file.truncate(2**30)
        server = Server(kind, logdir)
        try:
            seconds = server.wait_for(series_url(kind, "healthy"), healthy_rows)
            time.sleep(2)  # a reload or two more
            runs = server.get("/data/runs")[2].decode()
            results[name] = (seconds, server.warnings(), runs)
        finally:
            server.stop()
    delay = results["garbage"][0] - results["clean"][0]
    return (f"healthy run served after {results['garbage'][0]:.1f} s with the garbage file, "
            f"{results['clean'][0]:.1f} s without (delay {delay:+.1f} s); {results['garbage'][1]} warning "
            f"lines; /data/runs = {results['garbage'][2]}")


def case_names(kind: str, work: Path) -> str:
    logdir = work / f"{kind}-names"
    run = Path(os.fsdecode(os.fsencode(logdir) + b"/run\xff"))
    write_run(run, tags=(b"loss_\xff", b"loss_\xfe"), steps=5)
    server = Server(kind, logdir)
    try:
        server.wait_for("/data/runs", lambda status, body: isinstance(status, int) and body != b"[]",
                        timeout=60)
        time.sleep(2)
        status, _, body = server.get("/data/runs")
        tags_status, _, tags = server.get("/data/plugin/scalars/tags")
        count = tags.count(b"loss_")
        code = server.process.poll()
        exited = f"; exited {code}: {server.last_log_line()}" if code is not None else ""
        return (f"/data/runs {status} {body[:40]!r}; scalar tags {tags_status}, {count} tag name(s) "
                f"listed{exited}")
    finally:
        server.stop()


def case_deleted(kind: str, work: Path) -> str:
    logdir = work / f"{kind}-deleted"
    write_run(logdir / "a", steps=10)
    write_run(logdir / "b", steps=10)
    server = Server(kind, logdir)
    try:
        server.wait_for("/data/runs", lambda status, body: b'"b"' in body, timeout=60)
        shutil.rmtree(logdir / "b")
        time.sleep(4)
        return f"after deleting run b: /data/runs = {server.get('/data/runs')[2].decode()}"
    finally:
        server.stop()


def case_requests(kind: str, work: Path) -> str:
    logdir = work / f"{kind}-requests"
    write_run(logdir / "a", steps=10)
    server = Server(kind, logdir)
    try:
        server.wait_for("/data/runs", lambda status, body: b'"a"' in body, timeout=60)
        long_query = server.get("/data/runs?x=" + "a" * 1_000_000)[0]
        foreign = server.get("/data/runs", host="evil.example")[0]
        _, headers, _ = server.get("/data/runs")
        page_status, page_headers, _ = server.get("/" if kind == "tensorboard" else "/scalars")
        wanted = ("x-content-type-options", "content-security-policy", "referrer-policy")
        shown = [h for h in wanted if h in headers]
        page_shown = [h for h in wanted if h in page_headers]
        return (f"1 MB query: {long_query}; Host: evil.example: {foreign}; /data/runs headers: {shown}; "
                f"page headers: {page_shown}")
    finally:
        server.stop()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="board-fault-pass-"))
    try:
        every = [case_garbage, case_names, case_deleted, case_requests]
        cases = [globals()[f"case_{name}"] for name in sys.argv[1:]] or every
        for case in cases:
            for kind in ("board", "tensorboard"):
                print(f"{case.__name__[5:]:9} {kind:11} {case(kind, work)}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
