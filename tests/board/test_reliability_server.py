"""Faults a client can cause, against the real `board` command (uvicorn, real sockets): a
catastrophic-backtracking tag pattern, a 1 MB query string, a foreign Host header (DNS
rebinding), and the security headers every answer carries."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse

import pytest

from board.patterns import MAX_PATTERN_LENGTH, tag_matcher
from tests.board.conftest import event_file, file_version_event, scalar_event, write_events
from tests.board.test_cli import _serve, _stop, _wait_for

REDOS = r"^(([a-z_/])+)+\d$"  # with Python's re: about an hour against the 35-character tag below
LONG_TAG = "a" * 34 + "!"


@pytest.fixture
def server(tmp_path):
    write_events(event_file(tmp_path / "run1"),
                 [file_version_event(), scalar_event(LONG_TAG, 1, 0.5), scalar_event("loss", 1, 1.0)])
    process, port = _serve(tmp_path, "--host", "127.0.0.1")
    try:
        _wait_for(f"http://127.0.0.1:{port}/data/runs")
        yield port
    finally:
        err = _stop(process)
        assert "Traceback" not in err, err


def _get(port: int, target: str, host: str | None = None, timeout: float = 10.0):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": host} if host is not None else {}
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_tag_matcher_is_linear_and_bounded():
    began = time.monotonic()
    assert tag_matcher(REDOS)(LONG_TAG) is False
    assert tag_matcher(REDOS)("a/b_c" * 7 + "7") is True
    assert time.monotonic() - began < 0.5
    assert tag_matcher("LOSS")("train/loss")  # case-insensitive, as the page's RegExp
    assert tag_matcher("(?=lookahead)") is None  # RE2 refuses it: every card is shown
    assert tag_matcher("[") is None
    assert tag_matcher("a" * (MAX_PATTERN_LENGTH + 1)) is None
    assert tag_matcher("") is None and tag_matcher(None) is None
    assert tag_matcher("x\udcff")("tag x\udcff")  # names with bytes that are not UTF-8


def test_redos_pattern_does_not_stall_the_server(server):
    answers = []

    def poll():  # /data/runs keeps answering while the page with the pattern is built
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            began = time.monotonic()
            status, _, body = _get(server, "/data/runs", timeout=5)
            answers.append((status, body, time.monotonic() - began))

    poller = threading.Thread(target=poll)
    poller.start()
    status, _, body = _get(server, "/scalars?" + urllib.parse.urlencode({"tags": REDOS}), timeout=10)
    poller.join()
    assert status == 200 and b"scalars-initial" in body
    assert answers and all(s == 200 and b == b'["run1"]' for s, b, _ in answers)
    assert max(seconds for _, _, seconds in answers) < 2.0


def test_oversize_request_line_is_414_json(server):
    status, headers, body = _get(server, "/data/runs?x=" + "a" * 1_000_000)
    assert status == 414
    assert headers["content-type"] == "application/json"
    assert "longer than" in json.loads(body)["error"]
    # headers too large: 431; the server keeps serving
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.putrequest("GET", "/data/runs")
    for i in range(200):
        connection.putheader(f"X-Filler-{i}", "b" * 1000)
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 431 and "error" in json.loads(response.read())
    connection.close()
    assert _get(server, "/data/runs")[0] == 200


def test_foreign_host_header_is_refused(server):
    for good in (None, "localhost", f"localhost:{server}", "127.0.0.1", f"[::1]:{server}", "LOCALHOST"):
        assert _get(server, "/data/runs", host=good)[0] == 200, good
    for bad in ("evil.example", f"evil.example:{server}", "127.0.0.1.evil.example", ""):
        status, headers, body = _get(server, "/data/runs", host=bad)
        assert status == 400, bad
        assert headers["content-type"] == "application/json"
        assert "--allow-host" in json.loads(body)["error"]
    status, _, _ = _get(server, "/static/css/base.css", host="evil.example")
    assert status == 400


def test_allow_host_and_wildcard_bind(tmp_path):
    write_events(event_file(tmp_path / "run1"), [file_version_event(), scalar_event("loss", 1, 1.0)])
    process, port = _serve(tmp_path, "--host", "127.0.0.1", "--allow-host", "board.lan")
    try:
        _wait_for(f"http://127.0.0.1:{port}/data/runs")
        assert _get(port, "/data/runs", host="board.lan")[0] == 200
        assert _get(port, "/data/runs", host="other.lan")[0] == 400
    finally:
        _stop(process)
    process, port = _serve(tmp_path, "--host", "0.0.0.0")
    try:
        _wait_for(f"http://127.0.0.1:{port}/data/runs")
        assert _get(port, "/data/runs", host="any.name.example")[0] == 200
    finally:
        _stop(process)


@pytest.mark.parametrize("target", ["/scalars", "/graphs", "/data/runs", "/static/css/base.css",
                                    "/data/plugin/scalars/scalars?run=nope&tag=x", "/no/such/route"])
def test_security_headers_on_every_answer(server, target):
    _, headers, _ = _get(server, target)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    policy = headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    assert "frame-ancestors 'none'" in policy


def test_an_unexpected_error_is_json_with_the_security_headers(tmp_path, caplog):
    """A bug in a route answers a JSON 500 (never a traceback page), headers included: Starlette
    answers it outside the middleware that adds them elsewhere."""
    from fastapi.testclient import TestClient

    from board import create_app

    app = create_app(str(tmp_path), reload_interval=0)

    def broken():
        raise RuntimeError("a bug")

    app.add_api_route("/data/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/data/broken")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal error: the server log has the details"}
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert "a bug" not in answer.text
