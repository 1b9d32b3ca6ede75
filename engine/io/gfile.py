"""``tf.io.gfile`` (re-exports only): TF 2's lower-case names for engine/gfile.py's operations."""

from engine.gfile import (
    GFile,
    copy,
    exists,
    get_registered_schemes,
    glob,
    isdir,
    join,
    listdir,
    makedirs,
    mkdir,
    remove,
    rename,
    rmtree,
    stat,
    walk,
)

__all__ = [
    "GFile", "copy", "exists", "get_registered_schemes", "glob", "isdir", "join", "listdir", "makedirs",
    "mkdir", "remove", "rename", "rmtree", "stat", "walk",
]
