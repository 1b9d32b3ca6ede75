"""`board --logdir DIR [--port 6006] [--host localhost] [--allow-host NAME] [--reload-interval 5]`
(also `python -m board`).

The server answers only requests whose Host header names it (board/security.py): the loopback
names and the --host value, plus each --allow-host; with --host 0.0.0.0 (every interface) or
--allow-host '*', any name.

Start-up problems (no such logdir, port in use, bad option) are one line on stderr and exit
status 2, never a traceback. While the logdir loads, progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import logging
import socket
import sys
import time
from pathlib import Path

DEFAULT_PORT = 6006


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        self.exit(2, f"board: {message} (see board --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="board", description="Serve the event files of a logdir like TensorBoard.")
    parser.add_argument("--logdir", required=True, help="folder with event files (runs are subfolders)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on (default 6006)")
    parser.add_argument("--host", default="localhost",
                        help="address to bind (default localhost; 0.0.0.0 to allow other machines)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer requests for this host name (repeatable; '*' for any)")
    parser.add_argument("--reload-interval", type=float, default=5.0, metavar="SECONDS",
                        help="seconds between re-reads of the logdir; 0 reads it once (default 5)")
    parser.add_argument("--max-points-per-series", type=int, default=10_000_000, metavar="N",
                        help="points kept per (run, tag) before older ones are thinned (default 1e7)")
    parser.add_argument("--log-level", default="warning",
                        choices=["debug", "info", "warning", "error"], help="server log level")
    return parser


def _fail(message: str) -> int:
    print(f"board: {message}", file=sys.stderr)
    return 2


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything slow so a busy port fails at once."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # "localhost": 127.0.0.1 before ::1
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class ProgressPrinter:
    """Prints loading progress to stderr, at most every `every` seconds, then a summary line."""

    def __init__(self, stream=sys.stderr, every: float = 0.5):
        self.stream = stream
        self.every = every
        self.began = time.monotonic()
        self.last = 0.0
        self.done = False

    def __call__(self, progress) -> None:
        now = time.monotonic()
        if self.done or now - self.last < self.every:
            return
        self.last = now
        self._line(progress, now, final=False)

    def finish(self, progress) -> None:
        if not self.done:
            self.done = True
            self._line(progress, time.monotonic(), final=True)

    def _line(self, p, now: float, final: bool) -> None:
        seconds = max(now - self.began, 1e-9)
        mb = p.bytes / 1e6
        text = (f"{'loaded' if final else 'loading'}: {p.runs} runs, {p.files} files, "
                f"{p.records:,} records, {mb:,.1f} MB in {seconds:.1f} s ({mb / seconds:,.0f} MB/s)")
        if not final and p.pending_bytes:
            text += f", {p.pending_bytes / 1e6:,.1f} MB to go"
        print(f"board: {text}", file=self.stream, flush=True)


def _tune_allocator() -> None:
    """Keep freed memory for reuse instead of returning it to the OS after every chunk (glibc):
    loading allocates and frees the same few MB-sized arrays thousands of times."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


@contextlib.contextmanager
def _collector_paused():
    """Start-up makes a few hundred thousand objects (FastAPI, pydantic, numpy) and next to no
    garbage, yet they set off dozens of cyclic collections: the collector waits until the app is
    built. What start-up made lives as long as the server, so it is frozen out of later
    collections too. The collector runs as usual once serving starts. bench/server_overheads.py:
    start-up to the first answer 1.14x faster with the pause (median of 11 interleaved rounds)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logdir = Path(args.logdir).expanduser()
    if not logdir.exists():
        return _fail(f"logdir {str(logdir)!r} does not exist")
    if not logdir.is_dir():
        return _fail(f"logdir {str(logdir)!r} is not a folder")
    if not 0 < args.port < 65536:
        return _fail(f"--port must be between 1 and 65535, not {args.port}")
    if args.reload_interval < 0:
        return _fail("--reload-interval must be 0 (load once) or a number of seconds")
    if args.max_points_per_series < 1:
        return _fail("--max-points-per-series must be at least 1")
    try:
        sock = _bind(args.host, args.port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return _fail(f"port {args.port} on {args.host} is in use; pick another with --port")
        return _fail(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}")
    _tune_allocator()
    logging.basicConfig(level=args.log_level.upper(), format="%(message)s")

    with _collector_paused():
        from board.data.provider import LogdirProvider

        provider = LogdirProvider(logdir, args.reload_interval, args.max_points_per_series)

        import uvicorn

        from board.app import create_app
        from board.http_protocol import MAX_REQUEST_HEAD, BoundedH11Protocol
        from board.routes.pages import PageScriptsMissing
        from board.security import allowed_hosts_for

        try:
            app = create_app(logdir, provider=provider,
                             allowed_hosts=allowed_hosts_for(args.host, args.allow_host))
        except PageScriptsMissing as error:  # nothing to stop: reading has not started yet
            return _fail(str(error))
    # Reading starts once the web stack is imported, not before: importing and reading both hold
    # the GIL nearly all the time, so overlapping them only added switching (bench/load_logdir.py).
    printer = ProgressPrinter()
    provider.start(printer)
    shown = "localhost" if args.host in ("localhost", "127.0.0.1", "::1") else args.host
    print(f"board: serving {str(logdir)!r} at http://{shown}:{args.port}/ (Ctrl+C to stop)",
          file=sys.stderr, flush=True)

    def report_when_loaded() -> None:
        provider.wait_loaded()
        printer.finish(provider.status())

    import threading

    threading.Thread(target=report_when_loaded, daemon=True, name="board-progress").start()
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="on",
                            http=BoundedH11Protocol, h11_max_incomplete_event_size=MAX_REQUEST_HEAD)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        provider.stop(timeout=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
