"""Finding runs: every folder under the logdir (recursively) holding ``*tfevents*`` files.

A run is named by its path relative to the logdir with ``/`` separators, ``.`` for the logdir
itself. Files are listed in name order (their names start with the creation time). Nothing here
opens, creates or changes a file. A folder that cannot be listed (no permission) is skipped and
handed to `on_error`, so the caller can say so. Runs come one by one as the walk finds them: the
loader lists each at once, before the walk of a big logdir is over.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path


def is_event_file(name: str) -> bool:
    return "tfevents" in name


def walk_runs(logdir: Path, on_error: Callable[[OSError], None] | None = None
              ) -> Iterator[tuple[str, list[Path]]]:
    """(run name, event files in name order) for every folder holding event files, as found."""
    seen: set[str] = set()
    for folder, dirnames, filenames in os.walk(logdir, onerror=on_error, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a symlink loop: don't walk the same folder twice
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames.sort()
        files = sorted(name for name in filenames if is_event_file(name))
        if not files:
            continue
        relative = os.path.relpath(folder, logdir)
        name = "." if relative == "." else relative.replace(os.sep, "/")
        paths = [p for p in (Path(folder, f) for f in files) if p.is_file()]
        if paths:
            yield name, paths
