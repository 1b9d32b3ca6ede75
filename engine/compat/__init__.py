"""`tf.compat`: `tf.compat.v1` (this engine itself, so `import engine.compat.v1 as tf` works) and the
bytes/text helpers TF1 scripts use."""

from __future__ import annotations

import os
import sys

import numpy as np

import engine
from engine.framework.tensor_shape import dimension_at_index, dimension_value

__all__ = [
    "as_bytes", "as_str", "as_str_any", "as_text", "bytes_or_text_types", "complex_types",
    "dimension_at_index", "dimension_value", "integral_types", "path_to_str", "real_types", "v1",
]

# engine is TF 1.x's namespace already: the module, not a copy, so both spellings see the same names.
v1 = engine
sys.modules[f"{__name__}.v1"] = engine


def as_bytes(bytes_or_text, encoding="utf-8"):
    """UTF-8 (or `encoding`) bytes of a str; bytes as they are; anything else is TF's TypeError."""
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8"):
    """A str from bytes decoded with `encoding`; a str as it is."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value, encoding="utf-8"):
    """`as_str` for bytes, `str(value)` for anything else."""
    if isinstance(value, bytes):
        return as_str(value, encoding=encoding)
    return str(value)


def path_to_str(path):
    """The str of an `os.PathLike`; other values as they are."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    return path


# numpy scalar types count as TF's: kept for scripts that test `isinstance(x, tf.compat.integral_types)`.
integral_types = (int, np.integer)
real_types = (int, float, np.integer, np.floating)
complex_types = (int, float, complex, np.number)
bytes_or_text_types = (bytes, str)
