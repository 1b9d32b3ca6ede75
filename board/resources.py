"""Where board's templates and static files are, and the shared Jinja2 environment.

From a checkout they are the repository's top-level ``templates/`` and ``static/``; a wheel built by
``pip install .`` carries copies in ``board/_assets/`` (setup.py puts them there), which are preferred
when present. Page routes render with `templates`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The ``templates`` or ``static`` folder: packaged copy first, then the checkout's."""
    for candidate in (_PACKAGE / "_assets" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE.parent / name


TEMPLATES_DIR = resource_dir("templates")
STATIC_DIR = resource_dir("static")


@lru_cache(maxsize=1)
def _templates():
    from fastapi.templating import Jinja2Templates

    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.finalize = _finalize
    return templates


def warm_templates() -> None:
    """Compiles every template now (the environment caches them), so that no first visit pays for it."""
    templates = _templates()
    for path in sorted(TEMPLATES_DIR.glob("*.html")):
        templates.get_template(path.name)


def _finalize(value):
    """Every `{{ ... }}` of a template: names holding bytes that are not UTF-8 (board/names.py) are
    shown with U+FFFD, as HTML cannot carry those bytes (the page would not encode)."""
    if isinstance(value, str) and not value.isascii():
        from board.names import display

        return type(value)(display(value))  # Markup stays Markup
    return value


def __getattr__(name: str):
    # `from board.resources import templates` builds the Jinja2 environment on first use
    if name == "templates":
        return _templates()
    raise AttributeError(f"module 'board.resources' has no attribute {name!r}")
