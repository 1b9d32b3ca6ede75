"""board: a TensorBoard-class server for event files (`board --logdir DIR`).

`from board import create_app; app = create_app(logdir)` returns the FastAPI app. The web framework
is imported on first use of `create_app`, so `board.data` (the logdir reader) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from board.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from board.app import create_app

        return create_app
    raise AttributeError(f"module 'board' has no attribute {name!r}")
