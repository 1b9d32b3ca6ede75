"""A real S3-compatible server on loopback for tests: moto's server, plus a small HTTP relay in front
of it that can answer slowly or refuse (403), as a real store does under load or without a grant.

`S3Server.fs()` is an s3fs filesystem pointed at the relay through fsspec's config (the same place
a user's ~/.config/fsspec/s3.json would set it); `S3Server.client` is a boto3 client that writes
straight to moto, as a training job would.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import fsspec
import fsspec.config
from moto.server import ThreadedMotoServer

_DENIED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
           b"<Message>Access Denied</Message></Error>")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _RelayServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def _forward(self) -> None:
        owner = self.server.owner
        owner.requests.append((self.command, self.path, self.headers.get("Range")))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if owner.deny:
            self.send_response(403)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(_DENIED) if self.command != "HEAD" else 0))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(_DENIED)
            return
        if owner.slow_requests > 0:
            owner.slow_requests -= 1
            time.sleep(owner.delay)
        upstream = http.client.HTTPConnection("127.0.0.1", owner.moto_port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        headers["Host"] = f"127.0.0.1:{owner.moto_port}"
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(key, value)
        # a HEAD answer has no body but tells the object's length
        length = response.getheader("Content-Length") if self.command == "HEAD" else None
        self.send_header("Content-Length", length or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(OSError):  # the client may have timed out and gone
                self.wfile.write(data)
        upstream.close()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward


class _RelayServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: S3Server


class S3Server:
    def __init__(self):
        self.moto_port = free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.relay = _RelayServer(("127.0.0.1", 0), _Relay)
        self.relay.owner = self
        self.port = self.relay.server_address[1]
        self.requests: list[tuple[str, str, str | None]] = []
        self.deny = False
        self.slow_requests = 0  # how many of the next requests wait `delay` seconds before answering
        self.delay = 0.0
        self.client = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> S3Server:
        self.moto.start()
        threading.Thread(target=self.relay.serve_forever, daemon=True).start()
        self.client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.moto_port}",
                                   region_name="us-east-1", aws_access_key_id="testing",
                                   aws_secret_access_key="testing-secret")
        return self

    def stop(self) -> None:
        self.relay.shutdown()
        self.relay.server_close()
        self.moto.stop()

    def configure_fsspec(self, read_timeout: float = 5.0, attempts: int = 3) -> None:
        """s3fs through the relay, as a user's fsspec config file would say it."""
        fsspec.config.conf["s3"] = {
            "endpoint_url": self.endpoint,
            "config_kwargs": {"read_timeout": read_timeout, "connect_timeout": 2,
                              "retries": {"max_attempts": attempts, "mode": "standard"}},
        }

    def fs(self):
        return fsspec.filesystem("s3")

    def put(self, bucket: str, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=bucket, Key=key, Body=data)
