"""Board's one error path: error classes carry their HTTP status; one handler renders them.

Every error response is JSON ``{"error": "<message for a person>"}`` with the error's status:
`NotFound` (404) for unknown runs, tags and graphs, `BadRequest` (400) for missing or malformed
parameters (FastAPI's own validation errors are turned into the same shape), `PayloadTooLarge` (413)
for a request body over a route's limit, and 500 with a
generic message for anything unexpected, which is logged with its traceback server-side only.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("board")


class BoardError(Exception):
    """An error with a message written for the user and the HTTP status to answer with."""

    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(BoardError, LookupError):
    status = 404


class BadRequest(BoardError):
    status = 400


class PayloadTooLarge(BoardError):
    status = 413


class UnsupportedMediaType(BoardError):
    status = 415


def error_body(message: str) -> dict[str, str]:
    return {"error": message}


def _describe_validation(errors) -> str:
    """FastAPI's validation errors as one sentence naming each bad parameter."""
    parts = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path")]
        name = ".".join(location) or "request"
        kind = error.get("type", "")
        if kind == "missing":
            parts.append(f"parameter {name!r} is required")
        else:
            parts.append(f"parameter {name!r}: {error.get('msg', 'is not valid')}")
    return "; ".join(parts) or "the request is not valid"


# The security headers of an answer no middleware sees (see board/security.py for the others'):
# a JSON error needs no script, style or frame.
ERROR_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                 "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}


def install(app) -> None:
    """Registers the handlers on a FastAPI app."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from board.encode import JSONResponse  # messages may quote names of any bytes

    async def board_error(request, exc: BoardError):
        return JSONResponse(error_body(exc.message), status_code=exc.status)

    async def validation_error(request, exc: RequestValidationError):
        return JSONResponse(error_body(_describe_validation(exc.errors())), status_code=400)

    async def http_error(request, exc: HTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.url.path!r}; the routes are listed at /openapi.json"
        return JSONResponse(error_body(message), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    async def unexpected(request, exc: Exception):
        logger.exception("board: unexpected error answering %s", request.url.path)
        # Starlette answers this outside every middleware (the exception passed through them), so
        # the security headers board/security.py adds to other answers are set here.
        return JSONResponse(error_body("internal error: the server log has the details"),
                            status_code=500, headers=ERROR_HEADERS)

    app.add_exception_handler(BoardError, board_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
