"""Fixtures for page tests in real headless Chromium (Playwright) against a real uvicorn server.

Shared by every dashboard's browser tests (scalars, graphs). Use them like this::

    @pytest.mark.browser
    def test_something(board_server, page, screenshot, real_fixtures):
        server = board_server(real_fixtures / "torch_tb" / "logdir", reload_interval=0.5)
        page.goto(server.url + "/scalars")
        ...
        screenshot("torch-scalars")          # -> test-artifacts/torch-scalars.png

- ``board_server(logdir, reload_interval=0)`` starts ``board.create_app(logdir, ...)`` under uvicorn in
  a background thread on a free localhost port, waits until the logdir's first loading pass is done
  (``wait_loaded=False``: only until it serves), and returns a ``BoardServer`` (``.url``, ``.app``,
  ``.logdir``); every server started in a test is stopped at its end.
- ``browser`` (session scope) is Chromium at /usr/bin/chromium. Browser tests are skipped when it is
  missing, unless REQUIRE_BROWSER=1 is set (CI), in which case they fail. They also fail, naming the
  files, when the built page files (static/vendor/, static/bundle/) are missing or older than their
  sources: run ``make assets``.
- ``page`` is a fresh 1280x800 page. Console errors and uncaught page errors fail the test at teardown;
  call ``console.allow(pattern)`` for an error a test provokes on purpose. ``console.messages`` has all.
- ``screenshot(name, page=None, full_page=False)`` saves ``test-artifacts/<name>.png`` (git-ignored).
- Pages are served under board's Content-Security-Policy (no ``unsafe-eval``): give
  ``page.wait_for_function`` a function (``"() => ..."``), as Playwright evals a bare expression in
  the page when it polls, which the policy refuses.
- ``color_scheme`` can be overridden (``@pytest.mark.parametrize("color_scheme", ["dark"])``).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Every test context is a new window; Chromium 15x builds each window's omnibox popup as a WebUI
    # page in its own renderer (~0.6 s of CPU), which the pages under test need not compete with.
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 800}


def _browser_available() -> tuple[bool, str]:
    if not CHROMIUM.exists():
        return False, f"{CHROMIUM} is not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, "playwright is not installed"
    return True, ""


def pytest_collection_modifyitems(config, items):
    available, reason = _browser_available()
    if available or os.environ.get("REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"browser test: {reason} (set REQUIRE_BROWSER=1 to fail instead)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class BoardServer:
    url: str
    app: object
    logdir: Path
    _server: object = field(repr=False, default=None)
    _thread: threading.Thread | None = field(repr=False, default=None)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        close = getattr(self.app, "close", None) or getattr(getattr(self.app, "state", None), "close", None)
        if callable(close):
            close()


def start_board(logdir: Path, reload_interval: float = 0, wait_loaded: bool = True, **kwargs) -> BoardServer:
    """create_app(logdir, reload_interval=...) under uvicorn in a daemon thread; returns when serving
    and (`wait_loaded`) the logdir's first loading pass is done."""
    import uvicorn

    from board import create_app

    app = create_app(str(logdir), reload_interval=reload_interval, **kwargs)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"board-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"board did not start on port {port}")
        time.sleep(0.02)
    # Tests compare against complete logdirs: wait for the loader's first pass over it.
    loaded = getattr(getattr(app.state, "provider", None), "wait_loaded", None)
    if wait_loaded and callable(loaded) and not loaded(30):
        raise RuntimeError(f"board did not finish loading {logdir} within 30 s")
    return BoardServer(f"http://127.0.0.1:{port}", app, Path(logdir), server, thread)


@pytest.fixture
def board_server():
    servers: list[BoardServer] = []

    def start(logdir, reload_interval: float = 0, wait_loaded: bool = True, **kwargs) -> BoardServer:
        server = start_board(Path(logdir), reload_interval=reload_interval, wait_loaded=wait_loaded, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    available, reason = _browser_available()
    if not available:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    # Pages load the bundles, not static/js/: a stale bundle would test old code.
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_assets.py"), "--check"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        pytest.fail("the pages' built files are stale:\n" + check.stdout + check.stderr)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Console:
    """Console messages of one page; errors fail the test unless allowed."""

    def __init__(self):
        self.messages: list[str] = []
        self.errors: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self._allowed)]

    def attach(self, page) -> None:
        def on_console(message):
            text = f"{message.type}: {message.text}"
            location = message.location or {}
            if location.get("url"):
                text += f" ({location['url']}:{location.get('lineNumber')})"
            self.messages.append(text)
            if message.type == "error":
                self.errors.append(text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))


@pytest.fixture
def color_scheme() -> str:
    return "light"


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser, console, color_scheme, tmp_path):
    context = browser.new_context(
        viewport=VIEWPORT, color_scheme=color_scheme, accept_downloads=True, device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    console.attach(page)
    yield page
    context.close()
    unexpected = console.unexpected()
    assert not unexpected, "console errors on the page:\n" + "\n".join(unexpected)


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def save(name: str, target=None, full_page: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        if target is None:
            page.screenshot(path=str(path), full_page=full_page)
        else:
            target.screenshot(path=str(path))
        return path

    return save
