"""Whole files as string tensors: ``tf.io.read_file`` (`ReadFile`), ``tf.io.write_file`` (`WriteFile`) and
``tf.io.matching_files`` (`MatchingFiles`: the sorted names matching glob patterns).  Local paths, with
TF's error classes; WriteFile creates missing parent folders, as TF's kernel does."""

from __future__ import annotations

import glob
import os

import numpy as np

from engine.framework import dtypes as _dtypes
from engine.framework import errors, ops, registry
from engine.framework import tensor_shape as _ts
from engine.ops.op_util import make_op, make_tensor

__all__ = ["matching_files", "read_file", "write_file"]


def _text(value):
    value = value[()] if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


def _read_file(filename):
    path = _text(filename)
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory") from None


def _write_file(filename, contents):
    path = _text(filename)
    contents = contents[()] if isinstance(contents, np.ndarray) else contents
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "wb") as f:
        f.write(contents if isinstance(contents, bytes) else str(contents).encode())


def _matching_files(pattern):
    patterns = np.asarray(pattern, dtype=object).reshape(-1)
    names = sorted({name for p in patterns for name in glob.glob(_text(p))})
    out = np.empty(len(names), dtype=object)
    out[:] = [n.encode() for n in names]
    return out


_STRING_SCALAR = (_dtypes.string, _ts.TensorShape([]))
registry.register_op("ReadFile", infer=lambda op: [_STRING_SCALAR], kernel=_read_file, stateful=True,
                     inputs=("filename",))
registry.register_op("WriteFile", infer=lambda op: [], kernel=_write_file, stateful=True,
                     inputs=("filename", "contents"))
registry.register_op("MatchingFiles", infer=lambda op: [(_dtypes.string, _ts.TensorShape([None]))],
                     kernel=_matching_files, stateful=True, inputs=("pattern",))


def read_file(filename, name=None):
    """The bytes of the file `filename` (a string scalar)."""
    with ops.name_scope(name, "ReadFile", [filename]) as scope:
        filename = ops.convert_to_tensor(filename, dtype=_dtypes.string, name="filename")
        return make_tensor("ReadFile", [filename], name=scope)


def write_file(filename, contents, name=None):
    """An op writing the string scalar `contents` to `filename` (replacing it)."""
    with ops.name_scope(name, "WriteFile", [filename, contents]) as scope:
        filename = ops.convert_to_tensor(filename, dtype=_dtypes.string, name="filename")
        contents = ops.convert_to_tensor(contents, dtype=_dtypes.string, name="contents")
        return make_op("WriteFile", [filename, contents], name=scope)


def matching_files(pattern, name=None):
    """The sorted file names matching the glob `pattern` (a string scalar or vector)."""
    with ops.name_scope(name, "MatchingFiles", [pattern]) as scope:
        pattern = ops.convert_to_tensor(pattern, dtype=_dtypes.string, name="pattern")
        return make_tensor("MatchingFiles", [pattern], name=scope)
