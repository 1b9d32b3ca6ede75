"""The HTTP/1.1 protocol board's server speaks: uvicorn's h11 protocol with a bounded request head
answered in JSON.

uvicorn answers a request head larger than h11's buffer limit (a 1 MB query string) with a plain
400 and closes the socket at once, with the rest of the request still unread: the kernel then
resets the connection and the client sees "connection reset" instead of an answer. Here such a
request gets board's JSON error with the status that names the problem (414 when the request
line alone is too long, 431 when the headers are), and the connection is closed only once the
client has sent the rest (read and dropped, up to a bound and a time limit), so the answer
arrives.
"""

from __future__ import annotations

from http import HTTPStatus

import h11
import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

from board.errors import error_body

MAX_REQUEST_HEAD = 64 * 1024  # request line + headers; series_multi with 500 runs needs ~25 KB
_DRAIN_BYTES = 64 * 2**20  # read and drop at most this much of a refused request
_DRAIN_SECONDS = 5.0


class BoundedH11Protocol(H11Protocol):
    """Pass as `uvicorn.Config(http=BoundedH11Protocol, h11_max_incomplete_event_size=MAX_REQUEST_HEAD)`."""

    _draining = False
    _drained = 0

    def data_received(self, data: bytes) -> None:
        if self._draining:
            self._drained += len(data)
            if self._drained > _DRAIN_BYTES:
                self.transport.close()
            return
        super().data_received(data)

    def eof_received(self) -> bool | None:  # type: ignore[override]  # asyncio's Protocol returns bool | None
        if self._draining:
            self.transport.close()
            return None
        return super().eof_received()

    def send_400_response(self, msg: str) -> None:
        """Called by uvicorn when h11 refuses the request (malformed, or its head too large)."""
        pending, _ = self.conn.trailing_data
        if len(pending) > MAX_REQUEST_HEAD:
            line_done = b"\n" in pending[:MAX_REQUEST_HEAD]
            status = 431 if line_done else 414
            message = (f"the request headers are longer than {MAX_REQUEST_HEAD} bytes" if line_done else
                       f"the request line (URL and query string) is longer than {MAX_REQUEST_HEAD} bytes")
        else:
            status, message = 400, "the request is not valid HTTP/1.1"
        body = orjson.dumps(error_body(message))
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        for event in (h11.Response(status_code=status, headers=headers,
                                   reason=HTTPStatus(status).phrase), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self._draining = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_DRAIN_SECONDS, self.transport.close)
