"""`tf.gfile`: TF 1.x's file API (``GFile``, ``Exists``, ``MakeDirs``, ``Glob``, ...) on local paths.

Failures raise TF's error classes with TF's texts (``NotFoundError("x; No such file or directory")``), which
is what TF1 scripts catch. Paths are the local file system's; TF's ``gs://``/``hdfs://`` schemes are not
supported here (board reads remote logdirs, the engine writes locally).
"""

from __future__ import annotations

import collections
import errno
import glob as _glob
import os
import shutil

from engine.framework import errors

__all__ = [
    "Copy", "DeleteRecursively", "Exists", "FastGFile", "GFile", "Glob", "IsDirectory", "ListDirectory",
    "MakeDirs", "MkDir", "Open", "Remove", "Rename", "Stat", "Walk",
]

_MODES = ("r", "w", "a", "r+", "w+", "a+")

FileStatistics = collections.namedtuple("FileStatistics", ["length", "mtime_nsec", "is_directory"])


def _os_error(exc: OSError, path) -> errors.OpError:
    """TF's error class and text for an OS failure on `path`."""
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    cls = {errno.ENOENT: errors.NotFoundError, errno.EEXIST: errors.AlreadyExistsError,
           errno.EACCES: errors.PermissionDeniedError, errno.EPERM: errors.PermissionDeniedError,
           errno.EISDIR: errors.FailedPreconditionError, errno.ENOTDIR: errors.FailedPreconditionError,
           errno.ENOTEMPTY: errors.FailedPreconditionError}.get(exc.errno, errors.UnknownError)
    return cls(None, None, f"{os.fspath(path)}; {reason}")


class GFile:
    """A file opened lazily as TF's: a missing file fails on the first read, not at construction.

    Text modes give ``str`` (UTF-8, newlines untranslated, as TF reads bytes and decodes them); ``b``
    modes give ``bytes``.
    """

    def __init__(self, name, mode="r"):
        self._file = None
        if mode.replace("b", "") not in _MODES:
            raise errors.InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self._name = os.fspath(name)
        self._mode = mode
        self._binary = "b" in mode

    @property
    def name(self):
        return self._name

    @property
    def mode(self):
        return self._mode

    def _opened(self):
        if self._file is None:
            mode = self._mode.replace("b", "") + "b"
            try:
                self._file = open(self._name, mode)  # noqa: SIM115 - closed by close() / __exit__
            except OSError as exc:
                raise _os_error(exc, self._name) from None
        return self._file

    def _out(self, data: bytes):
        return data if self._binary else data.decode("utf-8")

    def size(self):
        return Stat(self._name).length

    def read(self, n=-1):
        return self._out(self._opened().read(n))

    def readline(self):
        return self._out(self._opened().readline())

    def readlines(self):
        return [self._out(line) for line in self._opened().readlines()]

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def write(self, file_content):
        data = file_content.encode("utf-8") if isinstance(file_content, str) else bytes(file_content)
        self._opened().write(data)

    def seek(self, offset=None, whence=0, position=None):
        if position is not None:
            offset = position
        self._opened().seek(offset, whence)

    def tell(self):
        return self._opened().tell()

    def seekable(self):
        return True

    def flush(self):
        if self._file is not None:
            self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self):
        # TF closes a GFile that is dropped unclosed (`GFile(p).read()` is a common idiom) without a warning.
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


FastGFile = GFile
Open = GFile


def Exists(filename):  # noqa: N802 - TF's names
    return os.path.exists(filename)


def IsDirectory(dirname):  # noqa: N802
    return os.path.isdir(dirname)


def Stat(filename):  # noqa: N802
    try:
        st = os.stat(filename)
    except OSError as exc:
        raise _os_error(exc, filename) from None
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(filename))


def Glob(filename):  # noqa: N802
    """The paths matching a pattern (or several); a pattern matching nothing gives []."""
    patterns = [filename] if isinstance(filename, str | bytes | os.PathLike) else filename
    return [match for pattern in patterns for match in _glob.glob(os.fspath(pattern))]


def ListDirectory(dirname):  # noqa: N802
    """The entries of a directory, without '.' and '..'."""
    if not os.path.isdir(dirname):
        raise errors.NotFoundError(None, None, f"Could not find directory {os.fspath(dirname)}")
    return os.listdir(dirname)


def MkDir(dirname):  # noqa: N802
    """Makes one directory (its parent must exist); an existing directory is accepted, as in TF."""
    try:
        os.mkdir(dirname)
    except FileExistsError:
        if not os.path.isdir(dirname):
            message = f"{os.fspath(dirname)}; Not a directory"
            raise errors.FailedPreconditionError(None, None, message) from None
    except OSError as exc:
        raise _os_error(exc, dirname) from None


def MakeDirs(dirname):  # noqa: N802
    """Makes a directory and its missing parents; an existing directory is accepted."""
    try:
        os.makedirs(dirname, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, dirname) from None


def Remove(filename):  # noqa: N802
    try:
        os.remove(filename)
    except OSError as exc:
        raise _os_error(exc, filename) from None


def DeleteRecursively(dirname):  # noqa: N802
    if not os.path.exists(dirname):
        raise errors.NotFoundError(None, None, f"{os.fspath(dirname)} not found")
    try:
        if os.path.isdir(dirname):
            shutil.rmtree(dirname)
        else:
            os.remove(dirname)
    except OSError as exc:
        raise _os_error(exc, dirname) from None


def _transfer(move, source, target, overwrite):
    """Copy or Rename: TF's errors for a missing source and, unless `overwrite`, an existing target."""
    if not os.path.exists(source):
        raise errors.NotFoundError(None, None, f"{os.fspath(source)}; No such file or directory")
    if not overwrite and os.path.exists(target):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        move(source, target)
    except OSError as exc:
        raise _os_error(exc, source) from None


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802
    _transfer(shutil.copyfile, oldpath, newpath, overwrite)


def Rename(oldname, newname, overwrite=False):  # noqa: N802
    _transfer(os.replace, oldname, newname, overwrite)


def Walk(top, in_order=True):  # noqa: N802
    """Yields (dirname, subdirectory names, file names) from `top` down (`in_order`) or bottom up; a
    missing `top` yields nothing."""
    return walk(top, topdown=in_order)


# --- tf.io.gfile: TF 2's lower-case names for the same operations (engine/io/gfile.py exports them) -------
exists = Exists
isdir = IsDirectory
stat = Stat
glob = Glob
listdir = ListDirectory
mkdir = MkDir
makedirs = MakeDirs
remove = Remove
rmtree = DeleteRecursively
copy = Copy
rename = Rename


def walk(top, topdown=True, onerror=None):
    """``tf.io.gfile.walk``: (dirname, subdirectory names, file names) from `top` down (`topdown`) or
    bottom up; a directory that cannot be listed is skipped, after `onerror(error)` when given."""
    top = os.fspath(top)
    try:
        entries = ListDirectory(top)
    except errors.NotFoundError as error:
        if onerror is not None:
            onerror(error)
        return
    subdirs = [e for e in entries if os.path.isdir(os.path.join(top, e))]
    files = [e for e in entries if e not in subdirs]
    if topdown:
        yield top, subdirs, files
    for subdir in subdirs:
        yield from walk(os.path.join(top, subdir), topdown, onerror)
    if not topdown:
        yield top, subdirs, files


def join(path, *paths):
    """``tf.io.gfile.join``: local paths joined as `os.path.join` does."""
    return os.path.join(os.fspath(path), *(os.fspath(p) for p in paths))


def get_registered_schemes():
    """The URI schemes these functions open: local paths only (no scheme, or ``file``)."""
    return ["", "file"]
